"""`geo-service qgis ...`: the QGIS project and styles in the database, and GIS roles."""

import typer
from rich.console import Console

qgis_app = typer.Typer(help="QGIS: the project and styles kept in PostGIS, and GIS roles.")
console = Console(stderr=True)


def store_project(
    municipality: str | None = None,
    host: str | None = None,
    port: int | None = None,
    service: str | None = None,
    sslmode: str = "prefer",
    lang: str = "sv",
) -> str:
    """Write the styles and the project into the service's database; returns its name."""
    from sqlalchemy.engine import make_url

    from geo_service.config import get_settings
    from geo_service.db.engine import session_scope
    from geo_service.palette.qgis_install import install_project
    from geo_service.palette.qgis_project import Connection

    url = make_url(get_settings().database_url)
    connection = Connection(
        dbname=url.database or "",
        host=host or url.host,
        port=port or url.port,
        service=service,
        sslmode=sslmode,
    )
    with session_scope() as session:
        name = install_project(session, connection, municipality, lang)
    console.print(
        f"QGIS project {name!r} stored in {url.database} (in QGIS: Project → Open From → "
        "PostgreSQL)"
    )
    return name


@qgis_app.command("install")
def qgis_install(
    municipality: str = typer.Option(None, help="Kommunkod: a project of this municipality."),
    host: str = typer.Option(None, help="Host QGIS connects to (default: the service's)."),
    port: int = typer.Option(None, help="Port QGIS connects to (default: the service's)."),
    service: str = typer.Option(None, help="A pg_service.conf name, instead of host and port."),
    sslmode: str = typer.Option("prefer", help="libpq sslmode of the layers' connections."),
    lang: str = typer.Option("sv", help="Language of layer names and legends: sv or en."),
) -> None:
    """Write the default styles and the QGIS project into the database (`qgis_projects`)."""
    store_project(municipality, host, port, service, sslmode, lang)


@qgis_app.command("role")
def qgis_role(
    municipality: str = typer.Argument(..., help="Kommunkod, e.g. 1275."),
) -> None:
    """Create the role that reads one municipality's rows; grant it to a GIS user's login."""
    from geo_service.db.engine import session_scope
    from geo_service.palette.qgis_install import create_gis_role

    with session_scope() as session:
        role = create_gis_role(session, municipality)
    console.print(f"[green]role {role} ready[/green]; give it to a GIS user's login with:")
    console.print(f"GRANT {role} TO <login>;", soft_wrap=True)
