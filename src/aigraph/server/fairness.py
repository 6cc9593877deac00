"""Sharing the query workers between clients: no one client holds them all.

A worker runs one query at a time, up to the time limit. Without a share, one client sending
as many pathological queries at once as there are workers, again and again, would keep every
worker busy: every other client would wait the whole time limit, or be refused (measured in
docs/serving.md, "Safety model"). So a client — an IP address, as uvicorn reports it (behind
a proxy it trusts, the address in ``X-Forwarded-For``) — runs at most `limit` queries at
once; its further queries wait for one of its own to finish, within their time limit, then
are refused with 429 Too Many Requests (RFC 6585 §4). Other clients are not held up by them.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field


class ClientBusyError(Exception):
    """The client's share of the workers stayed in use for the whole time limit."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


@dataclass
class _Share:
    slots: asyncio.Semaphore
    users: int = 0  # requests holding or waiting for a slot; the share is dropped at 0


@dataclass
class ClientShares:
    """At most `limit` queries at once for each client (0: no limit). Each `acquire` that
    returns is matched by one `release`, when the answer has been sent to the end (a streamed
    answer keeps its worker, hence its slot, until its last chunk)."""

    limit: int
    _shares: dict[str, _Share] = field(default_factory=dict)

    async def acquire(self, client: str, timeout: float) -> float:
        """Take one of `client`'s slots; returns the seconds spent waiting for it. Raises
        ClientBusyError if none came free within `timeout` seconds."""
        if self.limit == 0:
            return 0.0
        share = self._shares.get(client)
        if share is None:
            share = self._shares[client] = _Share(asyncio.Semaphore(self.limit))
        share.users += 1
        if not share.slots.locked():
            await share.slots.acquire()  # free: taken at once, without a wait
            return 0.0
        loop = asyncio.get_running_loop()
        start = loop.time()
        try:
            await asyncio.wait_for(share.slots.acquire(), timeout)
        except BaseException as exc:  # the time limit, or the client gone (cancelled)
            self._leave(client, share)
            if isinstance(exc, TimeoutError):
                raise ClientBusyError(self.limit) from None
            raise
        return loop.time() - start

    def release(self, client: str) -> None:
        if self.limit == 0:
            return
        share = self._shares[client]
        share.slots.release()
        self._leave(client, share)

    def _leave(self, client: str, share: _Share) -> None:
        share.users -= 1
        if share.users == 0:  # the table holds only clients with a query in flight
            del self._shares[client]

    def clients(self) -> int:
        """How many clients have a query running or waiting."""
        return len(self._shares)
