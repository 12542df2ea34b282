"""GET the category palette and vocabulary that every output uses (public, no token needed)."""

from typing import Any

from fastapi import APIRouter

from geo_service.palette import palette_json

router = APIRouter(tags=["palette"])


@router.get(
    "/palette",
    summary="Category colours and labels",
    responses={200: {"content": {"application/json": {"example": palette_json()}}}},
)
def palette() -> dict[str, Any]:
    """Colours, Swedish and English labels and the uncertain variants of the categories, the
    cluster colours and the level colours: the dashboard draws from these, as do the report maps
    and the QGIS styles."""
    return palette_json()
