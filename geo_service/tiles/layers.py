"""The tile layers: name (= MVT layer name = TileJSON vector_layers[].id), fields and zooms."""

from dataclasses import dataclass

EXTENT = 4096
BUFFER = 64
MAX_TILE_ZOOM = 22


@dataclass(frozen=True)
class Layer:
    """One tile source with exactly one MVT layer of the same name."""

    name: str
    description: str
    fields: dict[str, str]
    minzoom: int
    maxzoom: int
    run_versioned: bool
    immutable: bool = True
    """A run's tile never changes (hotspots, clusters). Places also follow edits of places,
    measures and settings, so their tiles live `events_tile_seconds` like the event counts."""


LAYERS: dict[str, Layer] = {
    layer.name: layer
    for layer in (
        Layer(
            "hotspots",
            "H3 cells of an analysis run with their emerging hot spot category and Gi* z.",
            {
                "cell": "H3 index (hex)",
                "category": "emerging hot spot category",
                "z": "Gi* z-score of the last period",
                "p": "p-value of z",
                "trend_tau": "Mann-Kendall tau of the trend behind the category (if tested)",
                "confirmed": "a new or consecutive hot spot inside a scan cluster with an alarm",
                "uncertain": "a new or consecutive label that the scan does not confirm",
                "total": "events over the run (left out below k for viewer and anonymous)",
                "last": "events in the cell in the last period (left out below k, as total)",
                "usual": "the cell's mean events per period over the run (left out with total)",
            },
            minzoom=8,
            maxzoom=18,
            run_versioned=True,
        ),
        Layer(
            "clusters",
            "Scan clusters (unusual recent excess) and point clusters (recent bunching) of a run.",
            {
                "method": "scan, dbscan or hdbscan",
                "cluster": "number within its method, 1 = most likely or largest",
                "alarm": "scan cluster whose recurrence interval reaches the alarm limit",
                "size": "events in the cluster (left out below k for viewer and anonymous)",
                "expected": "events expected by chance (scan clusters)",
                "ratio": "observed / expected (scan clusters; left out with size)",
                "recurrence_days": "by chance, one as unusual appears once in this many days",
            },
            minzoom=8,
            maxzoom=18,
            run_versioned=True,
        ),
        Layer(
            "places",
            "The EST group's places with the rank, score and level of the meeting that reviews the "
            "run: the same ranking as /api/v1/priorities and the lägesbild.",
            {
                "name": "place name",
                "kind": "place kind",
                "rank": "1 = most urgent",
                "score": "the priority score: the sum of its listed components",
                "level": "red, yellow or green",
            },
            minzoom=8,
            maxzoom=18,
            run_versioned=True,
            immutable=False,
        ),
        Layer(
            "events_agg",
            "Events per H3 cell at a resolution suited to the zoom; small counts left out.",
            {"cell": "H3 index (hex)", "resolution": "H3 resolution", "count": "events"},
            minzoom=5,
            maxzoom=18,
            immutable=False,
            run_versioned=False,
        ),
    )
}


def events_resolution(z: int) -> int:
    """H3 resolution for the events_agg layer at zoom z: cells stay roughly 10–40 px wide."""
    if z <= 7:
        return 6
    if z <= 9:
        return 7
    if z <= 11:
        return 8
    if z <= 13:
        return 9
    return 10


def valid_tile(z: int, x: int, y: int) -> bool:
    """True when z/x/y addresses an existing XYZ tile."""
    return 0 <= z <= MAX_TILE_ZOOM and 0 <= x < 2**z and 0 <= y < 2**z
