"""The abstract classes of the web server: router, match info, views, access logger."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Generator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import Application
    from .exceptions import HTTPException
    from .request import BaseRequest, Request
    from .response import StreamResponse

Handler = Callable[["Request"], Awaitable["StreamResponse"]]


class AbstractRouter(ABC):
    """Maps a request to the match info whose handler serves it."""

    def __init__(self) -> None:
        self._frozen = False

    def post_init(self, app: Application) -> None:  # noqa: B027 - optional hook
        """Called once the router is attached to its application."""

    @property
    def frozen(self) -> bool:
        """True once the application started: routes can no longer change."""
        return self._frozen

    def freeze(self) -> None:
        """Forbid further changes."""
        self._frozen = True

    @abstractmethod
    async def resolve(self, request: Request) -> AbstractMatchInfo:
        """Return the match info for ``request`` (its ``match_info`` is None now)."""


class AbstractMatchInfo(ABC):
    """What routing found for a request: the handler, or the HTTP error to raise."""

    __slots__ = ()

    @property
    @abstractmethod
    def handler(self) -> Handler:
        """The web handler to call with the request."""

    @property
    @abstractmethod
    def expect_handler(self) -> Callable[[Request], Awaitable[StreamResponse | None]]:
        """The handler of ``Expect: 100-continue``."""

    @property
    @abstractmethod
    def http_exception(self) -> HTTPException | None:
        """The error to raise when nothing matched (404, 405), else None."""

    @abstractmethod
    def get_info(self) -> dict[str, Any]:
        """Information about the matched resource, for debugging and views."""

    @property
    @abstractmethod
    def apps(self) -> tuple[Application, ...]:
        """The application stack that leads to the handler, outermost first."""

    @abstractmethod
    def add_app(self, app: Application) -> None:
        """Put ``app`` in front of the application stack."""

    @property
    @abstractmethod
    def current_app(self) -> Application:
        """The application whose handler (or middleware) runs now."""

    @abstractmethod
    def freeze(self) -> None:
        """Forbid further changes to the application stack."""


class AbstractView(ABC):
    """The base of class-based views: awaiting an instance serves its request."""

    def __init__(self, request: Request) -> None:
        self._request = request

    @property
    def request(self) -> Request:
        """The request this view serves."""
        return self._request

    @abstractmethod
    def __await__(self) -> Generator[Any, None, StreamResponse]:
        """Serve the request; the result is the response."""


class AbstractAccessLogger(ABC):
    """The base of access loggers; ``log`` is called once per response."""

    __slots__ = ("log_format", "logger")

    def __init__(self, logger: logging.Logger, log_format: str) -> None:
        self.logger = logger
        self.log_format = log_format

    @abstractmethod
    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        """Emit the log record for one request."""

    @property
    def enabled(self) -> bool:
        """False to skip ``log``; always True unless a subclass says otherwise."""
        # logging.rst: a logger that is always enabled may omit this property,
        # so the base must not tie it to the level of ``self.logger``.
        return True


class AbstractAsyncAccessLogger(ABC):
    """An access logger whose ``log`` is a coroutine, awaited after each response.

    Being awaited lets ``log`` use coroutines of the request and response,
    e.g. ``await request.text()``, or hand records to an async service.
    """

    __slots__ = ("log_format", "logger")

    def __init__(self, logger: logging.Logger, log_format: str) -> None:
        self.logger = logger
        self.log_format = log_format

    @abstractmethod
    async def log(
        self, request: BaseRequest, response: StreamResponse, time: float
    ) -> None:
        """Emit the log record for one request."""

    @property
    def enabled(self) -> bool:
        """False to skip ``log``; always True unless a subclass says otherwise."""
        # logging.rst: a logger that is always enabled may omit this property,
        # so the base must not tie it to the level of ``self.logger``.
        return True


#: What ``access_log_class`` parameters accept.
AccessLoggerClass = type[AbstractAccessLogger] | type[AbstractAsyncAccessLogger]


def check_access_log_class(access_log_class: object) -> None:
    """Raise TypeError unless the argument is an access logger class."""
    if not (
        isinstance(access_log_class, type)
        and issubclass(
            access_log_class, (AbstractAccessLogger, AbstractAsyncAccessLogger)
        )
    ):
        raise TypeError(
            "access_log_class must be a subclass of aiohttp.abc.AbstractAccessLogger"
            f" or AbstractAsyncAccessLogger, got {access_log_class!r}"
        )


__all__ = (
    "AbstractAccessLogger",
    "AbstractAsyncAccessLogger",
    "AbstractMatchInfo",
    "AbstractRouter",
    "AbstractView",
    "AccessLoggerClass",
    "Handler",
    "check_access_log_class",
)
