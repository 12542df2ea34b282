"""Upload bombs end with a 4xx that names the limit while the server's memory stays bounded.

The server runs in a process of its own (uvicorn), so that its peak resident memory can be
read from /proc (VmHWM, reset before each request through clear_refs): bounded memory is what
these limits are for, so the tests assert it (under 1 GiB above the idle server).
"""

import os
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

from geo_service.ingest.limits import MAX_COLUMNS, MAX_DEPTH, MAX_UNPACKED_MB
from tests.conftest import make_tokens
from tests.db.test_ingest_files import make_tenant

MC = "9871"
GIB = 1 << 30
CSV_OK = "Datum;Brottstyp;Lat;Lon\n2025-05-12 21:30;Skadegörelse;56.133;13.383\n"


@dataclass
class Server:
    """The service in its own process, with a staff token of municipality MC."""

    pid: int
    url: str
    token: str

    def status(self, field: str) -> int:
        """A /proc/<pid>/status field in bytes (VmRSS, VmHWM)."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
        raise AssertionError(f"{field} not in /proc/{self.pid}/status")

    def request(
        self, method: str, path: str, headers: dict[str, str] | None = None, **kw: object
    ) -> tuple[httpx.Response, int]:
        """The response and the server's peak memory above its resident size before it."""
        Path(f"/proc/{self.pid}/clear_refs").write_text("5")  # VmHWM := VmRSS
        idle = self.status("VmRSS")
        headers = {"Authorization": f"Bearer {self.token}", **(headers or {})}
        response = httpx.request(
            method, f"{self.url}{path}?municipality={MC}", headers=headers, timeout=300, **kw
        )
        return response, self.status("VmHWM") - idle

    def upload(
        self, name: str, content: bytes | Path, **files: object
    ) -> tuple[httpx.Response, int]:
        data = content.read_bytes() if isinstance(content, Path) else content
        return self.request(
            "POST",
            "/api/v1/imports",
            files={"file": (name, data, "application/octet-stream"), **files},
            data={"source": "bomb_test", "kind": "incident"},
        )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(
    engine: Engine, database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    make_tenant(engine, MC)
    token = make_tokens(engine, MC, {"analyst": ("analyst", "Org")})["analyst"]
    port = _free_port()
    env = os.environ | {"GEO_SERVICE_DATABASE_URL": database_url}
    command = [sys.executable, "-m", "uvicorn", "geo_service.api.app:create_app", "--factory"]
    process = subprocess.Popen(
        [*command, "--port", str(port), "--log-level", "warning"],
        env=env,
        cwd=tmp_path_factory.mktemp("server"),  # no .env of the project
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{url}/api/v1/health", timeout=5).status_code < 500:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise AssertionError("the server did not start")
        yield Server(process.pid, url, token)
    finally:
        process.terminate()
        process.wait(30)


def _assert_refused(
    response: httpx.Response, growth: int, status: int, code: str, limit: object
) -> None:
    print(f"{code}: {response.status_code}, peak {growth / (1 << 20):.0f} MiB above idle")
    assert response.status_code == status, response.text
    body = response.json()
    assert response.headers["content-type"].startswith("application/problem+json")
    assert body["code"] == code and str(limit) in body["detail"], body
    assert growth < GIB


def test_a_csv_with_ten_thousand_columns_is_refused_from_its_header(server: Server) -> None:
    columns = 10_000
    header = ";".join(f"kolumn{i}" for i in range(columns))
    row = ";".join("1" for _ in range(columns))
    body = "\n".join([header, *[row] * 500]).encode()
    assert len(body) > 10_000_000
    response, growth = server.upload("wide.csv", body)
    _assert_refused(response, growth, 413, "too_many_columns", MAX_COLUMNS)


ROW = b'<row><c t="inlineStr"><is><t>Skadegorelse</t></is></c><c><v>56.133</v></c></row>'


def _xlsx(path: Path, sheet_mb: int, rows: bytes = ROW) -> Path:
    """A workbook whose one sheet is `sheet_mb` MB of `rows` over and over, streamed into
    the zip."""
    parts = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats'
        '.org/package/2006/content-types"><Default Extension="rels" ContentType="application/'
        'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
        '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd'
        '.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl'
        '/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats'
        '.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target='
        '"xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats'
        '.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships"><sheets><sheet name="Data" sheetId="1" r:id="rId1"/>'
        "</sheets></workbook>",
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas'
        '.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
        'schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target='
        '"worksheets/sheet1.xml"/></Relationships>',
    }
    block = rows * max(1, (1 << 20) // len(rows))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(
                b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                b'spreadsheetml/2006/main"><sheetData>'
            )
            for _ in range(sheet_mb):
                sheet.write(block)
            sheet.write(b"</sheetData></worksheet>")
    return path


def test_an_xlsx_zip_bomb_is_refused_before_it_is_unpacked(server: Server, tmp_path: Path) -> None:
    bomb = _xlsx(tmp_path / "bomb.xlsx", 1100)
    assert bomb.stat().st_size < 5_000_000
    response, growth = server.upload("bomb.xlsx", bomb)
    _assert_refused(response, growth, 413, "unpacked_too_large", MAX_UNPACKED_MB)


def test_an_xlsx_packed_far_tighter_than_real_data_is_refused(
    server: Server, tmp_path: Path
) -> None:
    bomb = _xlsx(tmp_path / "tight.xlsx", 200)  # under the unpacked limit, 1000 times packed
    response, growth = server.upload("tight.xlsx", bomb)
    _assert_refused(response, growth, 413, "compression_ratio", 100)


BILLION_LAUGHS = "\n".join(
    ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [
        f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]"
        for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
    ]
    + ["columns: {category: *i}"]
)


def test_a_yaml_alias_bomb_is_refused(server: Server) -> None:
    assert len(BILLION_LAUGHS) < 600
    mapping = ("mapping.yaml", BILLION_LAUGHS.encode(), "application/yaml")
    response, growth = server.upload("ok.csv", CSV_OK.encode(), mapping=mapping)
    _assert_refused(response, growth, 413, "too_many_values", "10000")


def test_a_json_mapping_nested_too_deep_is_refused(server: Server) -> None:
    mapping = ("mapping.json", b"[" * 50_000 + b"]" * 50_000, "application/json")
    response, growth = server.upload("ok.csv", CSV_OK.encode(), mapping=mapping)
    _assert_refused(response, growth, 422, "too_deeply_nested", MAX_DEPTH)


def test_a_json_file_nested_too_deep_is_refused(server: Server) -> None:
    nested = b'[{"id": 1, "location": ' + b'{"a": ' * 100_000 + b"1" + b"}" * 100_001 + b"]"
    response, growth = server.upload("feed.json", nested)
    _assert_refused(response, growth, 422, "too_deeply_nested", MAX_DEPTH)


def test_a_json_body_nested_too_deep_is_refused(server: Server) -> None:
    body = b'{"observations": ' + b"[" * 200_000 + b"]" * 200_000 + b"}"
    response, growth = server.request(
        "POST", "/api/v1/observations", content=body, headers={"Content-Type": "application/json"}
    )
    _assert_refused(response, growth, 422, "too_deeply_nested", MAX_DEPTH)


def test_a_csv_at_the_column_limit_is_imported(server: Server) -> None:
    extra = MAX_COLUMNS - 4
    header = "Datum;Brottstyp;Lat;Lon;" + ";".join(f"extra{i}" for i in range(extra))
    row = "2025-05-12 21:30;Skadegörelse;56.133;13.383;" + ";".join("x" * extra)
    response, growth = server.upload("wide_ok.csv", f"{header}\n{row}\n".encode())
    assert response.status_code == 201, response.text
    assert response.json()["stored"] == 1
    assert growth < GIB
