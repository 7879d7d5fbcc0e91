"""Runners own a started server; sites put it on sockets.

A runner's ``setup()`` starts the application and builds the low-level
:class:`Server`; each site then listens on a TCP port, a Unix socket, a named
pipe or a given socket.  ``cleanup()`` performs the graceful shutdown of
web_advanced.rst, in this order:

1. stop every site: the listening sockets close, new connections are refused;
2. let requests already accepted start, then close idle keep-alive
   connections and mark the busy ones to close when their response is done;
3. send ``on_shutdown``, then await the callbacks registered through
   :func:`on_going_away` (long-lived connections such as websockets end here);
4. wait up to ``shutdown_timeout`` for running handlers to finish;
5. close what is left and cancel its handlers (again within the timeout);
6. send ``on_cleanup`` and leave the cleanup contexts.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import weakref
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import TYPE_CHECKING, Any, Final

from yarl import URL

from aiohttp_core.helpers import Sentinel, sentinel
from aiohttp_core.log import server_logger

from .abc import AccessLoggerClass, check_access_log_class
from .access_log import AccessLogger
from .app import Application
from .server import Server

if TYPE_CHECKING:
    import ssl

    from .protocol import RequestHandler
    from .request import BaseRequest

__all__ = (
    "AppRunner",
    "BaseRunner",
    "BaseSite",
    "GracefulExit",
    "NamedPipeSite",
    "ServerRunner",
    "SockSite",
    "TCPSite",
    "UnixSite",
)

#: Seconds to wait for running handlers, then again for closing connections.
DEFAULT_SHUTDOWN_TIMEOUT: Final = 60.0
#: Seconds an idle keep-alive connection of an ``AppRunner`` stays open.
APP_KEEPALIVE_TIMEOUT: Final = 3630.0


#: What a long-lived response registers to be ended on graceful shutdown.
GoingAwayCallback = Callable[[], Awaitable[object]]

# Per connection, so that a registration dies with its connection.
_going_away: weakref.WeakKeyDictionary[RequestHandler, list[GoingAwayCallback]] = (
    weakref.WeakKeyDictionary()
)


def on_going_away(
    request: BaseRequest, callback: GoingAwayCallback
) -> Callable[[], None]:
    """Have ``callback`` awaited if a runner shuts down while ``request`` is open.

    This is the hook for long-lived responses (a websocket closes itself with
    GOING_AWAY, 1001): the callbacks run in step 3 of the graceful shutdown,
    right after ``on_shutdown``, so that their handlers can return before the
    runner stops waiting for them.  Call the returned function once the
    response ended by itself, to drop the registration.
    """
    callbacks = _going_away.setdefault(request.protocol, [])
    callbacks.append(callback)

    def unregister() -> None:
        with suppress(ValueError):
            callbacks.remove(callback)

    return unregister


async def _tell_long_lived_to_go(server: Server, timeout: float) -> None:
    callbacks = [
        callback
        for connection in server.connections
        for callback in _going_away.pop(connection, ())
    ]
    if not callbacks:
        return
    tasks = [asyncio.ensure_future(callback()) for callback in callbacks]
    done, pending = await asyncio.wait(tasks, timeout=timeout)
    for task in pending:
        task.cancel()
    for task in done:
        exc = task.exception()
        if exc is not None:
            server_logger.error("Error ending a long-lived response", exc_info=exc)


class GracefulExit(SystemExit):
    """Raised by the SIGINT/SIGTERM handlers of a runner with ``handle_signals``."""

    code = 1


def _raise_graceful_exit() -> None:
    raise GracefulExit()


class BaseSite(ABC):
    """Where a runner's server listens; ``start()`` it after ``runner.setup()``."""

    __slots__ = ("_backlog", "_runner", "_server", "_ssl_context")

    def __init__(
        self,
        runner: BaseRunner,
        *,
        shutdown_timeout: float | Sentinel = sentinel,
        ssl_context: ssl.SSLContext | None = None,
        backlog: int = 128,
    ) -> None:
        if runner.server is None:
            raise RuntimeError("Call runner.setup() before making a site")
        if shutdown_timeout is not sentinel:
            # Documented per site, but there is one server per runner: the
            # last value given wins for all of the runner's sites.
            runner._shutdown_timeout = shutdown_timeout
        self._runner = runner
        self._ssl_context = ssl_context
        self._backlog = backlog
        self._server: asyncio.Server | None = None

    @property
    @abstractmethod
    def name(self) -> str:
        """What this site serves: a URL, or a socket or pipe path."""

    @abstractmethod
    async def start(self) -> None:
        """Start listening."""
        self._runner._reg_site(self)

    async def stop(self) -> None:
        """Stop listening; connections already accepted are left to the runner."""
        self._runner._check_site(self)
        if self._server is not None:
            self._server.close()
        self._runner._unreg_site(self)

    def _sockets(self) -> tuple[socket.socket, ...]:
        if self._server is None:
            return ()
        return tuple(self._server.sockets)

    def __repr__(self) -> str:
        state = "started" if self._server is not None else "not started"
        return f"<{type(self).__name__} {self.name} {state}>"


def _tcp_url(scheme: str, host: str, port: int) -> str:
    return str(URL.build(scheme=scheme, host=host, port=port))


class TCPSite(BaseSite):
    """Serve a runner on a TCP port (all interfaces when ``host`` is None)."""

    __slots__ = ("_host", "_port", "_reuse_address", "_reuse_port")

    def __init__(
        self,
        runner: BaseRunner,
        host: str | None = None,
        port: int | None = None,
        *,
        shutdown_timeout: float | Sentinel = sentinel,
        ssl_context: ssl.SSLContext | None = None,
        backlog: int = 128,
        reuse_address: bool | None = None,
        reuse_port: bool | None = None,
    ) -> None:
        super().__init__(
            runner,
            shutdown_timeout=shutdown_timeout,
            ssl_context=ssl_context,
            backlog=backlog,
        )
        self._host = host
        if port is None:
            port = 8443 if ssl_context else 8080
        self._port = port
        self._reuse_address = reuse_address
        self._reuse_port = reuse_port

    @property
    def name(self) -> str:
        """The site's URL, with the port actually bound once started."""
        scheme = "https" if self._ssl_context else "http"
        host = self._host or "0.0.0.0"
        port = self._port
        sockets = self._sockets()
        if sockets:
            # Port 0 asks the system for a free port: show the one it gave.
            port = sockets[0].getsockname()[1]
        return _tcp_url(scheme, host, port)

    async def start(self) -> None:
        """Listen on the host and port."""
        await super().start()
        loop = asyncio.get_running_loop()
        server = self._runner.server
        if server is None:
            raise RuntimeError("The runner was cleaned up")
        self._server = await loop.create_server(
            server,
            self._host,
            self._port,
            ssl=self._ssl_context,
            backlog=self._backlog,
            reuse_address=self._reuse_address,
            reuse_port=self._reuse_port,
        )


class UnixSite(BaseSite):
    """Serve a runner on a Unix domain socket at ``path``."""

    __slots__ = ("_path",)

    def __init__(
        self,
        runner: BaseRunner,
        path: str | os.PathLike[str],
        *,
        shutdown_timeout: float | Sentinel = sentinel,
        ssl_context: ssl.SSLContext | None = None,
        backlog: int = 128,
    ) -> None:
        if not hasattr(socket, "AF_UNIX"):
            raise RuntimeError("Unix domain sockets are not supported here")
        super().__init__(
            runner,
            shutdown_timeout=shutdown_timeout,
            ssl_context=ssl_context,
            backlog=backlog,
        )
        self._path = path

    @property
    def name(self) -> str:
        """``http://unix:PATH:`` (or https)."""
        scheme = "https" if self._ssl_context else "http"
        return f"{scheme}://unix:{os.fspath(self._path)}:"

    async def start(self) -> None:
        """Listen on the socket path."""
        await super().start()
        loop = asyncio.get_running_loop()
        server = self._runner.server
        if server is None:
            raise RuntimeError("The runner was cleaned up")
        self._server = await loop.create_unix_server(
            server, self._path, ssl=self._ssl_context, backlog=self._backlog
        )


class NamedPipeSite(BaseSite):
    """Serve a runner on a Windows named pipe (proactor event loop only)."""

    __slots__ = ("_path", "_pipes")

    def __init__(
        self,
        runner: BaseRunner,
        path: str,
        *,
        shutdown_timeout: float | Sentinel = sentinel,
    ) -> None:
        proactor = getattr(asyncio, "ProactorEventLoop", None)
        if proactor is None or not isinstance(asyncio.get_running_loop(), proactor):
            raise RuntimeError(
                "Named pipes are only available with the proactor event loop on Windows"
            )
        super().__init__(runner, shutdown_timeout=shutdown_timeout)
        self._path = path
        self._pipes: list[Any] = []

    @property
    def name(self) -> str:
        """The pipe's path."""
        return self._path

    async def start(self) -> None:
        """Listen on the pipe."""
        await super().start()
        loop = asyncio.get_running_loop()
        server = self._runner.server
        if server is None:
            raise RuntimeError("The runner was cleaned up")
        start_serving_pipe: Callable[..., Awaitable[list[Any]]] = (
            loop.start_serving_pipe  # type: ignore[attr-defined]
        )
        self._pipes = await start_serving_pipe(server, self._path)

    async def stop(self) -> None:
        """Stop listening on the pipe."""
        self._runner._check_site(self)
        for pipe in self._pipes:
            pipe.close()
        self._pipes = []
        self._runner._unreg_site(self)


class SockSite(BaseSite):
    """Serve a runner on a socket that is already bound."""

    __slots__ = ("_name", "_sock")

    def __init__(
        self,
        runner: BaseRunner,
        sock: socket.socket,
        *,
        shutdown_timeout: float | Sentinel = sentinel,
        ssl_context: ssl.SSLContext | None = None,
        backlog: int = 128,
    ) -> None:
        super().__init__(
            runner,
            shutdown_timeout=shutdown_timeout,
            ssl_context=ssl_context,
            backlog=backlog,
        )
        self._sock = sock
        scheme = "https" if ssl_context else "http"
        if hasattr(socket, "AF_UNIX") and sock.family == socket.AF_UNIX:
            self._name = f"{scheme}://unix:{sock.getsockname()}:"
        else:
            host, port = sock.getsockname()[:2]
            self._name = _tcp_url(scheme, host, port)

    @property
    def name(self) -> str:
        """The socket's URL."""
        return self._name

    async def start(self) -> None:
        """Listen on the socket."""
        await super().start()
        loop = asyncio.get_running_loop()
        server = self._runner.server
        if server is None:
            raise RuntimeError("The runner was cleaned up")
        self._server = await loop.create_server(
            server, sock=self._sock, ssl=self._ssl_context, backlog=self._backlog
        )


class BaseRunner(ABC):
    """Owns the low-level server that sites put on sockets."""

    __slots__ = (
        "_handle_signals",
        "_kwargs",
        "_server",
        "_shutdown_timeout",
        "_signals_installed",
        "_sites",
    )

    def __init__(
        self,
        *,
        handle_signals: bool = False,
        shutdown_timeout: float = DEFAULT_SHUTDOWN_TIMEOUT,
        **kwargs: Any,
    ) -> None:
        self._handle_signals = handle_signals
        self._shutdown_timeout = shutdown_timeout
        self._kwargs = kwargs
        self._server: Server | None = None
        self._sites: list[BaseSite] = []
        self._signals_installed = False

    @property
    def server(self) -> Server | None:
        """The low-level server (None before ``setup()`` and after cleanup)."""
        return self._server

    @property
    def addresses(self) -> list[Any]:
        """The addresses of all listening sockets, as ``getsockname()`` gives."""
        return [sock.getsockname() for site in self._sites for sock in site._sockets()]

    @property
    def sites(self) -> set[BaseSite]:
        """The started sites (a copy)."""
        return set(self._sites)

    @property
    def shutdown_timeout(self) -> float:
        """Seconds granted to running handlers, then to closing connections."""
        return self._shutdown_timeout

    async def setup(self) -> None:
        """Start the server; call before starting sites."""
        if self._server is not None:
            raise RuntimeError("The runner is set up already")
        if self._handle_signals:
            self._install_signal_handlers()
        try:
            self._server = await self._make_server()
        except BaseException:
            self._remove_signal_handlers()
            raise

    def _install_signal_handlers(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            loop.add_signal_handler(signal.SIGINT, _raise_graceful_exit)
            loop.add_signal_handler(signal.SIGTERM, _raise_graceful_exit)
        except NotImplementedError:
            # Windows event loops have no signal handlers: Ctrl+C still
            # raises KeyboardInterrupt, which run_app treats the same way.
            return
        self._signals_installed = True

    def _remove_signal_handlers(self) -> None:
        if not self._signals_installed:
            return
        loop = asyncio.get_running_loop()
        loop.remove_signal_handler(signal.SIGINT)
        loop.remove_signal_handler(signal.SIGTERM)
        self._signals_installed = False

    @abstractmethod
    async def shutdown(self) -> None:
        """Called once the sites stopped, before handlers are waited for."""

    async def cleanup(self) -> None:
        """Stop all sites, shut the server down gracefully and clean up."""
        # One at a time: should a stop fail, every other site is either
        # stopped and gone from the list or still in it.
        for site in list(self._sites):
            await site.stop()
        server = self._server
        if server is not None:
            # Connections accepted just before the sites closed get one loop
            # turn to read their request, so it is treated as in flight.
            await asyncio.sleep(0)
            await server.pre_shutdown()
            await self.shutdown()
            await _tell_long_lived_to_go(server, self._shutdown_timeout)
            await server.shutdown(self._shutdown_timeout)
        try:
            await self._cleanup_server()
        finally:
            self._server = None
            self._remove_signal_handlers()

    @abstractmethod
    async def _make_server(self) -> Server:
        """Build (and for an application, start) the low-level server."""

    @abstractmethod
    async def _cleanup_server(self) -> None:
        """Release what ``_make_server`` acquired."""

    def _reg_site(self, site: BaseSite) -> None:
        if site in self._sites:
            raise RuntimeError(f"Site {site} is already registered in runner {self}")
        self._sites.append(site)

    def _check_site(self, site: BaseSite) -> None:
        if site not in self._sites:
            raise RuntimeError(f"Site {site} is not registered in runner {self}")

    def _unreg_site(self, site: BaseSite) -> None:
        if site not in self._sites:
            raise RuntimeError(f"Site {site} is not registered in runner {self}")
        self._sites.remove(site)


class ServerRunner(BaseRunner):
    """A runner for a low-level :class:`Server`."""

    __slots__ = ("_web_server",)

    def __init__(
        self, web_server: Server, *, handle_signals: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(handle_signals=handle_signals, **kwargs)
        self._web_server = web_server

    async def shutdown(self) -> None:
        """Nothing to announce: a bare server has no ``on_shutdown``."""

    async def _make_server(self) -> Server:
        return self._web_server

    async def _cleanup_server(self) -> None:
        pass


class AppRunner(BaseRunner):
    """A runner for an :class:`Application`: starts and cleans it up."""

    __slots__ = ("_app",)

    def __init__(
        self,
        app: Application,
        *,
        handle_signals: bool = False,
        access_log_class: AccessLoggerClass = AccessLogger,
        **kwargs: Any,
    ) -> None:
        if not isinstance(app, Application):
            raise TypeError(
                f"The first argument should be web.Application instance, got {app!r}"
            )
        check_access_log_class(access_log_class)
        kwargs["access_log_class"] = access_log_class
        # The documented default for applications (the bare protocol's is
        # shorter): behind a reverse proxy, the proxy should close first.
        kwargs.setdefault("keepalive_timeout", APP_KEEPALIVE_TIMEOUT)
        super().__init__(handle_signals=handle_signals, **kwargs)
        self._app = app

    @property
    def app(self) -> Application:
        """The application served."""
        return self._app

    async def shutdown(self) -> None:
        """Send the application's ``on_shutdown``."""
        await self._app.shutdown()

    async def _make_server(self) -> Server:
        # Only the startup signal freezes now: on_startup handlers may still
        # store things in the application.
        self._app.on_startup.freeze()
        await self._app.startup()
        self._app.freeze()
        return self._app._make_handler(loop=asyncio.get_running_loop(), **self._kwargs)

    async def _cleanup_server(self) -> None:
        await self._app.cleanup()
