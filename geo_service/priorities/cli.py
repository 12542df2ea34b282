"""`geo-service places ...`: load places from GeoJSON or GeoPackage."""

from collections.abc import Callable
from pathlib import Path

import typer
from rich.console import Console

places_app = typer.Typer(help="Places (named areas the EST group talks about).")
areas_app = typer.Typer(help="Areas (kommundelar, survey sub-areas).")
municipality_app = typer.Typer(help="Municipalities (tenants).")
console = Console(stderr=True)


MUNICIPALITY = typer.Option(..., help="Kommunkod, e.g. 1275.")
LAYER = typer.Option(None, help="GeoPackage layer (default: the first).")


def _load_command(what: str, file_help: str) -> Callable[..., None]:
    """`geo-service <what> load FILE`: load places or areas, reprojected to EPSG:3006."""

    def load(
        file: Path = typer.Argument(..., help=file_help),
        municipality: str = MUNICIPALITY,
        layer: str = LAYER,
    ) -> None:
        from geo_service.db.engine import session_scope
        from geo_service.db.tenants import require_municipality
        from geo_service.priorities import places_io

        loader = places_io.load_places if what == "places" else places_io.load_areas
        with session_scope() as session:
            require_municipality(session, municipality)
            result = loader(session, municipality, file, layer)
        for note in result.skipped:
            console.print(f"[yellow]skipped[/yellow] {note}")
        console.print(f"[green]{result.stored} of {result.read} {what} stored[/green]")

    load.__doc__ = (
        f"Load {what} (reprojected to EPSG:3006); loading again updates {what} of the same name."
    )
    return load


places_app.command("load")(
    _load_command("places", "GeoJSON or GeoPackage with name, aliases, kind.")
)
areas_app.command("load")(_load_command("areas", "GeoJSON or GeoPackage of polygons with a name."))


@municipality_app.command("create")
def municipality_create(
    code: str = typer.Option(..., help="Four-digit kommunkod, e.g. 1275."),
    name: str = typer.Option(..., help="The municipality's name."),
    boundary: Path = typer.Option(None, help="GeoJSON, GeoPackage or Shapefile of the boundary."),
    layer: str = typer.Option(None, help="Layer of a GeoPackage."),
) -> None:
    """Create a municipality with the default categories, or update its name and boundary."""
    from geo_service.db.engine import session_scope
    from geo_service.db.tenants import ensure_municipality
    from geo_service.priorities.places_io import read_boundary

    wkt = read_boundary(boundary, layer) if boundary else None
    with session_scope() as session:
        ensure_municipality(session, code, name, wkt)
    console.print(f"[green]municipality {code} {name} ready[/green]")
