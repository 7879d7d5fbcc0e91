"""Which test servers and clients were started and not closed yet.

Outside pytest the registry holds weak references, so that an object a
script forgets still dies and warns from its finaliser.  The pytest plugin
switches to strong references: an object a test leaves open then survives
until the end of the test, where the plugin closes it and says so.
Objects made by the plugin's fixtures are "adopted": their fixture closes
them, so they are not reported.
"""

from __future__ import annotations

import asyncio
import weakref
from typing import Protocol

__all__ = (
    "Closable",
    "adopt",
    "forget",
    "is_open",
    "keep_until_closed",
    "orphans",
    "remember",
)


class Closable(Protocol):
    """A test server or client: something started that must be closed."""

    async def close(self) -> None:
        """Stop it."""


_weak: weakref.WeakSet[Closable] = weakref.WeakSet()
_strong: dict[int, Closable] | None = None
_loops: dict[int, asyncio.AbstractEventLoop] = {}
_adopted: set[int] = set()


def keep_until_closed() -> None:
    """Hold started objects strongly until closed (for the pytest plugin)."""
    global _strong
    if _strong is None:
        _strong = {}


def remember(obj: Closable, loop: asyncio.AbstractEventLoop) -> None:
    """Note that ``obj`` was started on ``loop``."""
    if _strong is not None:
        _strong[id(obj)] = obj
    else:
        _weak.add(obj)
    _loops[id(obj)] = loop


def adopt(obj: Closable) -> None:
    """Note that a fixture will close ``obj``."""
    _adopted.add(id(obj))


def forget(obj: Closable) -> None:
    """Note that ``obj`` was closed."""
    key = id(obj)
    if _strong is not None:
        _strong.pop(key, None)
    _weak.discard(obj)
    _loops.pop(key, None)
    _adopted.discard(key)


def is_open(obj: Closable) -> bool:
    """True while ``obj`` is started and not closed."""
    return id(obj) in _loops


def orphans() -> list[tuple[Closable, asyncio.AbstractEventLoop | None]]:
    """The started objects no fixture will close, newest first, with their loops.

    Newest first: a client comes before the server it started, and closing
    the client closes that server too.
    """
    found = list(_strong.values()) if _strong is not None else list(_weak)
    return [
        (obj, _loops.get(id(obj))) for obj in reversed(found) if id(obj) not in _adopted
    ]
