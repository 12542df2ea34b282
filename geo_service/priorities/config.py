"""Weights and level thresholds of the priority score; a tenant overrides them in its settings.

`municipality.settings["priorities"]` may hold `{"weights": {...}, "thresholds": {...},
"baseline_periods": 6}`; keys left out keep the defaults below (docs/priorities.md lists them).
"""

from dataclasses import dataclass, field, fields, replace
from typing import Any

from geo_service.errors import GeoServiceError

EMERGING_POINTS: dict[str, float] = {
    "new_hot": 3.0,
    "intensifying_hot": 3.0,
    "consecutive_hot": 2.5,
    "persistent_hot": 2.0,
}
"""Points of a place's most serious emerging category. Only calibrated signals count: new and
consecutive hot spots only when the scan confirms them, intensifying and persistent ones (their
trend is calibrated); every other category, and any uncertain label, gives 0."""


@dataclass(frozen=True)
class Weights:
    """Multipliers of each component's value (its contribution = weight × value)."""

    incidents: float = 0.25
    observations: float = 0.1
    change: float = 1.0
    emerging: float = 1.0
    scan_clusters: float = 1.5
    open_measures: float = -0.5
    survey: float = 0.5


@dataclass(frozen=True)
class Thresholds:
    """Score at or above `red` is red, at or above `yellow` yellow, otherwise green."""

    yellow: float = 3.0
    red: float = 6.0


@dataclass(frozen=True)
class PriorityConfig:
    """Everything besides the data that decides a ranking; stored with each snapshot."""

    weights: Weights = field(default_factory=Weights)
    thresholds: Thresholds = field(default_factory=Thresholds)
    baseline_periods: int = 6
    change_cap: float = 5.0
    survey_reference: float = 2.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "weights": {f.name: getattr(self.weights, f.name) for f in fields(Weights)},
            "thresholds": {"yellow": self.thresholds.yellow, "red": self.thresholds.red},
            "baseline_periods": self.baseline_periods,
            "change_cap": self.change_cap,
            "survey_reference": self.survey_reference,
            "emerging_points": EMERGING_POINTS,
        }


def config_from_settings(settings: dict[str, Any] | None) -> PriorityConfig:
    """The defaults overridden by a tenant's `settings['priorities']`; bad values are a 400."""
    raw = (settings or {}).get("priorities") or {}
    try:
        weights = replace(Weights(), **{k: float(v) for k, v in raw.get("weights", {}).items()})
        thresholds = replace(
            Thresholds(), **{k: float(v) for k, v in raw.get("thresholds", {}).items()}
        )
        config = PriorityConfig(
            weights=weights,
            thresholds=thresholds,
            baseline_periods=int(raw.get("baseline_periods", 6)),
        )
    except (TypeError, ValueError) as exc:
        raise GeoServiceError(
            "invalid_priority_settings",
            f"The municipality's priority settings are invalid: {exc}.",
        ) from None
    if config.thresholds.red < config.thresholds.yellow or config.baseline_periods < 1:
        raise GeoServiceError(
            "invalid_priority_settings",
            "Priority thresholds need red ≥ yellow and baseline_periods ≥ 1.",
        )
    return config
