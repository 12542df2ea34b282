"""The categories a reporter can pick, the ones the municipality's reports use most first."""

from dataclasses import dataclass

from sqlalchemy import Connection, text

from geo_service.db.taxonomy import CATEGORY_ICONS, DEFAULT_ICON

USAGE_DAYS = 365

_BY_USE = text("""
SELECT t.code, t.label_sv, t.label_en, count(e.id) AS uses
FROM taxonomy t
LEFT JOIN event e ON e.municipality_code = t.municipality_code AND e.category = t.code
 AND e.kind IN ('observation', 'walk_finding')
 AND e.occurred_at >= now() - make_interval(days => :days)
WHERE t.municipality_code = :mc AND 'observation' = ANY(t.kinds)
GROUP BY t.code, t.label_sv, t.label_en
ORDER BY uses DESC, t.label_sv
""")


@dataclass(frozen=True)
class FieldCategory:
    """A category as the field app shows it."""

    code: str
    label_sv: str
    label_en: str
    icon: str
    uses: int


def categories_by_use(conn: Connection, mc: str) -> list[FieldCategory]:
    """The categories that observations may have, the most reported in the last year first."""
    rows = conn.execute(_BY_USE, {"mc": mc, "days": USAGE_DAYS}).all()
    return [
        FieldCategory(code, sv, en, CATEGORY_ICONS.get(code, DEFAULT_ICON), int(uses))
        for code, sv, en, uses in rows
    ]
