"""Which Accept-Encoding values get gzipped tiles."""

import pytest

from geo_service.tiles.encoding import accepts_gzip, gzip_etag


@pytest.mark.parametrize(
    ("header", "gzip"),
    [
        ("gzip", True),
        ("br, gzip, deflate", True),
        ("gzip;q=0.5, identity", True),
        ("*", True),
        ("", False),
        ("identity", False),
        ("gzip;q=0", False),
        ("*, gzip;q=0", False),
        ("deflate, br", False),
    ],
)
def test_accepts_gzip(header: str, gzip: bool) -> None:
    assert accepts_gzip(header) is gzip


def test_the_gzip_variant_has_its_own_etag() -> None:
    assert gzip_etag('"places-1275-r3-a"') == '"places-1275-r3-a-gz"'
