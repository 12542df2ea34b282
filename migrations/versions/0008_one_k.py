"""One k for small-count suppression, in SQL as in the API

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 08:00:00

- `privacy_k`: one row with the k of `GEO_SERVICE_K_SUPPRESSION`, written by
  `geo-service db upgrade` (3 until then).
- `geo_service_k(municipality, floor)`: the largest of `floor`, that k and the municipality's own
  `settings.k_suppression`; the API, the tile SQL and the views all use it.
- The QGIS views `v_hotspot_cells`, `v_event_counts` and `v_clusters` hide counts below
  `geo_service_k(municipality_code)` instead of a literal 3.
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from alembic import op

from geo_service.privacy import K_FUNCTION

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _revision(name: str) -> ModuleType:
    """An earlier revision's module, for the view definitions it wrote with k = 3."""
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(f"{name}.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _with_k(sql: str, literal: str, function: str) -> str:
    """`sql` with the literal k replaced by the function; fails loudly when it is not there."""
    assert literal in sql, literal
    return sql.replace(literal, function)


def _views() -> tuple[str, str, str]:
    qgis, detection = _revision("0002_qgis_views_roles"), _revision("0005_detection")
    hotspots = _with_k(
        detection.HOTSPOT_CELLS, "c.total < 3 ", "c.total < geo_service_k(c.municipality_code) "
    )
    counts = _with_k(
        qgis.EVENT_COUNTS, "count(*) >= 3", "count(*) >= geo_service_k(municipality_code)"
    )
    clusters = _with_k(
        detection.CLUSTERS, "k.size < 3 ", "k.size < geo_service_k(k.municipality_code) "
    )
    return hotspots, counts, clusters


def upgrade() -> None:
    op.execute(
        "CREATE TABLE privacy_k (id integer PRIMARY KEY CHECK (id = 1), "
        "k integer NOT NULL CHECK (k >= 1), updated_at timestamptz NOT NULL DEFAULT now())"
    )
    op.execute("INSERT INTO privacy_k (id, k) VALUES (1, 3)")
    op.execute(K_FUNCTION)
    for view in _views():
        op.execute(view)
    op.execute("GRANT SELECT ON privacy_k TO geo_service_gis_read")


def downgrade() -> None:
    qgis, detection = _revision("0002_qgis_views_roles"), _revision("0005_detection")
    for view in (detection.HOTSPOT_CELLS, qgis.EVENT_COUNTS, detection.CLUSTERS):
        op.execute(view)
    op.execute("DROP FUNCTION IF EXISTS geo_service_k(text, integer)")
    op.execute("DROP TABLE IF EXISTS privacy_k")
