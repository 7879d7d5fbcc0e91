"""Deadline and DeadlineClock: the total timeout shared by a request's waits."""

from __future__ import annotations

import asyncio

import pytest

from aiohttp_client.timer import Deadline, DeadlineClock


class Expired(Exception):
    """The error the deadlines of these tests raise."""


async def _wait_under(deadline: Deadline) -> None:
    with deadline:
        await asyncio.sleep(10)


async def test_clock_fires_every_deadline_due_at_the_same_time() -> None:
    loop = asyncio.get_running_loop()
    clock = DeadlineClock(loop)
    when = loop.time() + 0.05
    first = Deadline(loop, None, 5, Expired)
    second = Deadline(loop, None, 5, Expired)
    clock.add(when, first)
    clock.add(when, second)
    tasks = [asyncio.create_task(_wait_under(d)) for d in (first, second)]
    results = await asyncio.wait_for(
        asyncio.gather(*tasks, return_exceptions=True), timeout=2
    )
    assert [type(r) for r in results] == [Expired, Expired]


async def test_clock_skips_a_discarded_deadline() -> None:
    loop = asyncio.get_running_loop()
    clock = DeadlineClock(loop)
    when = loop.time() + 0.05
    kept = Deadline(loop, None, 5, Expired)
    dropped = Deadline(loop, None, 5, Expired)
    clock.add(when, kept)
    clock.add(when, dropped)
    clock.discard(when, dropped)
    await asyncio.sleep(0.1)
    with pytest.raises(Expired):
        kept.__enter__()
    with dropped:  # never fired: entering it is fine
        pass


async def test_discard_after_firing_is_harmless() -> None:
    loop = asyncio.get_running_loop()
    clock = DeadlineClock(loop)
    when = loop.time() + 0.01
    deadline = Deadline(loop, None, 5, Expired)
    clock.add(when, deadline)
    await asyncio.sleep(0.05)
    clock.discard(when, deadline)
    with pytest.raises(Expired):
        deadline.__enter__()


async def test_ceiled_deadline_on_a_clock_fires_at_the_next_whole_second() -> None:
    loop = asyncio.get_running_loop()
    clock = DeadlineClock(loop)
    # ceil_threshold 0: every timeout is rounded up to a whole second of
    # loop time, so it waits on the clock rather than on a timer of its own.
    deadline = Deadline(loop, 0.01, 0, Expired, clock=clock)
    start = loop.time()
    with pytest.raises(Expired):
        await asyncio.wait_for(_wait_under(deadline), timeout=2)
    assert loop.time() >= start + 0.01


async def test_cancelled_deadline_on_a_clock_never_fires() -> None:
    loop = asyncio.get_running_loop()
    clock = DeadlineClock(loop)
    deadline = Deadline(loop, 0.01, 0, Expired, clock=clock)
    deadline.cancel()
    deadline.cancel()  # twice is fine
    with deadline:
        await asyncio.sleep(1.05)  # past the whole second it was due at


async def test_unceiled_deadline_given_a_clock_fires() -> None:
    loop = asyncio.get_running_loop()
    clock = DeadlineClock(loop)
    # Below ceil_threshold: not rounded, so it keeps a timer of its own.
    deadline = Deadline(loop, 0.05, 5, Expired, clock=clock)
    start = loop.time()
    with pytest.raises(Expired):
        await asyncio.wait_for(_wait_under(deadline), timeout=2)
    assert loop.time() >= start + 0.049  # (loop clock resolution)


async def test_cancelled_task_not_fired_keeps_its_cancellation() -> None:
    loop = asyncio.get_running_loop()
    deadline = Deadline(loop, 10, 5, Expired, clock=DeadlineClock(loop))
    task = asyncio.create_task(_wait_under(deadline))
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    deadline.cancel()
