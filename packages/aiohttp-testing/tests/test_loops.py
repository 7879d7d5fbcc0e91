"""loop_context, setup_test_loop and teardown_test_loop."""

from __future__ import annotations

import asyncio

from aiohttp_testing import loop_context, setup_test_loop, teardown_test_loop


def test_loop_context_runs_and_closes_a_fresh_loop() -> None:
    with loop_context() as loop:
        assert loop.run_until_complete(asyncio.sleep(0, "done")) == "done"
        leftover = loop.create_task(asyncio.sleep(60))
    assert loop.is_closed()
    assert leftover.cancelled()


def test_setup_makes_the_loop_current_and_teardown_closes_it() -> None:
    loop = setup_test_loop()
    try:
        assert asyncio.get_event_loop_policy().get_event_loop() is loop
    finally:
        teardown_test_loop(loop)
    assert loop.is_closed()


def test_a_custom_loop_factory_is_used() -> None:
    made: list[asyncio.AbstractEventLoop] = []

    def factory() -> asyncio.AbstractEventLoop:
        made.append(asyncio.new_event_loop())
        return made[-1]

    with loop_context(factory) as loop:
        assert made == [loop]
