"""Settings, read once from the environment (prefix GEO_SERVICE_) or a .env file."""

from functools import lru_cache
from zoneinfo import ZoneInfo

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

TIMEZONE = "Europe/Stockholm"
"""The calendar of periods, meetings and dates: naive times in files are read in it, and SQL
turns stored UTC times into its dates (`AT TIME ZONE :tz`). The pure analysis package keeps its
own copy (geo_service.analysis.periods.TIMEZONE) so that it imports nothing from here."""
STOCKHOLM = ZoneInfo(TIMEZONE)


class Settings(BaseSettings):
    """Every tunable of the service; nothing else reads os.environ."""

    model_config = SettingsConfigDict(env_prefix="GEO_SERVICE_", env_file=".env", extra="ignore")

    database_url: str = Field(
        "postgresql+psycopg://postgres@127.0.0.1:5432/geo_service",
        description="SQLAlchemy URL of the PostGIS database.",
    )
    test_database_url: str | None = Field(
        None, description="Server on which the test suite creates its throwaway database."
    )
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    k_suppression: int = Field(3, ge=1, description="Counts below k are hidden in public outputs.")
    cors_origins: list[str] = Field(
        default_factory=list,
        description="Origins (https://host) whose pages may call the API from a browser; "
        "none by default. As JSON: GEO_SERVICE_CORS_ORIGINS='[\"https://karta.example.se\"]'.",
    )
    runs_kept: int = Field(10, ge=1, description="Completed analysis runs kept per municipality.")
    retention_days: int = Field(
        3 * 365, ge=30, description="Age after which free text and exact points are removed."
    )
    max_upload_mb: int = 200
    max_body_kb: int = Field(1024, ge=1, description="Largest non-upload request body (413).")
    write_rate_per_minute: float = Field(
        120, gt=0, description="Sustained write requests per minute per token (429 beyond)."
    )
    write_burst: int = Field(30, ge=1, description="Write requests a token may send at once.")
    worker_threads: int = Field(
        40,
        ge=1,
        description="Threads per process for blocking work such as database calls; keep it "
        "at most db_pool_size + db_max_overflow so that no thread waits for a connection.",
    )
    db_pool_size: int = Field(10, ge=1, description="Database connections kept open per process.")
    db_max_overflow: int = Field(
        30, ge=0, description="Extra connections opened under load, closed when returned."
    )
    read_pool_size: int = Field(
        4, ge=1, description="Connections kept for the short reads of cached answers."
    )
    render_processes: int = Field(
        1, ge=1, le=16, description="Processes that render PDFs (at low CPU priority)."
    )
    render_slots: int = Field(
        2, ge=1, description="PDFs and large GeoJSON documents rendered at once per process."
    )
    render_wait_seconds: float = Field(
        2.0, ge=0, description="How long a render waits for a slot before 503 server_busy."
    )
    render_cache_size: int = Field(
        64, ge=0, description="Rendered PDFs and GeoJSON documents kept per process."
    )
    tile_cache_size: int = Field(50_000, ge=0, description="Rendered tiles kept per process.")
    events_tile_seconds: int = Field(60, ge=0, description="Lifetime of cached event tiles.")
    auth_cache_seconds: int = Field(
        10, ge=0, description="How long a process reuses a token check and a tenant's k."
    )
    token_days: int = Field(365, ge=1, description="Days a new token is valid (401 after).")
    public_base_url: str | None = Field(
        None,
        description="The address clients reach the service at, e.g. https://karta.kommun.se; "
        "TileJSON builds its tile URLs from it (default: http://<host>:<port>), never from "
        "the request's Host header.",
    )
    future_tolerance_hours: int = 24
    outside_margin_m: float = 500.0
    ingest_chunk_rows: int = 100_000

    @property
    def base_url(self) -> str:
        """Where clients reach the service: the configured public base URL, else the host and
        port served on (a wildcard address, which no client can reach, as 127.0.0.1)."""
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
        return (self.public_base_url or f"http://{host}:{self.port}").rstrip("/") + "/"


@lru_cache
def get_settings() -> Settings:
    return Settings()
