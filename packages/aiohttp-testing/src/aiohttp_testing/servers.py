"""Test servers: an application or a bare handler on a free local port."""

from __future__ import annotations

import asyncio
import socket
import ssl
import warnings
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any

from yarl import URL

from aiohttp_web.app import Application
from aiohttp_web.request import BaseRequest
from aiohttp_web.runner import AppRunner, BaseRunner, ServerRunner, SockSite
from aiohttp_web.server import Server
from aiohttp_web.stream_response import StreamResponse

from . import tracking
from .ports import get_port_socket

__all__ = ("BaseTestServer", "RawTestServer", "SocketFactory", "TestServer")

SocketFactory = Callable[[str, int, socket.AddressFamily], socket.socket]
Handler = Callable[[BaseRequest], Awaitable[StreamResponse]]


class BaseTestServer(ABC):
    """Runs something on ``host`` at a free (or given) port until ``close()``."""

    __test__ = False  # not a pytest test class, whatever its name says

    def __init__(
        self,
        *,
        scheme: str = "",
        host: str = "127.0.0.1",
        port: int | None = None,
        skip_url_asserts: bool = False,
        socket_factory: SocketFactory = get_port_socket,
        **kwargs: Any,
    ) -> None:
        self.runner: BaseRunner | None = None
        self._site: SockSite | None = None
        self._root: URL | None = None
        self.host = host
        self.port = port
        self._closed = False
        self.scheme = scheme
        self.skip_url_asserts = skip_url_asserts
        self.socket_factory = socket_factory
        self._runner_kwargs = kwargs

    async def start_server(self, **kwargs: Any) -> None:
        """Bind the socket and start serving (again calls do nothing)."""
        if self.runner is not None:
            return
        tls: ssl.SSLContext | None = kwargs.pop("ssl", None)
        runner_kwargs = {**self._runner_kwargs, **kwargs}
        # A test wants to see a handler that was still running when it
        # stopped; with cancellation it would not finish either way.
        runner_kwargs.setdefault("handler_cancellation", True)
        runner_kwargs.setdefault("shutdown_timeout", 0.5)
        runner = await self._make_runner(**runner_kwargs)
        await runner.setup()
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        try:
            sock = self.socket_factory(self.host, self.port or 0, family)
        except BaseException:
            await runner.cleanup()
            raise
        self.port = sock.getsockname()[1]
        site = SockSite(runner, sock, ssl_context=tls)
        try:
            await site.start()
        except BaseException:
            sock.close()
            await runner.cleanup()
            raise
        self.runner = runner
        self._site = site
        if not self.scheme:
            self.scheme = "https" if tls is not None else "http"
        host = f"[{self.host}]" if ":" in self.host else self.host
        self._root = URL(f"{self.scheme}://{host}:{self.port}")
        self._closed = False
        tracking.remember(self, asyncio.get_running_loop())

    @abstractmethod
    async def _make_runner(self, **kwargs: Any) -> BaseRunner:
        """The runner that serves what this test server is about."""

    def make_url(self, path: str | URL) -> URL:
        """The absolute URL of ``path`` on this server."""
        if self._root is None:
            raise RuntimeError("The test server is not started yet")
        url = URL(path)
        if not self.skip_url_asserts:
            if url.absolute:
                raise ValueError(f"Expected a path, got the absolute URL {url}")
            return self._root.join(url)
        return URL(str(self._root) + str(path))

    @property
    def started(self) -> bool:
        """True while the server runs."""
        return self.runner is not None

    @property
    def closed(self) -> bool:
        """True once ``close()`` stopped the server."""
        return self._closed

    @property
    def handler(self) -> Server:
        """The ``web.Server`` that serves the requests."""
        if self.runner is None or self.runner.server is None:
            raise RuntimeError("The test server is not started yet")
        return self.runner.server

    @property
    def server(self) -> asyncio.AbstractServer | None:
        """The asyncio server accepting the connections."""
        return None if self._site is None else self._site._server

    async def close(self) -> None:
        """Stop serving: in-flight requests get a short grace period."""
        if self.runner is not None and not self._closed:
            self._closed = True
            runner, self.runner = self.runner, None
            self._site = None
            self._root = None
            await runner.cleanup()
        tracking.forget(self)

    async def __aenter__(self) -> BaseTestServer:
        await self.start_server()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def __del__(self) -> None:
        if self.runner is not None and not self._closed:
            warnings.warn(
                f"{self!r} was started and never closed", ResourceWarning, stacklevel=1
            )

    def __repr__(self) -> str:
        where = self._root if self._root is not None else "not started"
        return f"<{type(self).__name__} {where}>"


class TestServer(BaseTestServer):
    """Serves an ``Application``."""

    def __init__(
        self,
        app: Application,
        *,
        scheme: str = "",
        host: str = "127.0.0.1",
        port: int | None = None,
        **kwargs: Any,
    ) -> None:
        self.app = app
        super().__init__(scheme=scheme, host=host, port=port, **kwargs)

    async def _make_runner(self, **kwargs: Any) -> BaseRunner:
        return AppRunner(self.app, **kwargs)


class RawTestServer(BaseTestServer):
    """Serves a low-level handler (``web.Server``)."""

    def __init__(
        self,
        handler: Handler,
        *,
        scheme: str = "",
        host: str = "127.0.0.1",
        port: int | None = None,
        **kwargs: Any,
    ) -> None:
        self._handler = handler
        super().__init__(scheme=scheme, host=host, port=port, **kwargs)

    async def _make_runner(self, **kwargs: Any) -> BaseRunner:
        runner_options = {
            key: kwargs.pop(key)
            for key in ("shutdown_timeout", "handle_signals")
            if key in kwargs
        }
        server = Server(self._handler, **kwargs)
        return ServerRunner(server, **runner_options)
