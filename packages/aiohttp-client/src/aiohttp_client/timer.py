"""``Deadline``: one timeout shared by every wait of a request.

The session arms one for the ``total`` timeout of each request (and one for
``connect`` around getting a connection).  It is entered around each wait
(also as the ``ReadTimer`` of the protocol and the body stream), so that when
the time is up every task waiting under it is cancelled, and that
cancellation leaves the ``with`` block as the timeout error instead.

Deadlines rounded up to a whole second (the ``ceil_threshold`` rule) share
one loop timer per second through a ``DeadlineClock``: a session sends many
requests with the same ``total``, and one timer each would cost a heap push
and a cancellation per request.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from types import TracebackType
from typing import Any

__all__ = ("Deadline", "DeadlineClock")


class DeadlineClock:
    """The loop timers of many deadlines: one per distinct (whole) second.

    A timer stays armed when its deadlines are all cancelled: it then fires
    for nothing once, which is cheaper than arming one per request.
    """

    __slots__ = ("_due", "_loop")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._due: dict[float, dict[Deadline, None]] = {}

    def add(self, when: float, deadline: Deadline) -> None:
        """Fire ``deadline`` at loop time ``when`` unless it is discarded."""
        due = self._due.get(when)
        if due is None:
            due = self._due[when] = {}
            self._loop.call_at(when, self._fire, when)
        due[deadline] = None

    def discard(self, when: float, deadline: Deadline) -> None:
        """Do not fire ``deadline`` (it may have fired already)."""
        due = self._due.get(when)
        if due is not None:
            due.pop(deadline, None)

    def _fire(self, when: float) -> None:
        for deadline in self._due.pop(when, ()):
            deadline._fire()


class Deadline:
    """A timeout shared by every wait of one request, as a ``ReadTimer``.

    Each ``with deadline:`` (or ``with deadline():``) registers the current
    task; when the time is up every registered task is cancelled and the
    cancellation leaves the block as ``exc``.  Entering after the time is up
    raises at once.
    """

    __slots__ = (
        "_cancelled",
        "_clock",
        "_exc",
        "_fired",
        "_handle",
        "_loop",
        "_tasks",
        "_when",
    )

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        timeout: float | None,
        ceil_threshold: float,
        exc: Callable[[], BaseException] = asyncio.TimeoutError,
        clock: DeadlineClock | None = None,
    ) -> None:
        self._loop = loop
        self._exc = exc
        self._tasks: list[asyncio.Task[Any]] = []
        self._cancelled: set[asyncio.Task[Any]] | None = None  # made when fired
        self._fired = False
        self._handle: asyncio.TimerHandle | None = None
        self._clock = clock
        self._when: float | None = None  # set while waiting on ``clock``
        if timeout:
            when = loop.time() + timeout
            if timeout >= ceil_threshold:
                when = math.ceil(when)
                if clock is not None:
                    self._when = when
                    clock.add(when, self)
                    return
            self._handle = loop.call_at(when, self._fire)

    def __call__(self) -> Deadline:
        return self

    def __enter__(self) -> Deadline:
        if self._fired:
            raise self._exc()
        task = asyncio.current_task(self._loop)
        if task is None:
            raise RuntimeError("Timeout context manager should be used inside a task")
        self._tasks.append(task)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        task = self._tasks.pop()
        cancelled = self._cancelled
        if cancelled is not None and task in cancelled and task not in self._tasks:
            cancelled.discard(task)
            uncancel = getattr(task, "uncancel", None)
            if uncancel is not None:
                uncancel()
            if exc_type is asyncio.CancelledError:
                raise self._exc() from exc

    def _fire(self) -> None:
        self._handle = None
        self._when = None
        self._fired = True
        cancelled = self._cancelled = set()
        for task in self._tasks:
            if task not in cancelled:
                cancelled.add(task)
                task.cancel()

    def cancel(self) -> None:
        """Stop the clock: the deadline will not fire any more."""
        when = self._when
        if when is not None:
            self._when = None
            self._clock.discard(when, self)  # type: ignore[union-attr]
        handle, self._handle = self._handle, None
        if handle is not None:
            handle.cancel()
