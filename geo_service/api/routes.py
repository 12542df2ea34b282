"""Route declarations the routers share, so a list endpoint is declared in one line."""

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter

from geo_service.api.schemas.examples import json_example


def get_list(
    router: APIRouter, path: str, item: type, example: dict[str, Any], summary: str
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """`router.get` of a list of `item`, with `example` as the one item of its 200 example."""
    responses: dict[int | str, dict[str, Any]] = {200: json_example([example])}
    return router.get(path, response_model=list[item], responses=responses, summary=summary)
