"""The web application: routes, state, middlewares, signals and sub-applications.

An :class:`Application` is built, then frozen when it starts serving (or, for a
sub-application, when it is attached).  Freezing turns the router, the
middleware list and the signals read-only, so the per-request path never has
to guard against them changing under it.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import (
    Awaitable,
    Callable,
    Iterable,
    Iterator,
    Mapping,
    MutableMapping,
    Sequence,
)
from functools import partial, update_wrapper
from typing import TYPE_CHECKING, Any, Final, TypeVar, cast, overload

from aiosignal import Signal
from frozenlist import FrozenList

from aiohttp_core import hdrs
from aiohttp_core.log import web_logger

from .abc import (
    AbstractMatchInfo,
    AccessLoggerClass,
    Handler,
    check_access_log_class,
)
from .access_log import AccessLogger
from .app_key import APP_KEY_HINT, AppKey, NotAppKeyWarning
from .cleanup_ctx import CleanupCallback, CleanupContext, CleanupError
from .request import Request
from .resources import (
    AbstractResource,
    Domain,
    MaskDomain,
    MatchedSubAppResource,
    PrefixedSubAppResource,
)
from .router import UrlDispatcher
from .server import Server

if TYPE_CHECKING:
    from aiohttp_core.abc import AbstractStreamWriter
    from aiohttp_core.http_messages import RawRequestMessage
    from aiohttp_core.streams import StreamReader

    from .protocol import RequestHandler
    from .response import StreamResponse
    from .route_def import AbstractRouteDef
    from .routes import AbstractRoute

__all__ = (
    "AppKey",
    "Application",
    "CleanupCallback",
    "CleanupContext",
    "CleanupError",
    "Middleware",
    "NotAppKeyWarning",
)

_T = TypeVar("_T")
_U = TypeVar("_U")

#: A middleware: called with the request and the next handler in the chain.
Middleware = Callable[["Request", Handler], Awaitable["StreamResponse"]]

# A custom router may hand out a fresh handler object per request; the cache
# of middleware chains is emptied when it grows past this, so it stays bounded.
_CHAIN_CACHE_LIMIT: Final = 4096


async def _run_in_app(
    app: Application, handler: Handler, request: Request
) -> StreamResponse:
    """Run ``handler`` with ``request.app`` being ``app`` (for its middlewares)."""
    # Only nested applications get here, and only our sub-application
    # resources nest them: their match info can switch the current app.
    with request.match_info.set_current_app(app):
        return await handler(request)


class Application(MutableMapping[str | AppKey[Any], Any]):
    """A web application: a router, shared state, middlewares and signals."""

    __slots__ = (
        "_chain_cache",
        "_cleanup_ctx",
        "_client_max_size",
        "_debug",
        "_frozen",
        "_handler_args",
        "_middlewares",
        "_middlewares_handlers",
        "_on_cleanup",
        "_on_response_prepare",
        "_on_shutdown",
        "_on_startup",
        "_pre_frozen",
        "_router",
        "_run_middlewares",
        "_state",
        "_subapps",
        "logger",
    )

    def __init__(
        self,
        *,
        logger: logging.Logger = web_logger,
        middlewares: Iterable[Middleware] = (),
        handler_args: Mapping[str, Any] | None = None,
        client_max_size: int = 1024**2,
        debug: Any = ...,
    ) -> None:
        if debug is not ...:
            warnings.warn(
                "The debug argument of Application is deprecated since 4.0; "
                "use asyncio's debug mode instead",
                DeprecationWarning,
                stacklevel=2,
            )
        middlewares = list(middlewares)
        for mw in middlewares:
            if not callable(mw):
                raise TypeError(f"middleware {mw!r} is not callable")
        if client_max_size < 0:
            raise ValueError("client_max_size must not be negative")
        self.logger = logger
        self._debug: bool | None = None if debug is ... else bool(debug)
        self._router = UrlDispatcher()
        self._handler_args = dict(handler_args) if handler_args else {}
        self._client_max_size = client_max_size
        self._middlewares: FrozenList[Middleware] = FrozenList(middlewares)
        # Per application, innermost first: built once on pre_freeze().
        self._middlewares_handlers: tuple[Middleware, ...] = ()
        self._run_middlewares = True
        self._chain_cache: dict[tuple[Handler, tuple[Application, ...]], Handler] = {}
        self._state: dict[str | AppKey[Any], Any] = {}
        self._frozen = False
        self._pre_frozen = False
        self._subapps: list[Application] = []
        self._on_response_prepare: Signal[Request, StreamResponse] = Signal(self)
        self._on_startup: Signal[Application] = Signal(self)
        self._on_shutdown: Signal[Application] = Signal(self)
        self._on_cleanup: Signal[Application] = Signal(self)
        self._cleanup_ctx = CleanupContext()
        self._router.post_init(self)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        raise TypeError(
            f"Inheritance class {cls.__name__} from web.Application is forbidden"
        )

    # Identity semantics: two empty applications are not the same one, and an
    # empty application is still true.
    def __eq__(self, other: object) -> bool:
        return self is other

    def __hash__(self) -> int:
        return id(self)

    def __bool__(self) -> bool:
        return True

    def __repr__(self) -> str:
        return f"<Application 0x{id(self):x}>"

    def __call__(self) -> Application:
        """Return the application itself (for ``gunicorn module:app()``)."""
        return self

    # MutableMapping: the application's shared state

    @overload
    def __getitem__(self, key: AppKey[_T]) -> _T: ...

    @overload
    def __getitem__(self, key: str) -> Any: ...

    def __getitem__(self, key: str | AppKey[_T]) -> Any:
        return self._state[key]

    def _check_frozen(self) -> None:
        # A warning, not an error: the testing docs change the state of a
        # running app (a handler storing a value, a test setting one).
        if self._frozen:
            warnings.warn(
                "Changing state of started or joined application is deprecated",
                DeprecationWarning,
                stacklevel=3,
            )

    @overload
    def __setitem__(self, key: AppKey[_T], value: _T) -> None: ...

    @overload
    def __setitem__(self, key: str, value: Any) -> None: ...

    def __setitem__(self, key: str | AppKey[_T], value: Any) -> None:
        self._check_frozen()
        if not isinstance(key, AppKey):
            warnings.warn(APP_KEY_HINT, NotAppKeyWarning, stacklevel=2)
        self._state[key] = value

    def __delitem__(self, key: str | AppKey[_T]) -> None:
        self._check_frozen()
        del self._state[key]

    def __len__(self) -> int:
        return len(self._state)

    def __iter__(self) -> Iterator[str | AppKey[Any]]:
        return iter(self._state)

    def __contains__(self, key: object) -> bool:
        return key in self._state

    @overload  # type: ignore[override]
    def get(self, key: AppKey[_T], default: None = ...) -> _T | None: ...

    @overload
    def get(self, key: AppKey[_T], default: _U) -> _T | _U: ...

    @overload
    def get(self, key: str, default: Any = ...) -> Any: ...

    def get(self, key: str | AppKey[_T], default: Any = None) -> Any:
        """Return ``self[key]``, or ``default`` when the key is missing."""
        return self._state.get(key, default)

    # Freezing

    @property
    def frozen(self) -> bool:
        """True once the application started (or its parent did)."""
        return self._frozen

    @property
    def pre_frozen(self) -> bool:
        """True once routes, middlewares and signals can no longer change."""
        return self._pre_frozen

    def pre_freeze(self) -> None:
        """Freeze routes, middlewares and signals; the state stays writable."""
        if self._pre_frozen:
            return
        self._pre_frozen = True
        self._middlewares.freeze()
        self._router.freeze()
        self._on_response_prepare.freeze()
        self._cleanup_ctx.freeze()
        self._on_startup.freeze()
        self._on_shutdown.freeze()
        self._on_cleanup.freeze()
        # Wrapping order: the last middleware is closest to the handler.
        self._middlewares_handlers = tuple(reversed(self._middlewares))
        self._run_middlewares = bool(self._middlewares_handlers)
        for subapp in self._subapps:
            subapp.pre_freeze()
            self._run_middlewares = self._run_middlewares or subapp._run_middlewares

    def freeze(self) -> None:
        """Freeze everything, the shared state included (done when serving)."""
        if self._frozen:
            return
        self.pre_freeze()
        self._frozen = True
        for subapp in self._subapps:
            subapp.freeze()

    # Public attributes

    @property
    def debug(self) -> bool:
        """Whether debug mode is on (deprecated: use asyncio's debug mode)."""
        warnings.warn(
            "Application.debug is deprecated since 4.0; use asyncio's debug mode",
            DeprecationWarning,
            stacklevel=2,
        )
        if self._debug is not None:
            return self._debug
        try:
            return asyncio.get_running_loop().get_debug()
        except RuntimeError:
            return False

    @property
    def router(self) -> UrlDispatcher:
        """The router that maps requests to handlers."""
        return self._router

    @property
    def middlewares(self) -> FrozenList[Middleware]:
        """The middlewares, outermost first (read-only once frozen)."""
        return self._middlewares

    @property
    def on_response_prepare(self) -> Signal[Request, StreamResponse]:
        """Sent with ``(request, response)`` just before headers go out."""
        return self._on_response_prepare

    @property
    def on_startup(self) -> Signal[Application]:
        """Sent with the application when it starts."""
        return self._on_startup

    @property
    def on_shutdown(self) -> Signal[Application]:
        """Sent with the application when it shuts down, before cleanup."""
        return self._on_shutdown

    @property
    def on_cleanup(self) -> Signal[Application]:
        """Sent with the application last, to release resources."""
        return self._on_cleanup

    @property
    def cleanup_ctx(self) -> CleanupContext:
        """Async generators: code before ``yield`` starts, code after cleans up."""
        return self._cleanup_ctx

    # Routes and sub-applications

    def add_routes(
        self, routes_table: Iterable[AbstractRouteDef]
    ) -> list[AbstractRoute]:
        """Register route definitions (a list or a ``RouteTableDef``)."""
        return self._router.add_routes(routes_table)

    def add_subapp(self, prefix: str, subapp: Application) -> PrefixedSubAppResource:
        """Serve ``subapp`` below the path ``prefix``."""
        if not isinstance(prefix, str):
            raise TypeError("Prefix must be str")
        prefix = prefix.rstrip("/")
        if not prefix:
            raise ValueError("Prefix cannot be empty")
        self._check_subapp(subapp)
        resource = PrefixedSubAppResource(prefix, subapp)
        self._attach_subapp(resource, subapp)
        return resource

    def add_domain(self, domain: str, subapp: Application) -> MatchedSubAppResource:
        """Serve ``subapp`` for requests whose Host matches ``domain`` (or mask)."""
        if not isinstance(domain, str):
            raise TypeError("Domain must be str")
        self._check_subapp(subapp)
        rule = MaskDomain(domain) if "*" in domain else Domain(domain)
        resource = MatchedSubAppResource(rule, subapp)
        self._attach_subapp(resource, subapp)
        return resource

    def _check_subapp(self, subapp: Application) -> None:
        if not isinstance(subapp, Application):
            raise TypeError(f"Sub-application must be an Application, not {subapp!r}")
        if subapp is self:
            raise ValueError("An application cannot be its own sub-application")
        if self._frozen or self._pre_frozen:
            raise RuntimeError("Cannot add sub application to frozen application")
        if subapp._frozen or subapp._pre_frozen:
            raise RuntimeError(
                "Cannot add frozen application (already started or attached)"
            )

    def _attach_subapp(self, resource: AbstractResource, subapp: Application) -> None:
        self._router.register_resource(resource)
        for signal_name in ("on_startup", "on_shutdown", "on_cleanup"):
            self._forward_signal(signal_name, subapp)
        self._subapps.append(subapp)
        subapp.pre_freeze()

    def _forward_signal(self, signal_name: str, subapp: Application) -> None:
        # The sub-application's handlers receive the sub-application, not us;
        # its own startup/shutdown/cleanup also runs its cleanup contexts.
        sub_method: Callable[[], Awaitable[None]] = getattr(
            subapp, signal_name.removeprefix("on_")
        )

        async def forward(app: Application) -> None:
            await sub_method()

        own_signal: Signal[Application] = getattr(self, signal_name)
        own_signal.append(forward)

    # Lifecycle.  Cleanup is the mirror of startup: cleanup contexts enter
    # before the on_startup handlers, and exit after the on_cleanup ones (so
    # a sub-application, started by an on_startup handler, is cleaned up
    # while the resources of its parent's contexts still exist).

    async def startup(self) -> None:
        """Enter the cleanup contexts, then send ``on_startup``."""
        await self._cleanup_ctx._on_startup(self)
        await self.on_startup.send(self)

    async def shutdown(self) -> None:
        """Send ``on_shutdown``."""
        await self.on_shutdown.send(self)

    async def cleanup(self) -> None:
        """Send ``on_cleanup``, then leave the cleanup contexts."""
        if not self.on_cleanup.frozen:
            # Startup failed before the application froze: the on_cleanup
            # handlers do not run, but every context that started is left.
            await self._leave_cleanup_contexts()
            return
        try:
            await self.on_cleanup.send(self)
        finally:
            await self._cleanup_ctx._on_cleanup(self)

    async def _leave_cleanup_contexts(self) -> None:
        try:
            for subapp in reversed(self._subapps):
                await subapp._leave_cleanup_contexts()
        finally:
            await self._cleanup_ctx._on_cleanup(self)

    # Serving: the glue with the low-level server

    def _make_request(
        self,
        message: RawRequestMessage,
        payload: StreamReader,
        protocol: RequestHandler,
        writer: AbstractStreamWriter,
        task: asyncio.Task[None],
        _cls: type[Request] = Request,
    ) -> Request:
        return _cls(
            message,
            payload,
            protocol,
            writer,
            task,
            asyncio.get_running_loop(),
            client_max_size=self._client_max_size,
        )

    def _make_handler(
        self,
        *,
        loop: asyncio.AbstractEventLoop | None = None,
        access_log_class: AccessLoggerClass = AccessLogger,
        **kwargs: Any,
    ) -> Server:
        check_access_log_class(access_log_class)
        self.freeze()
        kwargs["access_log_class"] = access_log_class
        if self._debug:
            kwargs["debug"] = True
        # handler_args wins over the runner's arguments, as documented.
        kwargs.update(self._handler_args)
        return Server(
            # Typed for any BaseRequest; it gets the Request _make_request made.
            self._handle,  # type: ignore[arg-type]
            request_factory=self._make_request,
            loop=loop,
            **kwargs,
        )

    async def _handle(self, request: Request) -> StreamResponse:
        match_info = await self._router.resolve(request)
        match_info.add_app(self)
        match_info.freeze()
        request._match_info = match_info

        if match_info.http_exception is None and request.headers.get(hdrs.EXPECT):
            # Only for a route that exists: a 404 or 405 is answered without
            # inviting the client to send its body first.
            expect_response = await match_info.expect_handler(request)
            await request.writer.drain()
            if expect_response is not None:
                return expect_response

        handler = match_info.handler
        if self._run_middlewares:
            handler = self._middleware_chain(handler, match_info)
        return await handler(request)

    def _middleware_chain(
        self, handler: Handler, match_info: AbstractMatchInfo
    ) -> Handler:
        apps = match_info.apps
        key = (handler, apps)
        try:
            return self._chain_cache[key]
        except KeyError:
            pass
        except TypeError:  # an unhashable handler: build the chain every time
            return _build_chain(handler, apps)
        chain = _build_chain(handler, apps)
        if match_info.http_exception is None:
            if len(self._chain_cache) >= _CHAIN_CACHE_LIMIT:
                self._chain_cache.clear()
            self._chain_cache[key] = chain
        return chain


def _build_chain(handler: Handler, apps: Sequence[Application]) -> Handler:
    """Wrap ``handler`` in the middlewares of ``apps``; the outermost app first."""
    nested = len(apps) > 1
    for app in reversed(apps):
        for mw in app._middlewares_handlers:
            # Passed by keyword: the docs require the name ``handler``.
            call_mw = cast(Callable[..., Awaitable["StreamResponse"]], mw)
            handler = update_wrapper(partial(call_mw, handler=handler), handler)
        if nested:
            handler = update_wrapper(partial(_run_in_app, app, handler), handler)
    return handler
