"""GeoJSON responses (RFC 7946): the media type and features built from query rows."""

from typing import Any

from fastapi.responses import JSONResponse


class GeoJSONResponse(JSONResponse):
    media_type = "application/geo+json"


def feature_collection(rows: list[dict[str, Any]], id_key: str, **members: Any) -> dict[str, Any]:
    """A FeatureCollection of rows that carry a `geometry` (taken out of the properties), the
    feature id from `id_key`, with `members` (run id, paging…) beside the features."""
    features = [
        {"type": "Feature", "id": r[id_key], "geometry": r.pop("geometry"), "properties": r}
        for r in rows
    ]
    return {"type": "FeatureCollection", "features": features, **members}
