"""One route per HTTP method, so that every OpenAPI operation has its own id.

FastAPI derives an operation id from the function, the path and the *first* method of a route,
so a route declared for GET and HEAD (or PUT and POST) gives two operations the same id, which
OpenAPI forbids (OpenAPI 3.1 §4.8.10: "The id MUST be unique among all operations"). HEAD is
GET without a body (RFC 9110 §9.3.2): it is served but left out of the description, as is
QUERY (RFC 10008), which an OpenAPI 3.1 path item has no field for.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from fastapi import APIRouter

F = TypeVar("F", bound=Callable[..., Any])


def route(router: APIRouter, path: str, methods: Sequence[str], **options: Any) -> Callable[[F], F]:
    """Like ``router.api_route(path, methods=…)``, registered once per method."""
    in_schema = options.pop("include_in_schema", True)

    def register(func: F) -> F:
        for method in methods:
            router.add_api_route(
                path,
                func,
                methods=[method],
                include_in_schema=in_schema and method not in ("HEAD", "QUERY"),
                **options,
            )
        return func

    return register
