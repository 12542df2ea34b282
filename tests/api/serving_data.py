"""Two small test tenants for the serving tests: known cells with 2 and 5 events and a run.

Tenant 9901 has a public view, 9902 has not. Cell A holds 2 events (below k = 3), cell B 5.
The run rows are written directly so the tests control counts and categories exactly.
"""

import math
from dataclasses import dataclass, field

import numpy as np
import pytest
from pyproj import Transformer
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from geo_service.api.auth import create_token
from geo_service.db.constants import ROLES
from geo_service.db.copy import ensure_h3_cells
from geo_service.db.tenants import ensure_municipality
from geo_service.grid.cells import cells_to_hex, latlng_to_cells

PUBLIC_MC, PRIVATE_MC = "9901", "9902"
TO_3006 = Transformer.from_crs(4326, 3006, always_xy=True)


@dataclass
class Tenant:
    code: str
    tokens: dict[str, str]
    cell_a: str  # 2 events
    cell_b: str  # 5 events
    run_id: int
    event_ids: list[int] = field(default_factory=list)
    reporter_event: int = 0


def add_run(session: Session, mc: str, cells: list[int], totals: list[float]) -> int:
    """A completed run with one analysis_cell and one bin per cell."""
    run_id = session.execute(
        text(
            "INSERT INTO analysis_run (municipality_code, status, params, resolution, period_start,"
            " period_end, n_periods, finished_at) VALUES (:mc, 'completed', '{}', 9,"
            " '2025-01-06', '2025-03-31', 6, clock_timestamp()) RETURNING id"
        ),
        {"mc": mc},
    ).scalar_one()
    categories = ["sporadic_hot", "intensifying_hot"]
    for i, (cell, total) in enumerate(zip(cells, totals, strict=True)):
        session.execute(
            text(
                "INSERT INTO analysis_cell VALUES (:mc, :run, :cell, :cat, 0.5, 0, :z, 0.01,"
                " 0.4, 0.02, 0.3, 0.05, 2, :total, :total)"
            ),
            {
                "mc": mc,
                "run": run_id,
                "cell": cell,
                "cat": categories[i % 2],
                "z": 2.0 + i,
                "total": total,
            },
        )
        session.execute(
            text(
                "INSERT INTO analysis_bin VALUES (:mc, :run, :cell, '2025-03-17', :total, :z,"
                " 0.01, true, false)"
            ),
            {"mc": mc, "run": run_id, "cell": cell, "total": total, "z": 2.0 + i},
        )
    return run_id


def _seed(session: Session, mc: str, public: bool, lon0: float) -> Tenant:
    ensure_municipality(session, mc, f"Testkommun {mc}")
    session.execute(
        text("UPDATE municipality SET settings = CAST(:s AS jsonb) WHERE municipality_code = :mc"),
        {"mc": mc, "s": '{"public_view": %s}' % ("true" if public else "false")},
    )
    session.execute(
        text(
            "INSERT INTO source (municipality_code, code, name, kind) VALUES "
            "(:mc, 'test', 'Test', 'police') ON CONFLICT DO NOTHING"
        ),
        {"mc": mc},
    )
    # 2 events in cell A, 5 in cell B (~1 km apart), all near Perstorp
    lat = np.array([56.1330] * 2 + [56.1420] * 5)
    lon = np.array([lon0] * 2 + [lon0 + 0.01] * 5) + np.arange(7) * 1e-5
    r8, r9, r10 = (latlng_to_cells(lat, lon, r) for r in (8, 9, 10))
    ensure_h3_cells(session.connection(), [r8, r9, r10])
    x, y = TO_3006.transform(lon, lat)
    ids = []
    for i in range(7):
        ids.append(
            session.execute(
                text(
                    "INSERT INTO event (municipality_code, kind, category, source, source_id,"
                    " content_hash, occurred_at, geom, h3_r8, h3_r9, h3_r10, geocode_method,"
                    " description) VALUES (:mc, 'incident', 'skadegorelse', 'test', :sid, :hash,"
                    " '2025-03-20T12:00:00+01', ST_SetSRID(ST_MakePoint(:x, :y), 3006),"
                    " :r8, :r9, :r10, 'coordinates', 'fritext') RETURNING id"
                ),
                {
                    "mc": mc,
                    "sid": f"t{i}",
                    "hash": f"h{i}",
                    "x": x[i],
                    "y": y[i],
                    "r8": int(r8[i]),
                    "r9": int(r9[i]),
                    "r10": int(r10[i]),
                },
            ).scalar_one()
        )
    tokens = {role: create_token(session, mc, role, "Testorg") for role in ROLES}
    reporter_id = session.execute(
        text("SELECT id FROM api_token WHERE municipality_code = :mc AND role = 'reporter'"),
        {"mc": mc},
    ).scalar_one()
    reporter_event = session.execute(
        text(
            "INSERT INTO event (municipality_code, kind, category, source, source_id,"
            " content_hash, occurred_at, geom, geocode_method, created_by) VALUES (:mc,"
            " 'observation', 'klotter', 'test', 'obs1', 'hobs1', '2025-03-21T10:00:00+01',"
            " ST_SetSRID(ST_MakePoint(:x, :y), 3006), 'coordinates', :by) RETURNING id"
        ),
        {"mc": mc, "x": x[0], "y": y[0], "by": f"token:{reporter_id}"},
    ).scalar_one()
    run_id = add_run(session, mc, [int(r9[0]), int(r9[2])], [2.0, 5.0])
    hexes = cells_to_hex(np.array([r9[0], r9[2]]))
    return Tenant(mc, tokens, hexes[0], hexes[1], run_id, ids, reporter_event)


@pytest.fixture(scope="session", name="tenants")
def tenants_fixture(engine: Engine) -> dict[str, Tenant]:
    """The public tenant 9901 and the private tenant 9902, committed once per session."""
    with Session(engine) as session:
        found = {
            PUBLIC_MC: _seed(session, PUBLIC_MC, True, 13.3830),
            PRIVATE_MC: _seed(session, PRIVATE_MC, False, 13.4030),
        }
        session.commit()
    return found


def bearer(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int, int]:
    """The XYZ (web mercator) tile holding a WGS84 point."""
    n = 2**z
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return z, int((lon + 180) / 360 * n), int(y)


def tile_path(lon: float, lat: float, z: int) -> str:
    """`z/x/y` of the tile holding a WGS84 point."""
    return "/".join(map(str, tile_of(lon, lat, z)))
