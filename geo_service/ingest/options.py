"""What the user said about an import, and the settings it runs with."""

from dataclasses import dataclass, field

from geo_service.config import Settings, get_settings
from geo_service.ingest.mapping import Mapping


@dataclass
class ImportOptions:
    """What the user said about the import; `settings` are the service's (passed in by callers)."""

    municipality_code: str
    source: str
    kind: str
    mapping: Mapping | None = None
    crs: int | None = None
    sheet: str | None = None
    filename: str | None = None
    created_by: str | None = None
    chunk_rows: int | None = None
    bulk: bool | None = None
    """Load as a new partition (only into a municipality without events); None decides by
    size, True also for small files, False never."""
    settings: Settings = field(default_factory=get_settings, repr=False)
    """Chunk size, future tolerance and outside margin; the process's settings by default."""
