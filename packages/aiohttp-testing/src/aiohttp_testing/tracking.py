"""Which test servers and clients were started and not closed yet."""

from __future__ import annotations

import weakref
from typing import Protocol

__all__ = ("Closable", "forget", "left_open", "remember")


class Closable(Protocol):
    """A test server or client: something started that must be closed."""

    async def close(self) -> None:
        """Stop it."""


# Weak: a forgotten object that is collected was not "left open" by a test
# still running; its own finaliser warns instead.
_open: weakref.WeakSet[Closable] = weakref.WeakSet()


def remember(obj: Closable) -> None:
    """Note that ``obj`` was started."""
    _open.add(obj)


def forget(obj: Closable) -> None:
    """Note that ``obj`` was closed."""
    _open.discard(obj)


def left_open() -> list[Closable]:
    """Everything started and not closed, oldest first is not guaranteed."""
    return list(_open)
