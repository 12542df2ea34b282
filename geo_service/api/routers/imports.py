"""POST /api/v1/imports: upload a file (multipart) and get the import report back."""

import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import File, Form, UploadFile

from geo_service.api.auth import audit
from geo_service.api.deps import SessionDep, SettingsDep, Staff
from geo_service.api.problems import NOT_FOUND, TENANT_ERRORS, problem_responses
from geo_service.api.routes import api_router, get_list
from geo_service.api.schemas import examples as ex
from geo_service.api.schemas.fields import INT4_MAX, BigPathId, Text
from geo_service.api.schemas.ingest import ImportReportOut, ImportSummary
from geo_service.errors import NotFoundError, TooLarge
from geo_service.ingest.batches import recent_batches, stored_report
from geo_service.ingest.mapping import load_mapping
from geo_service.ingest.pipeline import ImportOptions, ingest_file

router = api_router(tags=["imports"], responses=TENANT_ERRORS)
_SUFFIXES = {
    ".csv",
    ".txt",
    ".tsv",
    ".xlsx",
    ".xlsm",
    ".json",
    ".geojson",
    ".gpkg",
    ".zip",
    ".fgb",
    ".yaml",
    ".yml",
}


def _save(upload: UploadFile, folder: Path, limit: int, default_suffix: str) -> Path:
    """Copy an upload to `folder`, stopping with 413 past `limit` bytes."""
    suffix = Path(upload.filename or "").suffix.lower()
    suffix = suffix if suffix in _SUFFIXES else default_suffix
    path = folder / f"upload{len(list(folder.iterdir()))}{suffix}"
    written = 0
    with path.open("wb") as out:
        while block := upload.file.read(1 << 20):
            written += len(block)
            if written > limit:
                raise TooLarge(
                    "upload_too_large",
                    f"Filen är större än gränsen {limit // (1024 * 1024)} MB; dela upp den "
                    "eller importera med kommandot geo-service ingest.",
                )
            out.write(block)
    return path


@router.post(
    "/imports",
    response_model=ImportReportOut,
    status_code=201,
    responses={
        201: ex.json_example(ex.IMPORT_REPORT),
        **problem_responses(
            (400, 413, 429),
            examples={
                400: ("no_rows", "Filen har en rubrikrad men inga rader med data."),
                413: (
                    "upload_too_large",
                    "Filen är större än gränsen 50 MB; dela upp "
                    "den eller importera med kommandot "
                    "geo-service ingest.",
                ),
            },
        ),
    },
)
def create_import(
    principal: Staff,
    session: SessionDep,
    settings: SettingsDep,
    kind: Annotated[
        Text,
        Form(
            max_length=40,
            description="incident, observation, tip, fault_report, walk_finding or survey",
        ),
    ],
    file: UploadFile = File(
        ...,
        description="CSV, XLSX, GeoJSON, GeoPackage, zipped Shapefile "
        "or the police events feed JSON.",
    ),
    source: str = Form(..., min_length=1, max_length=80, pattern=r"^[a-z0-9_\-]+$"),
    crs: int | None = Form(
        None, ge=1, le=INT4_MAX, description="EPSG of the coordinates; detected if left out."
    ),
    sheet: Annotated[Text | None, Form(max_length=100)] = None,
    mapping: UploadFile | None = File(None, description="Column mapping, YAML or JSON."),
) -> ImportReportOut:
    """Import a file.

    Import an uploaded file; every row is stored or quarantined and the report says which."""
    limit = settings.max_upload_mb * 1024 * 1024
    mc = principal.tenant
    with tempfile.TemporaryDirectory(prefix="geo_service_upload_") as folder:
        path = _save(file, Path(folder), limit, ".csv")
        given = mapping is not None and mapping.filename
        mapping_path = _save(mapping, Path(folder), 1 << 20, ".yaml") if given else None
        options = ImportOptions(
            municipality_code=mc,
            source=source,
            kind=kind,
            crs=crs,
            sheet=sheet,
            filename=Path(file.filename or path.name).name.replace("\x00", ""),
            created_by=principal.actor,
            mapping=load_mapping(mapping_path) if mapping_path else None,
            settings=settings,
        )
        report = ingest_file(session.get_bind(), path, options)
    audit(
        session,
        principal,
        "import",
        f"ingest_batch/{report.batch_id}",
        {"rows_read": report.rows_read, "filename": options.filename},
    )
    return ImportReportOut(**report.as_dict())


@get_list(router, "/imports", ImportSummary, ex.IMPORT_SUMMARY, "List imports")
def list_imports(principal: Staff, session: SessionDep) -> list[ImportSummary]:
    """The latest 100 imports of the municipality, newest first."""
    return [ImportSummary(**r) for r in recent_batches(session.connection(), principal.tenant)]


@router.get("/imports/{batch_id}", response_model=ImportReportOut, responses=NOT_FOUND)
def get_import(batch_id: BigPathId, principal: Staff, session: SessionDep) -> ImportReportOut:
    """One import's report.

    The stored report of one import."""
    report = stored_report(session.connection(), principal.tenant, batch_id)
    if report is None:
        raise NotFoundError("import", batch_id)
    return ImportReportOut(**report)
