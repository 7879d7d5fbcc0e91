"""``View``: class-based views, one method per HTTP verb."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator
from typing import TYPE_CHECKING, Any, Final

from aiohttp_core import hdrs

from .abc import AbstractView
from .exceptions import HTTPMethodNotAllowed

if TYPE_CHECKING:
    from .response import StreamResponse

__all__ = ("View",)

# The verbs a view may implement, as method names.  Only these are looked up:
# a request method is client data and must not reach other attributes
# (``REQUEST`` would find the ``request`` property otherwise).
_VERBS: Final = {method: method.lower() for method in hdrs.METH_ALL}


class View(AbstractView):
    """A class-based view: define ``async def get(self)``, ``post``, etc.

    A request whose method the class does not implement gets 405, with the
    implemented methods in the ``Allow`` header.
    """

    def __await__(self) -> Generator[Any, None, StreamResponse]:
        return self._iter().__await__()

    async def _iter(self) -> StreamResponse:
        method = self.request.method
        verb = _VERBS.get(method)
        handler: Callable[[], Awaitable[StreamResponse]] | None = (
            None if verb is None else getattr(self, verb, None)
        )
        if handler is None:
            raise HTTPMethodNotAllowed(method, self.allowed_methods())
        return await handler()

    @classmethod
    def allowed_methods(cls) -> set[str]:
        """The HTTP methods the class implements."""
        return {method for method, verb in _VERBS.items() if hasattr(cls, verb)}
