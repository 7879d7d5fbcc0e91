"""Route definitions: routes described before a router exists.

``web.get('/', handler)`` and the decorators of ``RouteTableDef`` build
``RouteDef`` values; ``router.add_routes(...)`` (or ``app.add_routes``)
registers them, each through its ``register(router)``.
"""

from __future__ import annotations

import abc
import dataclasses
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, overload

from aiohttp_core import hdrs
from aiohttp_core.typedefs import PathLike

from .abc import AbstractView, Handler

if TYPE_CHECKING:
    from .router import UrlDispatcher
    from .routes import AbstractRoute

__all__ = (
    "AbstractRouteDef",
    "RouteDef",
    "RouteTableDef",
    "StaticDef",
    "delete",
    "get",
    "head",
    "patch",
    "post",
    "put",
    "route",
    "static",
    "view",
)

_HandlerT = TypeVar("_HandlerT", bound="Handler | type[AbstractView]")


class AbstractRouteDef(abc.ABC):
    """The base of route definitions."""

    __slots__ = ()

    @abc.abstractmethod
    def register(self, router: UrlDispatcher) -> list[AbstractRoute]:
        """Register into ``router``; return the routes added."""


def _kwargs_repr(kwargs: dict[str, Any]) -> str:
    return "".join(f", {key}={value!r}" for key, value in sorted(kwargs.items()))


@dataclasses.dataclass(frozen=True, repr=False, eq=True)
class RouteDef(AbstractRouteDef):
    """A route not registered yet: method, path, handler, extra arguments."""

    __slots__ = ("handler", "kwargs", "method", "path")

    method: str
    path: str
    handler: Handler | type[AbstractView]
    kwargs: dict[str, Any]

    def __repr__(self) -> str:
        return (
            f"<RouteDef {self.method} {self.path} -> {self.handler!r}"
            f"{_kwargs_repr(self.kwargs)}>"
        )

    def register(self, router: UrlDispatcher) -> list[AbstractRoute]:
        """Add the route to ``router``; GET also adds HEAD unless allow_head=False."""
        if self.method.upper() == hdrs.METH_GET:
            return [router.add_get(self.path, self.handler, **self.kwargs)]
        return [router.add_route(self.method, self.path, self.handler, **self.kwargs)]


@dataclasses.dataclass(frozen=True, repr=False, eq=True)
class StaticDef(AbstractRouteDef):
    """A static files directory not registered yet: prefix, path, arguments."""

    __slots__ = ("kwargs", "path", "prefix")

    prefix: str
    path: PathLike
    kwargs: dict[str, Any]

    def __repr__(self) -> str:
        return f"<StaticDef {self.prefix} -> {self.path}{_kwargs_repr(self.kwargs)}>"

    def register(self, router: UrlDispatcher) -> list[AbstractRoute]:
        """Add the static resource to ``router`` (``router.add_static``)."""
        return [router.add_static(self.prefix, self.path, **self.kwargs)]


def route(
    method: str, path: str, handler: Handler | type[AbstractView], **kwargs: Any
) -> RouteDef:
    """A route for ``method`` (``*`` for any); see ``UrlDispatcher.add_route``."""
    return RouteDef(method, path, handler, kwargs)


def head(path: str, handler: Handler | type[AbstractView], **kwargs: Any) -> RouteDef:
    """A HEAD route."""
    return route(hdrs.METH_HEAD, path, handler, **kwargs)


def get(
    path: str,
    handler: Handler | type[AbstractView],
    *,
    name: str | None = None,
    allow_head: bool = True,
    **kwargs: Any,
) -> RouteDef:
    """A GET route, which serves HEAD too unless ``allow_head=False``."""
    return route(
        hdrs.METH_GET, path, handler, name=name, allow_head=allow_head, **kwargs
    )


def post(path: str, handler: Handler | type[AbstractView], **kwargs: Any) -> RouteDef:
    """A POST route."""
    return route(hdrs.METH_POST, path, handler, **kwargs)


def put(path: str, handler: Handler | type[AbstractView], **kwargs: Any) -> RouteDef:
    """A PUT route."""
    return route(hdrs.METH_PUT, path, handler, **kwargs)


def patch(path: str, handler: Handler | type[AbstractView], **kwargs: Any) -> RouteDef:
    """A PATCH route."""
    return route(hdrs.METH_PATCH, path, handler, **kwargs)


def delete(path: str, handler: Handler | type[AbstractView], **kwargs: Any) -> RouteDef:
    """A DELETE route."""
    return route(hdrs.METH_DELETE, path, handler, **kwargs)


def view(path: str, handler: type[AbstractView], **kwargs: Any) -> RouteDef:
    """A class-based view serving every method."""
    return route(hdrs.METH_ANY, path, handler, **kwargs)


def static(prefix: str, path: PathLike, **kwargs: Any) -> StaticDef:
    """A static files directory; see ``UrlDispatcher.add_static``."""
    return StaticDef(prefix, path, kwargs)


class RouteTableDef(Sequence[AbstractRouteDef]):
    """A list of route definitions, filled by decorators (``@routes.get(...)``)."""

    def __init__(self) -> None:
        self._items: list[AbstractRouteDef] = []

    def __repr__(self) -> str:
        return f"<RouteTableDef count={len(self._items)}>"

    @overload
    def __getitem__(self, index: int) -> AbstractRouteDef: ...

    @overload
    def __getitem__(self, index: slice) -> list[AbstractRouteDef]: ...

    def __getitem__(
        self, index: int | slice
    ) -> AbstractRouteDef | list[AbstractRouteDef]:
        return self._items[index]

    def __iter__(self) -> Iterator[AbstractRouteDef]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, item: object) -> bool:
        return item in self._items

    def route(
        self, method: str, path: str, **kwargs: Any
    ) -> Callable[[_HandlerT], _HandlerT]:
        """Decorate a handler to serve ``method`` on ``path``."""

        def register(handler: _HandlerT) -> _HandlerT:
            self._items.append(RouteDef(method, path, handler, kwargs))
            return handler

        return register

    def head(self, path: str, **kwargs: Any) -> Callable[[_HandlerT], _HandlerT]:
        """Decorate a HEAD handler."""
        return self.route(hdrs.METH_HEAD, path, **kwargs)

    def get(
        self,
        path: str,
        *,
        name: str | None = None,
        allow_head: bool = True,
        **kwargs: Any,
    ) -> Callable[[_HandlerT], _HandlerT]:
        """Decorate a GET handler (which serves HEAD too unless allow_head=False)."""
        return self.route(
            hdrs.METH_GET, path, name=name, allow_head=allow_head, **kwargs
        )

    def post(self, path: str, **kwargs: Any) -> Callable[[_HandlerT], _HandlerT]:
        """Decorate a POST handler."""
        return self.route(hdrs.METH_POST, path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> Callable[[_HandlerT], _HandlerT]:
        """Decorate a PUT handler."""
        return self.route(hdrs.METH_PUT, path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> Callable[[_HandlerT], _HandlerT]:
        """Decorate a PATCH handler."""
        return self.route(hdrs.METH_PATCH, path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Callable[[_HandlerT], _HandlerT]:
        """Decorate a DELETE handler."""
        return self.route(hdrs.METH_DELETE, path, **kwargs)

    def view(self, path: str, **kwargs: Any) -> Callable[[_HandlerT], _HandlerT]:
        """Decorate a class-based view."""
        return self.route(hdrs.METH_ANY, path, **kwargs)

    def static(self, prefix: str, path: PathLike, **kwargs: Any) -> None:
        """Add a static files directory."""
        self._items.append(StaticDef(prefix, path, kwargs))
