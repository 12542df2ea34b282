"""Limits on what an input may make the service hold in memory, checked before it is parsed.

A small file can stand for a very large one: a CSV header with thousands of columns, an XLSX
(a zip) whose sheet unpacks to gigabytes, a YAML mapping whose aliases nest, JSON nested so
deep that parsers recurse. Each check here looks at the cheap outline of the input (the header
line, the zip's directory, the YAML events, the JSON brackets) and refuses it with an error that
names the limit, before a parser builds anything in memory.
"""

import re
import struct
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from geo_service.errors import TooLarge, Unprocessable

MAX_COLUMNS = 500
"""Columns of a CSV header or a sheet (an event has about 20 fields)."""
MAX_UNPACKED_MB = 300
"""Total unpacked size of an XLSX workbook or a zipped Shapefile."""
MAX_COMPRESSION_RATIO = 100
"""Unpacked size over packed size of one zip member (sheets of real data pack 5–20 times);
checked for members of more than `RATIO_FLOOR_MB` unpacked."""
RATIO_FLOOR_MB = 10
MAX_ZIP_ENTRIES = 10_000
"""Members of a zip (its directory is read into memory)."""
MAX_YAML_NODES = 10_000
"""Values of a mapping file, every alias expanded (a real mapping has a few hundred)."""
MAX_YAML_ALIASES = 50
"""Aliases (`*name`) in a mapping file."""
MAX_DEPTH = 64
"""Nesting of JSON (files and request bodies) and YAML."""
MAX_JSON_FILE_MB = 64
"""A JSON file (the police events feed) is parsed whole; larger ones are refused."""

_MB = 1024 * 1024
_DIRECTORY_BYTES_PER_ENTRY = 256
"""Room for one member's directory record: 46 bytes, its name and extra fields (an XLSX part
name is under 40 characters)."""


def check_columns(count: int) -> None:
    """Refuse a table with more than `MAX_COLUMNS` columns."""
    if count > MAX_COLUMNS:
        raise TooLarge(
            "too_many_columns",
            f"Filen har {count} kolumner; gränsen är {MAX_COLUMNS} kolumner.",
        )


def csv_header_columns(header: str, sep: str) -> int:
    """How many fields the header line has (quotes respected), without splitting the body."""
    import csv

    return len(next(csv.reader([header], delimiter=sep), []))


def _zip_entries(path: Path) -> int | None:
    """The member count in the zip's end-of-directory record (None if there is none), or more
    when its directory is larger than that many members take: zipfile reads the directory by
    its size, so a forged count alone must not let a huge directory through."""
    size = path.stat().st_size
    with path.open("rb") as f:
        f.seek(max(0, size - (1 << 16) - 22))
        tail = f.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + 22 > len(tail):
        return None
    entries, directory_bytes = struct.unpack("<HI", tail[at + 10 : at + 16])
    return max(entries, directory_bytes // _DIRECTORY_BYTES_PER_ENTRY)


def check_archive(path: Path) -> None:
    """Refuse a zip (XLSX, zipped Shapefile) that unpacks to more than `MAX_UNPACKED_MB` in
    all, has a member packed more than `MAX_COMPRESSION_RATIO` times, or more than
    `MAX_ZIP_ENTRIES` members. The sizes are the zip's declared ones, which Python's zipfile
    (and so openpyxl) never reads past. A file that is no zip is left to its reader."""
    entries = _zip_entries(path)
    if entries is None:
        return
    if entries > MAX_ZIP_ENTRIES:  # 0xFFFF: a ZIP64 directory, which has more still
        raise TooLarge(
            "too_many_entries",
            f"Arkivet har {entries} filer; gränsen är {MAX_ZIP_ENTRIES}.",
        )
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    unpacked = sum(m.file_size for m in members)
    if unpacked > MAX_UNPACKED_MB * _MB:
        raise TooLarge(
            "unpacked_too_large",
            f"Filen packas upp till {unpacked // _MB} MB; gränsen är {MAX_UNPACKED_MB} MB "
            "uppackat. Dela upp den eller spara den som CSV.",
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_FLOOR_MB * _MB and ratio > MAX_COMPRESSION_RATIO:
            raise TooLarge(
                "compression_ratio",
                f"En del av filen är packad {ratio:.0f} gånger (zip-bomb?); gränsen är "
                f"{MAX_COMPRESSION_RATIO} gånger för delar över {RATIO_FLOOR_MB} MB.",
            )


_ESCAPES = re.compile(rb'\\[\\"]')
_STRINGS = re.compile(rb'"[^"]*"')
_NOT_BRACKET = re.compile(rb"[^\[\]{}]+")
_BLOCK = 1 << 22


def json_depth(data: bytes) -> int:
    """How deep the brackets of a JSON text nest (outside strings), in bounded memory."""
    brackets = _NOT_BRACKET.sub(b"", _STRINGS.sub(b"", _ESCAPES.sub(b"", data)))
    deepest = depth = 0
    for start in range(0, len(brackets), _BLOCK):
        block = np.frombuffer(brackets[start : start + _BLOCK], np.uint8)
        steps = np.where((block == ord("[")) | (block == ord("{")), 1, -1).astype(np.int32)
        levels = depth + np.cumsum(steps)
        deepest = max(deepest, int(levels.max()))
        depth = int(levels[-1])
    return deepest


def check_json_depth(data: bytes, message: str) -> None:
    """Refuse JSON nested deeper than `MAX_DEPTH`, with `message` (which names the limit)."""
    if json_depth(data) > MAX_DEPTH:
        raise Unprocessable("too_deeply_nested", message)


def check_json_file(path: Path) -> None:
    """Refuse a JSON file over `MAX_JSON_FILE_MB` or nested deeper than `MAX_DEPTH`."""
    size = path.stat().st_size
    if size > MAX_JSON_FILE_MB * _MB:
        raise TooLarge(
            "json_too_large",
            f"JSON-filen är {size // _MB} MB; gränsen är {MAX_JSON_FILE_MB} MB. "
            "Spara stora filer som CSV eller GeoPackage.",
        )
    message = f"JSON-filen är nästlad djupare än gränsen {MAX_DEPTH} nivåer."
    check_json_depth(path.read_bytes(), message)


class _BoundedLoader(yaml.SafeLoader):
    """yaml.SafeLoader that counts while it composes: aliases, depth, and the values the
    document stands for with every alias expanded (each node's size is counted once)."""

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self.aliases = 0
        self.depth = 0
        self.sizes: dict[int, int] = {}

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_YAML_ALIASES:
                raise Unprocessable(
                    "too_many_aliases",
                    f"Mappningsfilen har fler än {MAX_YAML_ALIASES} alias (*namn).",
                )
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise Unprocessable(
                "too_deeply_nested",
                f"Mappningsfilen är nästlad djupare än {MAX_DEPTH} nivåer.",
            )
        node = super().compose_node(parent, index)
        self.depth -= 1
        if self._size(node) > MAX_YAML_NODES:
            raise TooLarge(
                "too_many_values",
                f"Mappningsfilen har fler än {MAX_YAML_NODES} värden (alias utvecklade).",
            )
        return node

    def _size(self, node: yaml.Node) -> int:
        """Values under `node`, aliases expanded; children are already counted."""
        known = self.sizes.get(id(node))
        if known is not None:
            return known
        if isinstance(node, yaml.SequenceNode):
            size = 1 + sum(self.sizes.get(id(child), 1) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            size = 1 + sum(
                self.sizes.get(id(k), 1) + self.sizes.get(id(v), 1) for k, v in node.value
            )
        else:
            size = 1
        self.sizes[id(node)] = size
        return size


def load_yaml(text: str) -> Any:
    """`yaml.safe_load` within `MAX_YAML_ALIASES`, `MAX_YAML_NODES` and `MAX_DEPTH`."""
    loader = _BoundedLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()
