"""Benchmark of the run worker and the demo's meeting history on the Perstorp demo.

Times, in a fresh database on the server of GEO_SERVICE_DATABASE_URL (created and dropped):
the demo's six snapshot meetings made the first time (six runs) and again (nothing to do), a
worker pass with nothing due (the baseline: what every poll costs), and a pass after an import
that added one event (one run). Also the size of the demo's places and hotspot tiles plain and
gzipped. Never part of the timed test run.

    GEO_SERVICE_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:PORT/postgres \\
      .venv/bin/python benchmarks/worker.py
"""

from __future__ import annotations

import gzip
import os
import time
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from geo_service.db import migrate
from geo_service.db.engine import get_engine
from geo_service.demo import perstorp
from geo_service.demo.history import make_history
from geo_service.demo.load import event_frame, load_demo, session_upsert
from geo_service.runs import latest_run
from geo_service.runs.worker import Worker
from geo_service.tiles.sql import PlaceRanking, render_tile


def timed(what: str, run: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    result = run()
    print(f"{what:<58} {time.perf_counter() - start:8.2f} s")
    return result


def history(url: str) -> list[Any]:
    with Session(get_engine(url)) as session:
        return make_history(session)


def add_event(url: str) -> None:
    frame = event_frame(perstorp.generate_events()).head(1).copy()
    frame["source_id"], frame["content_hash"] = "benchmark-import", "e" * 32
    with Session(get_engine(url)) as session:
        session_upsert(session, perstorp.CODE, frame)
        session.commit()


def tile_sizes(url: str) -> None:
    from geo_service.priorities.service import priorities_for_run

    with Session(get_engine(url)) as session:
        run = latest_run(session, perstorp.CODE)
        assert run is not None
        ranking = PlaceRanking.of(priorities_for_run(session, perstorp.CODE, run.id).items)
        conn = session.connection()
        for layer, z, x, y in (("places", 13, 4399, 2544), ("hotspots", 14, 8800, 5090)):
            tiles = [
                render_tile(
                    conn,
                    layer,
                    perstorp.CODE,
                    z,
                    x + dx,
                    y + dy,
                    run_id=run.id,
                    suppress=False,
                    k=3,
                    ranking=ranking,
                )  # fmt: skip
                for dx in (0, 1)
                for dy in (0, 1)
            ]
            plain = sum(len(t) for t in tiles)
            zipped = sum(len(gzip.compress(t, 6, mtime=0)) for t in tiles)
            print(f"{layer} tiles, 4 at z{z}: {plain:,} bytes plain, {zipped:,} gzipped")


def main() -> None:
    server = make_url(os.environ["GEO_SERVICE_DATABASE_URL"])
    name = f"geo_service_bench_worker_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name).render_as_string(hide_password=False)
    try:
        migrate.upgrade(url)
        with Session(get_engine(url)) as session:
            load_demo(session)
            session.commit()
        timed("demo history, first time (6 snapshots, 6 runs)", lambda: history(url))
        timed("demo history again (nothing to do)", lambda: history(url))
        worker = Worker(get_engine(url), runs_kept=10, retention_days=3 * 365)
        timed("worker pass with retention (first of the day)", worker.run_pass)
        timed("worker pass, nothing due (every poll)", worker.run_pass)
        add_event(url)
        made = timed("worker pass after an import that added an event", worker.run_pass).made
        print(f"  runs made: {made}")
        tile_sizes(url)
    finally:
        get_engine(url).dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
