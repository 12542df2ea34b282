"""The Perstorp demo loads into PostGIS with its places and planted patterns, and only once."""

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from geo_service.demo import perstorp
from geo_service.demo.load import load_demo

DEMO_EVENTS = text(
    "SELECT count(*) FROM event WHERE municipality_code = '1275' AND created_by = 'demo'"
)
PLACES = {"Centrum", "Stationsområdet", "Oderljunga", "Industriområdet", "Skolområdet", "Parken"}


def test_loading_twice_does_not_duplicate_a_single_event(engine: Engine, demo_loaded: str) -> None:
    with engine.connect() as conn:
        before = conn.execute(DEMO_EVENTS).scalar()
    with Session(engine) as session:
        counts = load_demo(session)
        session.commit()
    with engine.connect() as conn:
        after = conn.execute(DEMO_EVENTS).scalar()
        dupes = conn.execute(
            text(
                "SELECT count(*) FROM (SELECT source, source_id FROM event "
                "WHERE municipality_code = '1275' GROUP BY 1, 2 HAVING count(*) > 1) d"
            )
        ).scalar()
    assert before == after == len(perstorp.generate_events())
    assert (counts.stored, counts.updated, counts.unchanged) == (0, 0, before)
    assert dupes == 0


def test_demo_has_the_named_places_and_events_fall_in_them(
    engine: Engine, demo_loaded: str
) -> None:
    with engine.connect() as conn:
        rows = dict(
            conn.execute(
                text(
                    "SELECT p.name, count(e.id) FROM place p LEFT JOIN event e "
                    "ON e.municipality_code = p.municipality_code AND e.place_id = p.id "
                    "WHERE p.municipality_code = '1275' GROUP BY 1"
                )
            ).all()
        )
        inside = conn.execute(
            text(
                "SELECT bool_and(ST_Contains(m.boundary, e.geom)) FROM event e "
                "JOIN municipality m USING (municipality_code) WHERE m.municipality_code = '1275'"
            )
        ).scalar()
        area_km2 = conn.execute(
            text(
                "SELECT ST_Area(boundary) / 1e6 FROM municipality WHERE municipality_code = '1275'"
            )
        ).scalar()
    assert set(rows) >= PLACES
    assert all(rows[p] > 0 for p in PLACES)
    assert inside
    assert 140 < area_km2 < 190  # Perstorp is about 163 km²


def test_planted_patterns_are_in_the_counts(engine: Engine, demo_loaded: str) -> None:
    last = perstorp.LAST_PERIOD_END
    sql = text(
        "SELECT count(*) FROM event e JOIN place p "
        "ON p.id = e.place_id AND p.municipality_code = e.municipality_code "
        "WHERE p.name = :place AND e.occurred_at >= :start AND e.occurred_at < :end"
    )
    with engine.connect() as conn:

        def count(place: str, start_days: int, end_days: int) -> int:
            from datetime import timedelta

            return conn.execute(
                sql,
                {
                    "place": place,
                    "start": last - timedelta(days=start_days),
                    "end": last - timedelta(days=end_days),
                },
            ).scalar()

        # Stationsområdet: the last 12 weeks far above the 12 weeks a year earlier.
        assert count("Stationsområdet", 84, 0) > 2 * count("Stationsområdet", 84 + 365, 365)
        # Oderljunga: nothing but the safety walk before the last four weeks.
        assert count("Oderljunga", 28, 0) >= 8
        # Parken: after the lighting measure, far fewer events per period than before it.
        before = count("Parken", 14 * 52, 14 * (52 - perstorp.MEASURE_PERIOD))
        after = count("Parken", 14 * (52 - perstorp.MEASURE_PERIOD), 0)
        assert after / (52 - perstorp.MEASURE_PERIOD) < 0.3 * before / perstorp.MEASURE_PERIOD
