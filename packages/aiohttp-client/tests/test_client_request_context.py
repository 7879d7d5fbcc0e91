"""What ``session.get()`` returns: awaited, or used with ``async with``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from types import TracebackType

from yarl import URL

from aiohttp_client import ClientResponse, ClientSession
from aiohttp_web.app import Application
from aiohttp_web.request import Request
from aiohttp_web.response import Response

ServeApp = Callable[..., Awaitable[URL]]


def _app() -> Application:
    async def hello(request: Request) -> Response:
        return Response(text="hello")

    app = Application()
    app.router.add_get("/", hello)
    return app


async def test_async_with_releases_the_connection_to_the_pool(
    serve_app: ServeApp,
) -> None:
    url = await serve_app(_app())
    async with ClientSession() as session:
        async with session.get(url) as resp:
            assert await resp.read() == b"hello"
        assert resp.closed
        assert resp.connection is None
        # The session goes on serving requests after the release.
        async with session.get(url) as again:
            assert await again.text() == "hello"


async def test_async_with_runs_a_subclass_enter_and_exit(serve_app: ServeApp) -> None:
    calls: list[str] = []

    class Tracked(ClientResponse):
        async def __aenter__(self) -> ClientResponse:
            calls.append("enter")
            return await super().__aenter__()

        async def __aexit__(
            self,
            exc_type: type[BaseException] | None,
            exc: BaseException | None,
            tb: TracebackType | None,
        ) -> None:
            calls.append("exit")
            await super().__aexit__(exc_type, exc, tb)

    url = await serve_app(_app())
    async with ClientSession(response_class=Tracked) as session:
        async with session.get(url) as resp:
            assert isinstance(resp, Tracked)
            assert calls == ["enter"]
            await resp.read()
        assert calls == ["enter", "exit"]
        assert resp.closed


async def test_await_gives_the_response_without_entering_it(
    serve_app: ServeApp,
) -> None:
    url = await serve_app(_app())
    async with ClientSession() as session:
        resp = await session.get(url)
        try:
            assert resp.status == 200
            assert await resp.read() == b"hello"
        finally:
            resp.release()
