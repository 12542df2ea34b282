"""Analysis runs on the Perstorp demo: the planted hotspots are found, runs are reproducible."""

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from geo_service.db.models import AnalysisRun
from geo_service.demo import perstorp
from geo_service.errors import GeoServiceError
from geo_service.runs import RunParams, latest_run, run_analysis

CATEGORIES_BY_PLACE = text(
    "SELECT p.name, array_agg(DISTINCT c.category) FROM analysis_cell c "
    "JOIN h3_cell h ON h.cell = c.cell "
    "JOIN place p ON p.municipality_code = c.municipality_code "
    " AND ST_Intersects(p.geom, ST_Centroid(h.geom)) "
    "WHERE c.municipality_code = '1275' AND c.run_id = :run GROUP BY 1"
)


@pytest.fixture(scope="module")
def demo_run(engine: Engine, demo_loaded: str) -> Iterator[int]:
    with Session(engine) as session:
        run_id = run_analysis(session, demo_loaded, to_date=perstorp.MEETING_DATE)
        session.commit()
    yield run_id


def _categories(engine: Engine, run_id: int) -> dict[str, set[str]]:
    with engine.connect() as conn:
        return {
            name: set(cats) for name, cats in conn.execute(CATEGORIES_BY_PLACE, {"run": run_id})
        }


ALARMS_BY_PLACE = text(
    "SELECT p.name, bool_or(k.alarm), max((k.stats->>'recurrence_days')::float8) "
    "FROM analysis_cluster k JOIN place p ON p.municipality_code = k.municipality_code "
    " AND ST_Intersects(p.geom, k.geom) "
    "WHERE k.municipality_code = '1275' AND k.run_id = :run AND k.method = 'scan' GROUP BY 1"
)
CONFIRMED_BY_PLACE = text(
    "SELECT p.name, bool_or(c.confirmed), bool_or(c.uncertain) FROM analysis_cell c "
    "JOIN h3_cell h ON h.cell = c.cell "
    "JOIN place p ON p.municipality_code = c.municipality_code "
    " AND ST_Intersects(p.geom, ST_Centroid(h.geom)) "
    "WHERE c.municipality_code = '1275' AND c.run_id = :run GROUP BY 1"
)


def test_demo_hotspots_are_where_they_were_planted(engine: Engine, demo_run: int) -> None:
    found = _categories(engine, demo_run)
    assert "persistent_hot" in found["Centrum"]
    assert "intensifying_hot" in found["Stationsområdet"]
    assert found["Oderljunga"] & {"new_hot", "consecutive_hot"}
    assert not found["Norra bostadsområdet"] - {"no_pattern"}


def test_the_planted_emergence_in_oderljunga_is_a_confirmed_scan_alarm(
    engine: Engine, demo_run: int
) -> None:
    with engine.connect() as conn:
        alarms = {name: (alarm, days) for name, alarm, days in
                  conn.execute(ALARMS_BY_PLACE, {"run": demo_run})}  # fmt: skip
        confirmed = {name: c for name, c, _ in conn.execute(CONFIRMED_BY_PLACE, {"run": demo_run})}
    alarm, days = alarms["Oderljunga"]
    assert alarm and days >= 365
    assert confirmed["Oderljunga"]
    assert not confirmed["Centrum"]  # persistent, not new: nothing to confirm


def test_run_records_its_periods_parameters_and_sparsity(engine: Engine, demo_run: int) -> None:
    with Session(engine) as session:
        run = session.get(AnalysisRun, ("1275", demo_run))
        assert run.status == "completed"
        assert run.n_periods == perstorp.N_PERIODS
        assert run.period_end.astimezone(perstorp.STOCKHOLM).date() == perstorp.LAST_PERIOD_END
        assert run.params["to_date"] == perstorp.MEETING_DATE.isoformat()
        assert run.watermark["events"] == len(perstorp.generate_events())
        assert run.sparsity["mean_events_per_bin"] < 0.5  # the demo is sparse: recorded
        calibration = run.calibration
        assert calibration["runs"] == 19
        choice = calibration["resolution_choice"]
        assert run.resolution == choice["resolution"]
        assert choice["false_change_labels_per_run"][str(run.resolution)] < choice["limit"]
        assert run.params["resolution"] == "auto"
        assert latest_run(session, "1275").id >= demo_run
        informative, bins = session.execute(
            text(
                "SELECT (SELECT count(*) FROM analysis_cell WHERE run_id = :r "
                "      AND (total > 0 OR hot_share > 0 OR cold_share > 0)), "
                "(SELECT count(*) FROM analysis_bin WHERE run_id = :r)"
            ),
            {"r": demo_run},
        ).one()
    # Every bin of every cell with an event or a significant bin; all-zero series are implied.
    assert bins == informative * perstorp.N_PERIODS


def test_a_run_is_reproducible_from_its_stored_parameters(engine: Engine, demo_run: int) -> None:
    with Session(engine) as session:
        stored = RunParams(**session.get(AnalysisRun, ("1275", demo_run)).params)
        again = run_analysis(session, "1275", **stored.model_dump())
        session.commit()
    sql = text(
        "SELECT cell, category, round(final_z::numeric, 9) FROM analysis_cell "
        "WHERE run_id = :r ORDER BY cell"
    )
    with engine.connect() as conn:
        assert conn.execute(sql, {"r": demo_run}).all() == conn.execute(sql, {"r": again}).all()


def test_harm_weighted_run_and_filters(engine: Engine, demo_run: int) -> None:
    with Session(engine) as session:
        run_id = run_analysis(
            session,
            "1275",
            to_date=perstorp.MEETING_DATE,
            value="harm",
            categories=["klotter", "skadegorelse"],
        )
        session.commit()
        total = session.execute(
            text("SELECT sum(value) FROM analysis_bin WHERE run_id = :r"), {"r": run_id}
        ).scalar()
        sparsity = session.get(AnalysisRun, ("1275", run_id)).sparsity
        expected, n_events = session.execute(
            text(
                "SELECT sum(t.harm_weight), count(*) FROM event e JOIN taxonomy t "
                "ON t.municipality_code = e.municipality_code AND t.code = e.category "
                "WHERE e.municipality_code = '1275' AND e.category IN ('klotter', 'skadegorelse') "
                "AND e.kind <> 'walk_finding' AND e.geocode_method <> 'municipality_centroid' "
                "AND e.occurred_at >= '2024-11-18' AND e.occurred_at < '2026-11-16'"
            )
        ).one()
    assert total == pytest.approx(expected, rel=0.01)
    assert sparsity["events"] == n_events  # sparsity counts events, not harm weight


def test_empty_selection_is_a_clear_error_and_a_failed_run(
    engine: Engine, demo_loaded: str
) -> None:
    with Session(engine) as session, pytest.raises(GeoServiceError, match="No events"):
        run_analysis(session, "1275", sources=["no-such-source"])
    with Session(engine) as session:
        failed = session.execute(
            select(AnalysisRun).where(AnalysisRun.status == "failed")
            .order_by(AnalysisRun.id.desc()).limit(1)
        ).scalar_one()  # fmt: skip
        assert failed.error.startswith("No events for this selection")
        assert failed.params["sources"] == ["no-such-source"]
        assert latest_run(session, "1275").status == "completed"  # readers never see it


def test_old_runs_are_pruned(engine: Engine, demo_run: int) -> None:
    with Session(engine) as session:
        for _ in range(3):
            run_analysis(session, "1275", keep_runs=2, to_date=perstorp.MEETING_DATE)
        session.commit()
        kept = session.execute(
            text(
                "SELECT count(*) FROM analysis_run r WHERE municipality_code = '1275' AND NOT "
                "EXISTS (SELECT 1 FROM meeting_snapshot s WHERE s.run_id = r.id)"
            )
        ).scalar()
    assert kept == 2


def test_tenant_settings_are_the_run_defaults(engine: Engine, demo_loaded: str) -> None:
    with Session(engine) as session:
        session.execute(
            text(
                "UPDATE municipality SET settings = jsonb_set(settings, '{analysis}', "
                '\'{"k": 2, "alpha": 0.01, "fdr": false, "global_window": "step"}\') '
                "WHERE municipality_code = '1275'"
            )
        )
        try:
            run_id = run_analysis(session, "1275", to_date=perstorp.MEETING_DATE, alpha=0.02)
            params = session.get(AnalysisRun, ("1275", run_id)).params
        finally:
            session.rollback()
    assert (params["k"], params["fdr"], params["global_window"]) == (2, False, "step")
    assert params["alpha"] == 0.02  # a per-call value wins over the tenant's
    assert params["period_days"] == perstorp.PERIOD_DAYS


def test_analyze_command_prints_the_categories(database_url: str, demo_loaded: str) -> None:
    from typer.testing import CliRunner

    from geo_service.cli import app

    result = CliRunner().invoke(
        app, ["analyze", "--municipality", "1275", "--to", perstorp.MEETING_DATE.isoformat()]
    )
    assert result.exit_code == 0, result.output
    assert "intensifying_hot" in result.output and "52 periods" in result.output
