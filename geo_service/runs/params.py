"""The parameters of a run: the tenant's settings, overridden per call, stored with the run."""

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, model_validator

from geo_service.analysis.calibration import AUTO_RESOLUTIONS
from geo_service.db.constants import EVENT_KINDS
from geo_service.db.models import Municipality
from geo_service.errors import GeoServiceError

DEFAULT_KINDS = [k for k in EVENT_KINDS if k != "walk_finding"]


class RunParams(BaseModel):
    """Everything that decides a run's result; stored as the run's params."""

    resolution: int | Literal["auto"] = Field(
        "auto",
        description="H3 resolution 0–10 (finest stored: 10), or 'auto': the finest of 7–10 whose "
        "self-measured false change labels stay below 0.25 per run.",
    )
    k: int = Field(1, ge=0, le=5, description="Spatial neighbourhood: grid_disk(k).")
    time_lag: int = Field(1, ge=0, le=6, description="Earlier steps in the neighbourhood.")
    alpha: float = Field(0.05, gt=0, lt=1)
    fdr: bool = True
    global_window: Literal["cube", "step"] = "cube"
    study_area: Literal["boundary", "active"] = "boundary"
    value: Literal["count", "harm"] = "count"
    kinds: list[str] = Field(default_factory=lambda: list(DEFAULT_KINDS))
    categories: list[str] | None = None
    sources: list[str] | None = None
    include_centroids: bool = Field(
        False, description="Police feed points at the municipality centroid are no scene."
    )
    anchor: date = date(2024, 1, 1)
    period_days: int = Field(14, ge=1, le=366)
    from_date: date | None = Field(None, ge=date(1900, 1, 1), le=date(2100, 12, 31))
    to_date: date | None = Field(
        None,
        ge=date(1900, 1, 1),
        le=date(2100, 12, 31),
        description="Periods ending on or before this date.",
    )
    max_periods: int = Field(130, ge=3)
    permutations: int = Field(0, ge=0, le=9999)
    seed: int = 0
    trend: Literal["counts", "z"] = Field(
        "counts", description="'z' reproduces Esri's categories (miscalibrated on sparse data)."
    )
    calibration_runs: int = Field(19, ge=0, le=199, description="Time permutations per run.")
    scan_replicates: int = Field(999, ge=1, le=9999)
    scan_max_radius_m: float = Field(1000.0, gt=0, le=10_000)
    alarm_days: int = Field(365, ge=1, le=36_500)
    cluster_method: Literal["dbscan", "hdbscan"] = "dbscan"
    cluster_eps_m: float = Field(150.0, gt=0, le=5_000)
    cluster_min_samples: int = Field(5, ge=2, le=1_000)

    @model_validator(mode="after")
    def _kinds_known(self) -> "RunParams":
        unknown = set(self.kinds) - set(EVENT_KINDS)
        if unknown:
            raise ValueError(f"unknown kinds {sorted(unknown)}; use {list(EVENT_KINDS)}")
        if self.resolution != "auto" and not 0 <= self.resolution <= 10:
            raise ValueError(f"resolution must be 0–10 or 'auto', got {self.resolution}")
        if self.resolution == "auto" and self.calibration_runs == 0:
            raise ValueError("resolution 'auto' needs calibration_runs > 0")
        return self

    @property
    def resolutions(self) -> tuple[int, ...]:
        """The resolutions a run tries: the fixed one, or 'auto's candidates finest first."""
        if self.resolution == "auto":
            return tuple(sorted(AUTO_RESOLUTIONS, reverse=True))
        return (self.resolution,)

    @classmethod
    def for_municipality(cls, municipality: Municipality, **overrides: Any) -> "RunParams":
        """The tenant's defaults (columns and settings['analysis']) with per-call overrides."""
        base: dict[str, Any] = {
            "resolution": "auto"
            if municipality.analysis_resolution is None
            else municipality.analysis_resolution,
            "anchor": municipality.period_anchor,
            "period_days": municipality.period_length_days,
        }
        base |= (municipality.settings or {}).get("analysis", {})
        base |= {k: v for k, v in overrides.items() if v is not None}
        try:
            return cls(**base)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'parameters'}: {e['msg']}"
                for e in exc.errors()
            )
            raise GeoServiceError("invalid_run_parameter", problems) from None
