"""GET the category palette and vocabulary that every output uses (public, no token needed)."""

from typing import Any

from geo_service.api.routes import api_router
from geo_service.palette import palette_json

router = api_router(tags=["palette"])


@router.get(
    "/palette", responses={200: {"content": {"application/json": {"example": palette_json()}}}}
)
def palette() -> dict[str, Any]:
    """Category colours and labels.

    Colours, Swedish and English labels and the uncertain variants of the categories, the
    cluster colours and the level colours: the dashboard draws from these, as do the report maps
    and the QGIS styles."""
    return palette_json()
