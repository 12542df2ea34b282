"""Gzip for tiles: a client that sends `Accept-Encoding: gzip` gets the tile compressed.

The compressed tile is cached beside the plain one (same cache, key + "gzip"), so a tile is
compressed once per process. The gzip variant has an ETag of its own, and every tile response
varies on Accept-Encoding as well as on Authorization.
"""

import gzip
from collections.abc import Hashable

from geo_service.tiles.cache import LRUCache

VARY = "Authorization, Accept-Encoding"


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an Accept-Encoding value allows gzip (named, or `*`, with a q above 0)."""
    allowed: dict[str, bool] = {}
    for part in accept_encoding.lower().split(","):
        name, _, params = part.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if name:
            allowed[name.strip()] = q > 0
    return allowed.get("gzip", allowed.get("x-gzip", allowed.get("*", False)))


def gzip_etag(etag: str) -> str:
    """The ETag of a tile's gzip variant: the plain one with '-gz' inside the quotes."""
    return etag[:-1] + '-gz"' if etag.endswith('"') else etag + "-gz"


def compressed(cache: LRUCache[bytes], key: tuple[Hashable, ...], data: bytes) -> bytes:
    """The tile gzipped, from the cache or compressed now (and cached)."""
    gz_key = (*key, "gzip")
    found = cache.get(gz_key)
    if found is None:
        found = gzip.compress(data, compresslevel=6, mtime=0)
        cache.put(gz_key, found)
    return found
