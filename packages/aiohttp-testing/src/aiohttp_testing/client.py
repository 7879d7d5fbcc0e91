"""``TestClient``: a client session bound to one test server."""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Awaitable, Generator
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from yarl import URL

from aiohttp_web.app import Application

from . import tracking
from .servers import BaseTestServer, TestServer

if TYPE_CHECKING:
    from aiohttp_client.cookiejar import CookieJar
    from aiohttp_client.response import ClientResponse
    from aiohttp_client.session import ClientSession

__all__ = ("TestClient",)

_T = TypeVar("_T")


class _Pending(Generic[_T]):
    """What ``TestClient.request`` returns: await it, or use it with ``async with``."""

    __slots__ = ("_coro", "_result")

    def __init__(self, coro: Awaitable[_T]) -> None:
        self._coro = coro
        self._result: _T | None = None

    def __await__(self) -> Generator[Any, None, _T]:
        return self._coro.__await__()

    async def __aenter__(self) -> _T:
        self._result = await self._coro
        return self._result

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        result: Any = self._result
        if result is None:
            return
        release = getattr(result, "release", None)
        if release is not None:  # a response: give its connection back
            release()
            await result.wait_for_close()
        else:  # a websocket
            await result.close()


class TestClient:
    """Makes requests to a test server by path; closes what it handed out."""

    __test__ = False  # not a pytest test class, whatever its name says

    def __init__(
        self,
        server: BaseTestServer,
        *,
        cookie_jar: CookieJar | None = None,
        **kwargs: Any,
    ) -> None:
        if not isinstance(server, BaseTestServer):
            raise TypeError(
                "server must be a TestServer or RawTestServer instance, "
                f"got {server!r}; wrap an Application in TestServer(app)"
            )
        # The client piece is imported when a client is made, so that the
        # pytest plugin loads without it until a test asks for a client.
        from aiohttp_client.cookiejar import CookieJar
        from aiohttp_client.session import ClientSession

        self._server = server
        if cookie_jar is None:
            # Test servers live on an IP address, where a strict jar would
            # drop every cookie.
            cookie_jar = CookieJar(unsafe=True)
        self._session = ClientSession(cookie_jar=cookie_jar, **kwargs)
        self._closed = False
        self._responses: list[ClientResponse] = []
        self._websockets: list[Any] = []

    async def start_server(self) -> None:
        """Start the server this client talks to."""
        await self._server.start_server()
        tracking.remember(self, asyncio.get_running_loop())

    @property
    def scheme(self) -> str:
        """The server's scheme."""
        return self._server.scheme

    @property
    def host(self) -> str:
        """The server's host."""
        return self._server.host

    @property
    def port(self) -> int | None:
        """The server's port."""
        return self._server.port

    @property
    def server(self) -> BaseTestServer:
        """The test server."""
        return self._server

    @property
    def app(self) -> Application | None:
        """The application served, or None for a ``RawTestServer``."""
        return self._server.app if isinstance(self._server, TestServer) else None

    @property
    def session(self) -> ClientSession:
        """The underlying session; its methods need absolute URLs."""
        return self._session

    def make_url(self, path: str | URL) -> URL:
        """The absolute URL of ``path`` on the server."""
        return self._server.make_url(path)

    async def _request(
        self, method: str, path: str | URL, **kwargs: Any
    ) -> ClientResponse:
        response = await self._session.request(method, self.make_url(path), **kwargs)
        self._responses.append(response)
        return response

    def request(
        self, method: str, path: str | URL, **kwargs: Any
    ) -> _Pending[ClientResponse]:
        """Send a request to ``path``; same arguments as ``ClientSession.request``."""
        return _Pending(self._request(method, path, **kwargs))

    def get(self, path: str | URL, **kwargs: Any) -> _Pending[ClientResponse]:
        """Send a GET request."""
        return self.request("GET", path, **kwargs)

    def post(self, path: str | URL, **kwargs: Any) -> _Pending[ClientResponse]:
        """Send a POST request."""
        return self.request("POST", path, **kwargs)

    def options(self, path: str | URL, **kwargs: Any) -> _Pending[ClientResponse]:
        """Send an OPTIONS request."""
        return self.request("OPTIONS", path, **kwargs)

    def head(self, path: str | URL, **kwargs: Any) -> _Pending[ClientResponse]:
        """Send a HEAD request."""
        return self.request("HEAD", path, **kwargs)

    def put(self, path: str | URL, **kwargs: Any) -> _Pending[ClientResponse]:
        """Send a PUT request."""
        return self.request("PUT", path, **kwargs)

    def patch(self, path: str | URL, **kwargs: Any) -> _Pending[ClientResponse]:
        """Send a PATCH request."""
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str | URL, **kwargs: Any) -> _Pending[ClientResponse]:
        """Send a DELETE request."""
        return self.request("DELETE", path, **kwargs)

    async def _ws_connect(self, path: str | URL, **kwargs: Any) -> Any:
        ws = await self._session.ws_connect(self.make_url(path), **kwargs)
        self._websockets.append(ws)
        return ws

    def ws_connect(self, path: str | URL, **kwargs: Any) -> _Pending[Any]:
        """Open a WebSocket to ``path`` (arguments of ``ClientSession.ws_connect``)."""
        return _Pending(self._ws_connect(path, **kwargs))

    @property
    def closed(self) -> bool:
        """True once ``close()`` ran."""
        return self._closed

    async def close(self) -> None:
        """Close the responses and websockets handed out, the session and the server."""
        if self._closed:
            return
        self._closed = True
        for response in self._responses:
            response.close()
        for ws in self._websockets:
            await ws.close()
        await self._session.close()
        await self._server.close()
        tracking.forget(self)

    async def __aenter__(self) -> TestClient:
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
        if not self._closed and self._server.started:
            warnings.warn(
                f"{self!r} was started and never closed", ResourceWarning, stacklevel=1
            )

    def __repr__(self) -> str:
        return f"<TestClient for {self._server!r}>"
