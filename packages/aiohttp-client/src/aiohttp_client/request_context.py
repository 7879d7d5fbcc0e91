"""What ``session.get()`` and ``request()`` return: awaitables and context managers.

``session.request()`` and its shortcuts return a ``RequestContextManager``:
awaiting it gives the response, ``async with`` also releases the response at
the end of the block.  The module-level ``request()`` returns a
``SessionRequestContextManager``, which closes its own session at the end.
"""

from __future__ import annotations

from collections.abc import Coroutine, Generator
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from .response import ClientResponse

if TYPE_CHECKING:
    from .session import ClientSession

__all__ = (
    "AwaitableContext",
    "RequestContextManager",
    "SessionRequestContextManager",
)

_T = TypeVar("_T")

# ClientResponse.__aenter__ only returns the response and __aexit__ only
# releases it: doing that here saves two coroutines per request (a subclass
# that overrides them still has them run).
_PLAIN_AENTER = ClientResponse.__aenter__
_PLAIN_AEXIT = ClientResponse.__aexit__


class AwaitableContext(Coroutine[Any, Any, _T], Generic[_T]):
    """A coroutine's stand-in: awaiting it runs the coroutine.

    Subclasses add ``__aenter__``/``__aexit__`` for what ``async with`` does
    with the result.
    """

    __slots__ = ("_coro",)

    def __init__(self, coro: Coroutine[Any, Any, _T]) -> None:
        self._coro = coro

    def send(self, arg: None) -> Any:
        return self._coro.send(arg)

    def throw(self, *args: Any) -> Any:
        return self._coro.throw(*args)

    def close(self) -> None:
        self._coro.close()

    def __await__(self) -> Generator[Any, None, _T]:
        return self._coro.__await__()


class RequestContextManager(AwaitableContext[ClientResponse]):
    """``await`` it for the response, or ``async with`` it to release it at exit."""

    __slots__ = ("_resp",)

    def __init__(self, coro: Coroutine[Any, Any, ClientResponse]) -> None:
        super().__init__(coro)
        self._resp: ClientResponse | None = None

    async def __aenter__(self) -> ClientResponse:
        resp = self._resp = await self._coro
        if type(resp).__aenter__ is _PLAIN_AENTER:
            return resp
        return await resp.__aenter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        resp = self._resp
        if resp is None:
            return
        if type(resp).__aexit__ is not _PLAIN_AEXIT:
            await resp.__aexit__(exc_type, exc, tb)
            return
        # What ClientResponse.__aexit__ does, without a coroutine of its own.
        resp.release()
        writer = resp._writer
        if writer is not None and not writer.done():
            await resp.wait_for_close()


class SessionRequestContextManager:
    """The result of ``aiohttp.request()``: its session closes at exit."""

    __slots__ = ("_coro", "_resp", "_session")

    def __init__(
        self, coro: Coroutine[Any, Any, ClientResponse], session: ClientSession
    ) -> None:
        self._coro = coro
        self._resp: ClientResponse | None = None
        self._session = session

    async def __aenter__(self) -> ClientResponse:
        try:
            self._resp = await self._coro
        except BaseException:
            await self._session.close()
            raise
        return self._resp

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if self._resp is not None:
                self._resp.release()
                await self._resp.wait_for_close()
        finally:
            await self._session.close()
