"""Work whose cost grows with what a client sent, kept off the event loop when it is large.

The event loop answers every request; anything it computes, every other request waits
for. Reading a long query, parsing a long form, compressing a large chunk: each is cheap
when small (a thread's hand-over would cost more) and holds the loop for seconds when a
client makes it large (docs/serving.md, "Safety model")."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


async def sized(
    size: int, on_loop_up_to: int, function: Callable[P, T], *args: P.args, **kwargs: P.kwargs
) -> T:
    """`function(*args, **kwargs)`: on the event loop when `size` is at most
    `on_loop_up_to`, else in a thread."""
    if size > on_loop_up_to:
        return await asyncio.to_thread(function, *args, **kwargs)
    return function(*args, **kwargs)
