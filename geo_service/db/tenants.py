"""Creating a municipality (tenant) with its default taxonomy."""

from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from geo_service.db.models import Municipality, Taxonomy
from geo_service.db.taxonomy import DEFAULT_CATEGORIES
from geo_service.errors import GeoServiceError, NotFoundError


def ensure_municipality(
    session: Session, code: str, name: str, boundary_wkt_3006: str | None = None, note: str = ""
) -> None:
    """Create the municipality if missing (its boundary updated if given) and seed its taxonomy."""
    if not (len(code) == 4 and code.isdigit()):
        raise GeoServiceError(
            "invalid_municipality_code", f"A kommunkod has four digits (e.g. 1275), not {code!r}."
        )
    stmt = insert(Municipality).values(
        municipality_code=code,
        name=name,
        boundary=func.ST_Multi(func.ST_GeomFromText(boundary_wkt_3006, 3006))
        if boundary_wkt_3006
        else None,
        boundary_note=note or None,
    )
    update = {"name": stmt.excluded.name}
    if boundary_wkt_3006:
        update |= {"boundary": stmt.excluded.boundary, "boundary_note": stmt.excluded.boundary_note}
    session.execute(stmt.on_conflict_do_update(index_elements=["municipality_code"], set_=update))
    rows = [
        {
            "municipality_code": code,
            "code": c.code,
            "label_sv": c.label_sv,
            "label_en": c.label_en,
            "harm_weight": c.harm_weight,
            "kinds": c.kinds,
            "aliases": c.aliases,
        }
        for c in DEFAULT_CATEGORIES
    ]
    session.execute(insert(Taxonomy).values(rows).on_conflict_do_nothing())


def require_municipality(session: Session, code: str) -> Municipality:
    """The municipality, or a not-found error naming the code."""
    found = session.get(Municipality, code)
    if found is None:
        raise NotFoundError("municipality", code)
    return found
