"""Each client's share of the query workers (aigraph.server.fairness), without a server: who
waits, who is refused, and that nothing is left behind. The server-side behaviour is in
tests/test_server_safety.py (a client cannot hold every worker) and
tests/test_server_streaming.py (a streamed answer holds its share to the end)."""

from __future__ import annotations

import asyncio

import pytest

from aigraph.server.fairness import ClientBusyError, ClientShares


def run(scenario: object) -> object:
    return asyncio.run(scenario)  # type: ignore[arg-type]


def test_no_limit_never_waits_nor_keeps_anything() -> None:
    async def scenario() -> list[float]:
        shares = ClientShares(0)
        waits = [await shares.acquire("a", 0.01) for _ in range(50)]
        assert shares.clients() == 0
        return waits

    assert run(scenario()) == [0.0] * 50


@pytest.mark.parametrize(
    ("limit", "second_client", "outcome"),
    [
        (1, "a", "refused"),  # the same client, its one slot taken
        (1, "b", "at once"),  # another client has its own share
        (2, "a", "at once"),  # the same client, a second slot free
    ],
)
def test_who_waits(limit: int, second_client: str, outcome: str) -> None:
    async def scenario() -> str:
        shares = ClientShares(limit)
        await shares.acquire("a", 1)
        try:
            waited = await shares.acquire(second_client, 0.05)
        except ClientBusyError as exc:
            assert exc.limit == limit
            assert shares.clients() == 1  # the refused request left nothing behind
            return "refused"
        assert waited == 0.0
        return "at once"

    assert run(scenario()) == outcome


def test_a_waiting_query_runs_when_its_clients_first_ends() -> None:
    async def scenario() -> tuple[float, int, int]:
        shares = ClientShares(1)
        await shares.acquire("a", 1)
        asyncio.get_running_loop().call_later(0.05, shares.release, "a")
        waited = await shares.acquire("a", 1)
        holding = shares.clients()
        shares.release("a")
        return waited, holding, shares.clients()

    waited, holding, after = run(scenario())  # type: ignore[misc]
    assert 0.04 < waited < 0.5
    assert (holding, after) == (1, 0)


def test_a_client_that_leaves_while_waiting_leaves_nothing() -> None:
    """A request cancelled while it waits (its client went away) takes no slot and no
    place in the table: the slot goes to the next in line."""

    async def scenario() -> tuple[int, float]:
        shares = ClientShares(1)
        await shares.acquire("a", 1)
        gone = asyncio.create_task(shares.acquire("a", 5))
        await asyncio.sleep(0.01)
        gone.cancel()
        with pytest.raises(asyncio.CancelledError):
            await gone
        shares.release("a")
        left = shares.clients()
        waited = await shares.acquire("a", 0.05)  # the slot is free: nobody kept it
        return left, waited

    assert run(scenario()) == (0, 0.0)


def test_many_clients_come_and_go_and_the_table_empties() -> None:
    async def scenario() -> tuple[int, int]:
        shares = ClientShares(1)
        peak = 0

        async def query(client: str) -> None:
            nonlocal peak
            await shares.acquire(client, 5)
            peak = max(peak, shares.clients())
            await asyncio.sleep(0.001)
            shares.release(client)

        await asyncio.gather(*(query(f"10.0.0.{i % 50}") for i in range(500)))
        return peak, shares.clients()

    peak, left = run(scenario())  # type: ignore[misc]
    assert 1 < peak <= 50 and left == 0
