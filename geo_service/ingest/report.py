"""The import report: what happened to every row read; the numbers always add up."""

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class ImportReport:
    """Counts per outcome, quarantine reasons, geocode methods and warnings of one import."""

    batch_id: int | None = None
    municipality_code: str = ""
    source: str = ""
    kind: str = ""
    filename: str | None = None
    format: str = ""
    rows_read: int = 0
    stored: int = 0
    updated: int = 0
    unchanged: int = 0
    quarantined: int = 0
    quarantine_reasons: dict[str, int] = field(default_factory=dict)
    geocode_methods: dict[str, int] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def adds_up(self) -> bool:
        """rows read = stored + updated + unchanged + quarantined."""
        total = self.stored + self.updated + self.unchanged + self.quarantined
        return total == self.rows_read and sum(self.quarantine_reasons.values()) == self.quarantined

    def count_reasons(self, reasons: dict[str, int]) -> None:
        for reason, n in reasons.items():
            self.quarantine_reasons[reason] = self.quarantine_reasons.get(reason, 0) + int(n)
            self.quarantined += int(n)

    def count_methods(self, methods: dict[str, int]) -> None:
        for method, n in methods.items():
            self.geocode_methods[method] = self.geocode_methods.get(method, 0) + int(n)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
