"""Routes (a method and a handler on a resource) and the match info of a request.

A resource owns routes, one per HTTP method (``*`` serves any method).  When
the router finds the route for a request it returns a ``UrlMappingMatchInfo``:
the values of the path variables, the route, and the stack of applications
the request went through (filled by the applications themselves).  When no
route fits, it returns a ``MatchInfoError`` whose handler raises 404 or 405.
"""

from __future__ import annotations

import abc
import inspect
import re
from collections.abc import Awaitable, Callable, Generator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Final, TypeAlias

from yarl import URL

from aiohttp_core import hdrs
from aiohttp_core.http_messages import HttpVersion11

from .abc import AbstractMatchInfo, AbstractView, Handler
from .exceptions import HTTPException, HTTPExpectationFailed

if TYPE_CHECKING:
    from .app import Application
    from .request import Request
    from .resources import AbstractResource
    from .response import StreamResponse

__all__ = (
    "AbstractRoute",
    "MatchInfoError",
    "ResourceRoute",
    "SystemRoute",
    "UrlMappingMatchInfo",
)

#: What handles ``Expect``: None to go on, a response to answer with it.
ExpectHandler: TypeAlias = Callable[["Request"], Awaitable["StreamResponse | None"]]

# RFC 9110 9.1 / 5.6.2: method = token.
_METHOD_RE: Final = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+", re.ASCII)

_CONTINUE: Final = b"HTTP/1.1 100 Continue\r\n\r\n"


async def _default_expect_handler(request: Request) -> None:
    """Answer ``Expect: 100-continue`` with an interim 100, refuse anything else."""
    # RFC 9110 10.1.1: an HTTP/1.0 client cannot expect anything; ignore it.
    if request.version < HttpVersion11:
        return
    expect = request.headers.get(hdrs.EXPECT, "")
    if not (expect.isascii() and expect.lower() == "100-continue"):
        raise HTTPExpectationFailed(text=f"Unknown Expect: {expect}")
    # Straight to the transport: the response writer would count these bytes
    # as the body of a response whose head is not sent yet.
    transport = request.transport
    if transport is not None and not transport.is_closing():
        transport.write(_CONTINUE)


def _is_async_callable(obj: object) -> bool:
    """Tell whether calling ``obj`` gives a coroutine, as far as can be seen."""
    if inspect.iscoroutinefunction(obj):
        return True
    # An object whose __call__ is an async method (partials are unwrapped by
    # iscoroutinefunction itself).
    if not callable(obj):
        return False
    return inspect.iscoroutinefunction(type(obj).__call__)


def _check_handler(handler: object) -> None:
    """Refuse handlers that could not be awaited, when they are registered."""
    if isinstance(handler, type):
        if issubclass(handler, AbstractView):
            return
    elif _is_async_callable(handler):
        return
    raise TypeError(
        "A web handler must be an async function (a coroutine function) or a "
        f"subclass of View, got {handler!r}"
    )


def _check_method(method: str) -> str:
    if not isinstance(method, str) or _METHOD_RE.fullmatch(method) is None:
        raise ValueError(f"{method!r} is not a valid HTTP method")
    return method.upper()


class AbstractRoute(abc.ABC):
    """A handler for one HTTP method (or ``*``) of a resource."""

    __slots__ = ("_expect_handler", "_handler", "_method", "_resource")

    def __init__(
        self,
        method: str,
        handler: Handler | type[AbstractView],
        *,
        expect_handler: ExpectHandler | None = None,
        resource: AbstractResource | None = None,
    ) -> None:
        self._method = _check_method(method)
        _check_handler(handler)
        if expect_handler is None:
            expect_handler = _default_expect_handler
        elif not _is_async_callable(expect_handler):
            raise TypeError(
                f"expect_handler must be an async function, got {expect_handler!r}"
            )
        self._handler: Handler = handler
        self._expect_handler: ExpectHandler = expect_handler
        self._resource = resource

    @property
    def method(self) -> str:
        """The HTTP method served, upper-cased; ``*`` for any."""
        return self._method

    @property
    def handler(self) -> Handler:
        """The web handler."""
        return self._handler

    @property
    def name(self) -> str | None:
        """The name of the resource holding the route."""
        if self._resource is None:
            return None
        return self._resource.name

    @property
    def resource(self) -> AbstractResource | None:
        """The resource holding the route (None for a system route)."""
        return self._resource

    @abc.abstractmethod
    def get_info(self) -> dict[str, Any]:
        """A description of the route's resource."""

    @abc.abstractmethod
    def url_for(self, *args: str, **kwargs: str) -> URL:
        """The URL of the route's resource for the given parts."""

    async def handle_expect_header(self, request: Request) -> StreamResponse | None:
        """Run the ``Expect`` handler of the route."""
        return await self._expect_handler(request)


class ResourceRoute(AbstractRoute):
    """The route of a resource registered on a ``UrlDispatcher``."""

    __slots__ = ()

    def __init__(
        self,
        method: str,
        handler: Handler | type[AbstractView],
        resource: AbstractResource,
        *,
        expect_handler: ExpectHandler | None = None,
    ) -> None:
        super().__init__(
            method, handler, expect_handler=expect_handler, resource=resource
        )

    def __repr__(self) -> str:
        return f"<ResourceRoute [{self.method}] {self._resource} -> {self.handler!r}>"

    def get_info(self) -> dict[str, Any]:
        """A description of the route's resource."""
        if self._resource is None:  # pragma: no cover - always set here
            return {}
        return self._resource.get_info()

    def url_for(self, *args: str, **kwargs: str) -> URL:
        """The URL of the route's resource: ``route.resource.url_for(...)``."""
        if self._resource is None:  # pragma: no cover - always set here
            raise RuntimeError("The route has no resource")
        return self._resource.url_for(*args, **kwargs)


class SystemRoute(AbstractRoute):
    """The route of a routing failure: its handler raises the 404 or 405."""

    __slots__ = ("_http_exception",)

    def __init__(self, http_exception: HTTPException) -> None:
        super().__init__(hdrs.METH_ANY, self._raise)
        self._http_exception = http_exception

    async def _raise(self, request: Request) -> StreamResponse:
        raise self._http_exception

    @property
    def status(self) -> int:
        """The HTTP status of the failure."""
        return self._http_exception.status

    @property
    def reason(self) -> str:
        """The HTTP reason phrase of the failure."""
        return self._http_exception.reason

    def get_info(self) -> dict[str, Any]:
        """The HTTP exception, for debugging."""
        return {"http_exception": self._http_exception}

    def url_for(self, *args: str, **kwargs: str) -> URL:
        """Refused: a routing failure has no URL."""
        raise RuntimeError(".url_for() is not supported by SystemRoute")

    def __repr__(self) -> str:
        return f"<SystemRoute {self.status}: {self.reason}>"


class UrlMappingMatchInfo(dict[str, str], AbstractMatchInfo):
    """What ``UrlDispatcher`` found: path variables (as a dict) and the route."""

    __slots__ = ("_apps", "_current_app", "_frozen", "_route")

    def __init__(self, match_dict: dict[str, str], route: AbstractRoute) -> None:
        super().__init__(match_dict)
        self._route = route
        self._apps: tuple[Application, ...] = ()
        self._current_app: Application | None = None
        self._frozen = False

    @property
    def route(self) -> AbstractRoute:
        """The route found."""
        return self._route

    @property
    def handler(self) -> Handler:
        """The web handler of the route."""
        return self._route.handler

    @property
    def expect_handler(self) -> ExpectHandler:
        """The ``Expect`` handler of the route."""
        return self._route.handle_expect_header

    @property
    def http_exception(self) -> HTTPException | None:
        """None: a route was found."""
        return None

    def get_info(self) -> dict[str, Any]:
        """A description of the matched resource."""
        return self._route.get_info()

    @property
    def apps(self) -> tuple[Application, ...]:
        """The applications leading to the handler, outermost first."""
        return self._apps

    def add_app(self, app: Application) -> None:
        """Put ``app`` in front of the stack; the first one added is current."""
        if self._frozen:
            raise RuntimeError("Cannot change the apps stack after .freeze() call")
        if self._current_app is None:
            self._current_app = app
        self._apps = (app, *self._apps)

    @property
    def current_app(self) -> Application:
        """The application whose handler or middleware runs now."""
        app = self._current_app
        if app is None:
            raise RuntimeError("No application was added to this match info")
        return app

    @contextmanager
    def set_current_app(self, app: Application) -> Generator[None, None, None]:
        """Make ``app`` (one of ``apps``) current within the ``with`` block."""
        if app not in self._apps:
            raise RuntimeError(
                f"Expected one of the following apps {self._apps!r}, got {app!r}"
            )
        previous = self._current_app
        self._current_app = app
        try:
            yield
        finally:
            self._current_app = previous

    def freeze(self) -> None:
        """Forbid further changes to the application stack."""
        self._frozen = True

    def __repr__(self) -> str:
        return f"<MatchInfo {super().__repr__()}: {self._route}>"


class MatchInfoError(UrlMappingMatchInfo):
    """The match info of a request no route serves; its handler raises."""

    __slots__ = ("_exception",)

    def __init__(self, http_exception: HTTPException) -> None:
        self._exception = http_exception
        super().__init__({}, SystemRoute(http_exception))

    @property
    def http_exception(self) -> HTTPException:
        """The 404 or 405 to answer with."""
        return self._exception

    def __repr__(self) -> str:
        return f"<MatchInfoError {self._exception.status}: {self._exception.reason}>"
