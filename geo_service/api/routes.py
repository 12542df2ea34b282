"""Route declarations the routers share: a route's summary is its docstring's first paragraph
(so a decorator names only the path and the responses), and a list endpoint is one line."""

import inspect
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from fastapi.routing import APIRoute

from geo_service.api.schemas.examples import json_example


class DocRoute(APIRoute):
    """An API route whose OpenAPI summary is the first paragraph of its endpoint's docstring
    (without the closing full stop) and whose description is the rest."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        first, _, rest = inspect.cleandoc(endpoint.__doc__ or "").partition("\n\n")
        if kwargs.get("summary") is None and first:
            kwargs["summary"] = " ".join(first.split()).removesuffix(".")
            if kwargs.get("description") is None:
                kwargs["description"] = rest or first
        super().__init__(path, endpoint, **kwargs)


def api_router(**kwargs: Any) -> APIRouter:
    """An APIRouter whose routes take their summaries from their docstrings (`DocRoute`)."""
    return APIRouter(route_class=DocRoute, **kwargs)


def get_list(
    router: APIRouter, path: str, item: type, example: dict[str, Any], summary: str
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """`router.get` of a list of `item`, with `example` as the one item of its 200 example."""
    responses: dict[int | str, dict[str, Any]] = {200: json_example([example])}
    return router.get(path, response_model=list[item], responses=responses, summary=summary)
