"""Archive limits read from the zip's own directory, before zipfile (and openpyxl) open it."""

import zipfile
from pathlib import Path

import pytest

from geo_service.errors import TooLarge
from geo_service.ingest.limits import MAX_ZIP_ENTRIES, check_archive


def _zip(path: Path, members: int) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for i in range(members):
            archive.writestr(f"m{i}", b"")
    return path


def test_a_zip_with_a_few_members_passes(tmp_path: Path) -> None:
    check_archive(_zip(tmp_path / "few.xlsx", 20))


def test_a_zip_with_too_many_members_is_refused(tmp_path: Path) -> None:
    with pytest.raises(TooLarge) as refused:
        check_archive(_zip(tmp_path / "many.xlsx", MAX_ZIP_ENTRIES + 1))
    assert refused.value.code == "too_many_entries"


def test_a_forged_member_count_does_not_hide_a_huge_directory(tmp_path: Path) -> None:
    """zipfile reads the directory by its byte size, so the count in the end record (here
    forged to 1) must not be the only check."""
    path = _zip(tmp_path / "forged.xlsx", 8 * MAX_ZIP_ENTRIES)
    data = bytearray(path.read_bytes())
    end = data.rfind(b"PK\x05\x06")
    data[end + 8 : end + 12] = (1).to_bytes(2, "little") * 2  # this disk's count and the total
    path.write_bytes(bytes(data))
    with pytest.raises(TooLarge) as refused:
        check_archive(path)
    assert refused.value.code == "too_many_entries"
