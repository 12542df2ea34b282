"""Analysis runs: aggregate the cube in SQL, run the pure engine, store a versioned result."""

from geo_service.runs.execute import latest_run, run_analysis
from geo_service.runs.params import RunParams

__all__ = ["RunParams", "latest_run", "run_analysis"]
