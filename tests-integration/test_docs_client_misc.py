"""The client examples of the smaller pages, run as written against local servers.

Pages: tracing_reference, client_middleware_cookbook, http_request_lifecycle,
faq (client part), abc (client part), streams, multipart (client side),
structures and websocket_utilities.
"""

from __future__ import annotations

import asyncio
import base64
import enum
import gzip
import io
import json
import mimetypes
import socket
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from frozenlist import FrozenList
from yarl import URL

import aiohttp
from aiohttp import ClientRequest, ClientResponse, ClientSession, web
from aiohttp.abc import AbstractCookieJar, AbstractResolver, ResolveResult

Server = Callable[..., Awaitable[Any]]
HTML = "<html><body>Welcome to Python.org</body></html>"


def python_org() -> web.Application:
    """Answers like http://python.org: an HTML page on every path."""

    async def page(request: web.Request) -> web.Response:
        return web.Response(text=HTML, content_type="text/html")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", page)
    return app


# -- tracing_reference.rst ---------------------------------------------------


def tracing_app() -> web.Application:
    """A page, a redirect to it, and a path that drops the connection."""

    async def page(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(text="page")

    async def redirect(request: web.Request) -> web.Response:
        raise web.HTTPFound("/page")

    async def drop(request: web.Request) -> web.Response:
        assert request.transport is not None
        request.transport.close()
        return web.Response(text="never sent")

    app = web.Application()
    app.router.add_route("*", "/page", page)
    app.router.add_get("/redirect", redirect)
    app.router.add_get("/drop", drop)
    return app


def recording_config(events: list[tuple[str, Any]]) -> aiohttp.TraceConfig:
    """A TraceConfig noting every signal with its params."""
    config = aiohttp.TraceConfig()
    names = [
        "on_request_start",
        "on_request_chunk_sent",
        "on_response_chunk_received",
        "on_request_redirect",
        "on_request_end",
        "on_request_exception",
        "on_connection_queued_start",
        "on_connection_queued_end",
        "on_connection_create_start",
        "on_connection_create_end",
        "on_connection_reuseconn",
        "on_dns_resolvehost_start",
        "on_dns_resolvehost_end",
        "on_dns_cache_hit",
        "on_dns_cache_miss",
        "on_request_headers_sent",
    ]
    for name in names:

        def make(name: str) -> Callable[..., Awaitable[None]]:
            # tracing_reference.rst:203, the documented handler signature
            async def on_signal(
                session: ClientSession, context: SimpleNamespace, params: Any
            ) -> None:
                events.append((name[3:], params))

            return on_signal

        getattr(config, name).append(make(name))
    return config


def names(events: list[tuple[str, Any]]) -> list[str]:
    return [name for name, _ in events]


# tracing_reference.rst:24 (request life cycle) and :84 (connection)
async def test_request_life_cycle(aiohttp_server: Server) -> None:
    server = await aiohttp_server(tracing_app())
    events: list[tuple[str, Any]] = []
    url = server.make_url("/page")
    async with ClientSession(trace_configs=[recording_config(events)]) as session:
        async with session.post(url, data=b"body") as resp:
            assert await resp.text() == "page"
        # request_end fires when the response head is in, before the body is
        # read: the body's chunks may come later (headers_received -> end).
        got = names(events)
        assert got[:5] == [
            "request_start",
            "connection_create_start",
            "connection_create_end",
            "request_headers_sent",
            "request_chunk_sent",
        ]
        assert sorted(got[5:]) == ["request_end", "response_chunk_received"]
        params = dict(events)
        start, sent, received, end = (
            params["request_start"],
            params["request_chunk_sent"],
            params["response_chunk_received"],
            params["request_end"],
        )
        assert isinstance(start, aiohttp.TraceRequestStartParams)
        assert (start.method, start.url) == ("POST", url)
        assert sent.chunk == b"body"
        assert received.chunk == b"page"
        assert isinstance(end, aiohttp.TraceRequestEndParams)
        assert end.response.status == 200
        assert isinstance(events[3][1], aiohttp.TraceRequestHeadersSentParams)
        assert events[3][1].headers["Content-Length"] == "4"

        events.clear()
        async with session.get(url) as resp:
            await resp.read()
        # A second request finds the connection in the pool.
        assert names(events)[:2] == ["request_start", "connection_reuseconn"]


# tracing_reference.rst:24 (redirect -> headers_sent)
async def test_redirect_signal(aiohttp_server: Server) -> None:
    server = await aiohttp_server(tracing_app())
    events: list[tuple[str, Any]] = []
    async with (
        ClientSession(trace_configs=[recording_config(events)]) as session,
        session.get(server.make_url("/redirect")) as resp,
    ):
        assert await resp.text() == "page"
    got = names(events)
    assert got.index("request_redirect") < got.index("request_end")
    assert got.count("request_headers_sent") == 2
    redirect = dict(events)["request_redirect"]
    assert isinstance(redirect, aiohttp.TraceRequestRedirectParams)
    assert redirect.response.status == 302
    assert redirect.url == server.make_url("/redirect")


# tracing_reference.rst:24 (headers_sent -> exception)
async def test_exception_signal(aiohttp_server: Server) -> None:
    server = await aiohttp_server(tracing_app())
    events: list[tuple[str, Any]] = []
    async with ClientSession(trace_configs=[recording_config(events)]) as session:
        with pytest.raises(aiohttp.ServerDisconnectedError):
            await session.get(server.make_url("/drop"))
    assert names(events)[-1] == "request_exception"
    params = events[-1][1]
    assert isinstance(params, aiohttp.TraceRequestExceptionParams)
    assert isinstance(params.exception, aiohttp.ServerDisconnectedError)
    assert "request_end" not in names(events)


# tracing_reference.rst:84 (queued_start -> queued_end)
async def test_connection_queued_signals(aiohttp_server: Server) -> None:
    server = await aiohttp_server(tracing_app())
    events: list[tuple[str, Any]] = []
    connector = aiohttp.TCPConnector(limit=1)
    async with ClientSession(
        connector=connector, trace_configs=[recording_config(events)]
    ) as session:

        async def fetch() -> str:
            async with session.get(server.make_url("/page")) as resp:
                return await resp.text()

        assert await asyncio.gather(fetch(), fetch()) == ["page", "page"]
    got = names(events)
    assert got.count("connection_queued_start") == 1
    assert got.index("connection_queued_start") < got.index("connection_queued_end")
    assert isinstance(
        dict(events)["connection_queued_end"], aiohttp.TraceConnectionQueuedEndParams
    )


class LocalNames(AbstractResolver):
    """Resolves every name to 127.0.0.1 and counts the look-ups."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        self.calls.append(host)
        return [
            ResolveResult(
                hostname=host,
                host="127.0.0.1",
                port=port,
                family=socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
        ]

    async def close(self) -> None:
        pass


# tracing_reference.rst:144 (DNS: cache_miss -> resolve -> end, then cache_hit)
async def test_dns_signals(aiohttp_server: Server) -> None:
    server = await aiohttp_server(tracing_app())
    events: list[tuple[str, Any]] = []
    resolver = LocalNames()
    connector = aiohttp.TCPConnector(resolver=resolver, force_close=True)
    url = URL.build(scheme="http", host="docs.test", port=server.port, path="/page")
    async with ClientSession(
        connector=connector, trace_configs=[recording_config(events)]
    ) as session:
        for _ in range(2):
            async with session.get(url) as resp:
                assert await resp.text() == "page"
    dns = [n for n in names(events) if n.startswith("dns_")]
    assert dns == [
        "dns_cache_miss",
        "dns_resolvehost_start",
        "dns_resolvehost_end",
        "dns_cache_hit",
    ]
    assert all(params.host == "docs.test" for n, params in events if n[:4] == "dns_")
    assert resolver.calls == ["docs.test"]


# tracing_reference.rst:190 (trace_config_ctx_factory and trace_request_ctx)
async def test_trace_config_ctx(aiohttp_server: Server) -> None:
    server = await aiohttp_server(tracing_app())
    contexts: list[Any] = []

    async def on_request_start(
        session: ClientSession, context: Any, params: aiohttp.TraceRequestStartParams
    ) -> None:
        context.start = "seen"
        contexts.append(context)

    async def on_request_end(
        session: ClientSession, context: Any, params: aiohttp.TraceRequestEndParams
    ) -> None:
        contexts.append(context)

    config = aiohttp.TraceConfig()
    config.on_request_start.append(on_request_start)
    config.on_request_end.append(on_request_end)
    async with (
        ClientSession(trace_configs=[config]) as session,
        session.get(server.make_url("/page"), trace_request_ctx={"id": 7}) as resp,
    ):
        await resp.read()
    first, second = contexts
    assert first is second
    assert isinstance(first, SimpleNamespace)
    assert first.trace_request_ctx == {"id": 7}
    assert first.start == "seen"

    class Ctx:
        def __init__(self, trace_request_ctx: Any = None) -> None:
            self.trace_request_ctx = trace_request_ctx

    custom = aiohttp.TraceConfig(trace_config_ctx_factory=Ctx)
    ctx = custom.trace_config_ctx(trace_request_ctx="x")
    assert isinstance(ctx, Ctx)
    assert ctx.trace_request_ctx == "x"


# -- client_middleware_cookbook.rst ------------------------------------------
# The page pulls its code from a file the reference copy lacks
# (code/client_middleware_cookbook.py); each test writes the middleware the
# section describes with the page's names and checks what the section says.


def flaky_app(failures: int) -> web.Application:
    """Answers 503 ``failures`` times, then 200."""
    calls = {"n": 0}

    async def flaky(request: web.Request) -> web.Response:
        calls["n"] += 1
        if calls["n"] <= failures:
            return web.Response(status=503)
        return web.Response(text=f"ok after {calls['n']}")

    app = web.Application()
    app.router.add_get("/", flaky)
    return app


async def retry_middleware(
    req: ClientRequest, handler: aiohttp.ClientHandlerType
) -> ClientResponse:
    """Retries a 503 twice; a bounded loop, as the page warns."""
    for _ in range(2):
        resp = await handler(req)
        if resp.status != 503:
            return resp
        resp.release()
    return await handler(req)


# client_middleware_cookbook.rst:15
async def test_retry_middleware(aiohttp_server: Server) -> None:
    server = await aiohttp_server(flaky_app(2))
    async with (
        ClientSession(middlewares=(retry_middleware,)) as session,
        session.get(server.make_url("/")) as resp,
    ):
        assert await resp.text() == "ok after 3"

    # The loop is bounded: a server down for good ends on its 503.
    server = await aiohttp_server(flaky_app(10))
    async with (
        ClientSession(middlewares=(retry_middleware,)) as session,
        session.get(server.make_url("/")) as resp,
    ):
        assert resp.status == 503


# client_middleware_cookbook.rst:29
async def test_api_logging_middleware(aiohttp_server: Server) -> None:
    logged: list[Any] = []

    async def log_endpoint(request: web.Request) -> web.Response:
        logged.append(await request.json())
        return web.Response(status=204)

    log_app = web.Application()
    log_app.router.add_post("/log", log_endpoint)
    log_server = await aiohttp_server(log_app)
    server = await aiohttp_server(python_org())

    async def api_logging_middleware(
        req: ClientRequest, handler: aiohttp.ClientHandlerType
    ) -> ClientResponse:
        resp = await handler(req)
        # middlewares=() keeps this request from being logged in turn.
        async with req.session.post(
            log_server.make_url("/log"),
            json={"url": str(req.url), "status": resp.status},
            middlewares=(),
        ):
            pass
        return resp

    async with ClientSession(middlewares=(api_logging_middleware,)) as session:  # noqa: SIM117
        async with session.get(server.make_url("/a")) as resp:
            assert resp.status == 200
    assert logged == [{"url": str(server.make_url("/a")), "status": 200}]


def token_app(tokens: list[str]) -> web.Application:
    """An API accepting the last token handed out by /token."""

    async def token(request: web.Request) -> web.Response:
        tokens.append(f"token-{len(tokens)}")
        return web.json_response({"access_token": tokens[-1], "expires_in": 60})

    async def api(request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {tokens[-1]}":
            return web.Response(status=401)
        return web.Response(text="data")

    app = web.Application()
    app.router.add_post("/token", token)
    app.router.add_get("/api", api)
    return app


class TokenRefresh401Middleware:
    """Refreshes the token once when the API answers 401, then retries."""

    def __init__(self, token_url: URL) -> None:
        self.token_url = token_url
        self.access_token = "stale"
        self.refreshes = 0

    async def refresh(self, session: ClientSession) -> None:
        async with session.post(self.token_url, middlewares=()) as resp:
            self.access_token = (await resp.json())["access_token"]
        self.refreshes += 1

    async def __call__(
        self, req: ClientRequest, handler: aiohttp.ClientHandlerType
    ) -> ClientResponse:
        for _ in range(2):
            req.headers["Authorization"] = f"Bearer {self.access_token}"
            resp = await handler(req)
            if resp.status != 401:
                return resp
            resp.release()
            await self.refresh(req.session)
        return await handler(req)


# client_middleware_cookbook.rst:47
async def test_token_refresh_401_middleware(aiohttp_server: Server) -> None:
    tokens = ["initial"]
    server = await aiohttp_server(token_app(tokens))
    middleware = TokenRefresh401Middleware(server.make_url("/token"))
    async with ClientSession(middlewares=(middleware,)) as session:
        for _ in range(2):
            async with session.get(server.make_url("/api")) as resp:
                assert await resp.text() == "data"
    assert middleware.refreshes == 1


class TokenRefreshExpiryMiddleware:
    """Refreshes the token before sending when it has expired."""

    def __init__(self, token_url: URL) -> None:
        self.token_url = token_url
        self.access_token = ""
        self.expires_at = 0.0
        self.refreshes = 0

    async def __call__(
        self, req: ClientRequest, handler: aiohttp.ClientHandlerType
    ) -> ClientResponse:
        if time.monotonic() >= self.expires_at:
            async with req.session.post(self.token_url, middlewares=()) as resp:
                body = await resp.json()
            self.access_token = body["access_token"]
            self.expires_at = time.monotonic() + body["expires_in"]
            self.refreshes += 1
        req.headers["Authorization"] = f"Bearer {self.access_token}"
        return await handler(req)


# client_middleware_cookbook.rst:56
async def test_token_refresh_expiry_middleware(aiohttp_server: Server) -> None:
    tokens: list[str] = []
    server = await aiohttp_server(token_app(tokens))
    middleware = TokenRefreshExpiryMiddleware(server.make_url("/token"))
    async with ClientSession(middlewares=(middleware,)) as session:
        for _ in range(2):
            async with session.get(server.make_url("/api")) as resp:
                assert await resp.text() == "data"
        assert middleware.refreshes == 1
        middleware.expires_at = 0.0  # the token ran out
        async with session.get(server.make_url("/api")) as resp:
            assert await resp.text() == "data"
    assert middleware.refreshes == 2
    assert tokens == ["token-0", "token-1"]


# client_middleware_cookbook.rst:62
async def test_token_refresh_preemptively_example(aiohttp_server: Server) -> None:
    tokens: list[str] = []
    server = await aiohttp_server(token_app(tokens))
    refreshed = asyncio.Event()

    async with ClientSession() as session:

        async def refresh_forever() -> None:
            while True:
                async with session.post(server.make_url("/token")) as resp:
                    token = (await resp.json())["access_token"]
                session.headers["Authorization"] = f"Bearer {token}"
                refreshed.set()
                await asyncio.sleep(3600)

        task = asyncio.create_task(refresh_forever())
        try:
            await asyncio.wait_for(refreshed.wait(), 2)
            async with session.get(server.make_url("/api")) as resp:
                assert await resp.text() == "data"
        finally:
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task


BLACKLIST = {"127.0.0.1", "localhost", "internal.test"}


async def ssrf_middleware(
    req: ClientRequest, handler: aiohttp.ClientHandlerType
) -> ClientResponse:
    """Refuses requests to blacklisted hosts before any connection is made."""
    if req.url.host in BLACKLIST:
        raise aiohttp.InvalidUrlClientError(req.url, "blacklisted host")
    return await handler(req)


# client_middleware_cookbook.rst:84
async def test_ssrf_middleware(aiohttp_server: Server) -> None:
    server = await aiohttp_server(python_org())
    async with ClientSession(middlewares=(ssrf_middleware,)) as session:
        with pytest.raises(aiohttp.InvalidUrlClientError, match="blacklisted"):
            await session.get(server.make_url("/"))
    async with ClientSession() as session, session.get(server.make_url("/")) as resp:
        assert resp.status == 200


class SSRFConnector(aiohttp.TCPConnector):
    """A connector whose resolver refuses names that resolve to loopback."""

    def __init__(self, resolver: AbstractResolver, **kwargs: Any) -> None:
        class Guard(AbstractResolver):
            async def resolve(
                self,
                host: str,
                port: int = 0,
                family: socket.AddressFamily = socket.AF_INET,
            ) -> list[ResolveResult]:
                hosts = await resolver.resolve(host, port, family)
                if any(h["host"] in BLACKLIST for h in hosts):
                    raise OSError(f"{host} resolves to a blacklisted address")
                return hosts

            async def close(self) -> None:
                await resolver.close()

        super().__init__(resolver=Guard(), **kwargs)


# client_middleware_cookbook.rst:100
async def test_ssrf_connector(aiohttp_server: Server) -> None:
    server = await aiohttp_server(python_org())
    url = URL.build(scheme="http", host="attacker.test", port=server.port, path="/")
    async with ClientSession(connector=SSRFConnector(LocalNames())) as session:
        with pytest.raises(aiohttp.ClientConnectorError, match="blacklisted"):
            await session.get(url)
    # The same name through a plain connector reaches the server.
    connector = aiohttp.TCPConnector(resolver=LocalNames())
    async with (
        ClientSession(connector=connector) as session,
        session.get(url) as resp,
    ):
        assert resp.status == 200


# -- http_request_lifecycle.rst ----------------------------------------------


# http_request_lifecycle.rst:15
async def test_lifecycle_three_steps(
    aiohttp_server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    server = await aiohttp_server(python_org())
    url = str(server.make_url("/"))
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        print(await response.text())
    assert capsys.readouterr().out == HTML + "\n"


# http_request_lifecycle.rst:26 and :48 use `requests`, which is not installed.
@pytest.mark.skip(reason="the requests library is not installed")
def test_lifecycle_requests_comparison() -> None:
    import requests  # type: ignore[import-untyped]

    requests.get("http://127.0.0.1:1")


# http_request_lifecycle.rst:67
async def test_lifecycle_main(
    aiohttp_server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    server = await aiohttp_server(python_org())
    url = str(server.make_url("/"))

    import asyncio

    import aiohttp

    async def main() -> None:
        async with aiohttp.ClientSession() as session:  # noqa: SIM117
            async with session.get(url) as response:
                html = await response.text()
                print(html)

    await asyncio.to_thread(asyncio.run, main())
    assert capsys.readouterr().out == HTML + "\n"


# http_request_lifecycle.rst:84
async def test_lifecycle_fetch(
    aiohttp_server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    server = await aiohttp_server(python_org())
    url = str(server.make_url("/"))

    import asyncio

    import aiohttp

    async def fetch(session: aiohttp.ClientSession, url: str) -> str:
        async with session.get(url) as response:
            return await response.text()

    async def main() -> None:
        async with aiohttp.ClientSession() as session:
            html = await fetch(session, url)
            print(html)

    await asyncio.to_thread(asyncio.run, main())
    assert capsys.readouterr().out == HTML + "\n"


# -- faq.rst (client part) ---------------------------------------------------


# faq.rst:207
async def test_request_from_a_local_address(aiohttp_server: Server) -> None:
    peers: list[str] = []

    async def who(request: web.Request) -> web.Response:
        assert request.remote is not None
        peers.append(request.remote)
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_get("/", who)
    server = await aiohttp_server(app)

    conn = aiohttp.TCPConnector(local_addr=("127.0.0.1", 0))
    async with aiohttp.ClientSession(connector=conn) as session:  # noqa: SIM117
        async with session.get(server.make_url("/")) as resp:
            assert await resp.text() == "ok"
    assert peers == ["127.0.0.1"]


# faq.rst:364 and :407: a session made outside a running loop is refused
def test_session_outside_event_loop_is_refused() -> None:
    with pytest.raises(RuntimeError):
        aiohttp.ClientSession()


# -- abc.rst (client part) ---------------------------------------------------


class ListCookieJar(AbstractCookieJar):
    """The smallest jar: keeps every morsel, sends them all back."""

    def __init__(self) -> None:
        from http.cookies import Morsel

        self._morsels: list[Morsel[str]] = []

    @property
    def quote_cookie(self) -> bool:
        return True

    def __len__(self) -> int:
        return len(self._morsels)

    def __iter__(self) -> Any:
        return iter(self._morsels)

    def clear(self, predicate: Any = None) -> None:
        self._morsels = [m for m in self._morsels if predicate and not predicate(m)]

    def clear_domain(self, domain: str) -> None:
        self.clear(lambda m: m["domain"] == domain)

    def update_cookies(self, cookies: Any, response_url: URL | None = None) -> None:
        from http.cookies import SimpleCookie

        if not isinstance(cookies, SimpleCookie):
            cookies = SimpleCookie(dict(cookies))
        for morsel in cookies.values():
            morsel["domain"] = (response_url and response_url.host) or ""
            self._morsels.append(morsel)

    def filter_cookies(self, request_url: URL) -> Any:
        from http.cookies import SimpleCookie

        found: SimpleCookie = SimpleCookie()
        for morsel in self._morsels:
            found[morsel.key] = morsel.value
        return found


# abc.rst:113 and :117, with a jar of our own
async def test_abstract_cookie_jar(
    aiohttp_server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    async def set_cookie(request: web.Request) -> web.Response:
        resp = web.Response(text=request.headers.get("Cookie", ""))
        resp.set_cookie("flavour", "oat")
        return resp

    app = web.Application()
    app.router.add_get("/", set_cookie)
    server = await aiohttp_server(app)
    async with ClientSession(cookie_jar=ListCookieJar()) as session:
        async with session.get(server.make_url("/")) as resp:
            assert await resp.text() == ""
        async with session.get(server.make_url("/")) as resp:
            assert await resp.text() == "flavour=oat"

        len(session.cookie_jar)
        assert len(session.cookie_jar) == 2

        for cookie in session.cookie_jar:
            print(cookie.key)
            print(cookie["domain"])
        session.cookie_jar.clear_domain("127.0.0.1")
        assert len(session.cookie_jar) == 0
    assert capsys.readouterr().out == "flavour\n127.0.0.1\n" * 2


# -- streams.rst -------------------------------------------------------------


def streams_app() -> web.Application:
    """Sends a body of three lines as three HTTP chunks."""

    async def lines(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse()
        resp.enable_chunked_encoding()
        await resp.prepare(request)
        for line in (b"first line\n", b"second\n", b"third, no newline"):
            await resp.write(line)
        await resp.write_eof()
        return resp

    async def fixed(request: web.Request) -> web.Response:
        return web.Response(body=b"0123456789")

    app = web.Application()
    app.router.add_get("/lines", lines)
    app.router.add_get("/fixed", fixed)
    return app


@pytest.fixture
async def streams_url(aiohttp_server: Server) -> URL:
    server = await aiohttp_server(streams_app())
    return server.make_url("/")  # type: ignore[no-any-return]


async def run_with(url: URL, body: Callable[[ClientResponse], Awaitable[None]]) -> None:
    async with ClientSession() as session, session.get(url) as response:
        await body(response)


# streams.rst:118
async def test_iterate_over_lines(
    streams_url: URL, capsys: pytest.CaptureFixture[str]
) -> None:
    async def body(response: ClientResponse) -> None:
        async for line in response.content:
            print(line)

    await run_with(streams_url / "lines", body)
    assert capsys.readouterr().out.splitlines() == [
        "b'first line\\n'",
        "b'second\\n'",
        "b'third, no newline'",
    ]


# streams.rst:129
async def test_iter_chunked(
    streams_url: URL, capsys: pytest.CaptureFixture[str]
) -> None:
    async def body(response: ClientResponse) -> None:
        async for data in response.content.iter_chunked(1024):
            print(data)

    await run_with(streams_url / "fixed", body)
    assert capsys.readouterr().out == "b'0123456789'\n"

    sizes: list[int] = []

    async def small(response: ClientResponse) -> None:
        async for data in response.content.iter_chunked(4):
            sizes.append(len(data))

    await run_with(streams_url / "fixed", small)
    # "with maximum size limit": never more than 4 bytes.
    assert sizes == [4, 4, 2]


# streams.rst:136
@pytest.mark.skip(reason="asyncstdlib (batched, chain) is not installed")
async def test_iter_chunked_exact_with_asyncstdlib() -> None:
    from asyncstdlib.itertools import (  # type: ignore[import-not-found]
        batched,
        chain,
    )

    assert batched
    assert chain


# streams.rst:145
async def test_iter_any(streams_url: URL) -> None:
    got: list[bytes] = []

    async def body(response: ClientResponse) -> None:
        async for data in response.content.iter_any():
            got.append(data)

    await run_with(streams_url / "lines", body)
    assert b"".join(got) == b"first line\nsecond\nthird, no newline"
    assert all(got)


# streams.rst:153
async def test_iter_chunks(streams_url: URL) -> None:
    got: list[bytes] = []

    async def body(response: ClientResponse) -> None:
        async for data, _ in response.content.iter_chunks():
            got.append(data)

    await run_with(streams_url / "lines", body)
    assert b"".join(got) == b"first line\nsecond\nthird, no newline"


# streams.rst:159
async def test_iter_chunks_http_chunk_boundaries(
    streams_url: URL, capsys: pytest.CaptureFixture[str]
) -> None:
    async def body(response: ClientResponse) -> None:
        buffer = b""

        async for data, end_of_http_chunk in response.content.iter_chunks():
            buffer += data
            if end_of_http_chunk:
                print(buffer)
                buffer = b""

    await run_with(streams_url / "lines", body)
    assert capsys.readouterr().out.splitlines() == [
        "b'first line\\n'",
        "b'second\\n'",
        "b'third, no newline'",
    ]


# streams.rst:26-96, the reading methods as documented
async def test_reading_methods(streams_url: URL) -> None:
    async def body(response: ClientResponse) -> None:
        content = response.content
        assert await content.readline() == b"first line\n"
        assert await content.readuntil(b",") == b"second\nthird,"
        assert await content.readexactly(3) == b" no"
        with pytest.raises(asyncio.IncompleteReadError) as exc_info:
            await content.readexactly(100)
        assert exc_info.value.partial == b" newline"
        assert await content.read() == b""
        assert await content.readline() == b""
        assert content.at_eof()
        assert content.is_eof()

    await run_with(streams_url / "lines", body)

    async def unread(response: ClientResponse) -> None:
        content = response.content
        await content.wait_eof()
        assert content.is_eof()
        assert not content.at_eof()
        assert content.read_nowait(4) == b"0123"
        content.unread_data(b"0123")
        assert await content.read(-1) == b"0123456789"
        assert content.exception() is None

    await run_with(streams_url / "fixed", unread)


# -- multipart.rst (client side) ---------------------------------------------


def multipart_response_app() -> web.Application:
    """Answers with a multipart/mixed body: JSON, a decoy file, the file."""
    secret = base64.b64encode(gzip.compress(b"the secret")).decode()
    body = (
        "--BOUNDARY\r\n"
        "Content-Type: application/json\r\n\r\n"
        '{"name": "report"}\r\n'
        "--BOUNDARY\r\n"
        "Content-Type: text/plain\r\n"
        'Content-Disposition: attachment; filename="other.txt"\r\n\r\n'
        "not this one\r\n"
        "--BOUNDARY\r\n"
        "Content-Type: text/plain\r\n"
        'Content-Disposition: attachment; filename="secret.txt"\r\n'
        "Content-Encoding: gzip\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n"
        f"{secret}\r\n"
        "--BOUNDARY--\r\n"
    )

    async def answer(request: web.Request) -> web.Response:
        return web.Response(
            body=body.encode(),
            headers={"Content-Type": "multipart/mixed; boundary=BOUNDARY"},
        )

    app = web.Application()
    app.router.add_get("/", answer)
    return app


# multipart.rst:18 to :100, the reading walkthrough joined up
async def test_reading_multipart_responses(aiohttp_server: Server) -> None:
    server = await aiohttp_server(multipart_response_app())

    async with aiohttp.request("GET", server.make_url("/")) as resp:
        reader = aiohttp.MultipartReader.from_response(resp)

        metadata = None
        filedata = None
        while True:
            part = await reader.next()

            if part is None:
                break

            assert isinstance(part, aiohttp.BodyPartReader)
            if part.headers[aiohttp.hdrs.CONTENT_TYPE] == "application/json":
                metadata = await part.json()
                continue

            if part.filename != "secret.txt":
                continue

            filedata = await part.read(decode=False)

            filedata = part.decode(filedata)

            break

    assert metadata == {"name": "report"}
    assert filedata == b"the secret"


def multipart_echo_app(seen: list[Any]) -> web.Application:
    """Notes the parts of a multipart request: headers and decoded body."""

    async def collect(reader: aiohttp.MultipartReader) -> list[Any]:
        parts: list[Any] = []
        while (part := await reader.next()) is not None:
            if isinstance(part, aiohttp.MultipartReader):
                parts.append(await collect(part))
            else:
                raw = await part.read(decode=True)
                parts.append((dict(part.headers), raw))
        return parts

    async def echo(request: web.Request) -> web.Response:
        seen.append(request.headers["Content-Type"])
        seen.append(await collect(await request.multipart()))
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/", echo)
    return app


# multipart.rst:111
def test_nested_writers_structure() -> None:
    with aiohttp.MultipartWriter("mixed") as mpwriter:
        with aiohttp.MultipartWriter("related") as subwriter:
            ...
        mpwriter.append(subwriter)

        with aiohttp.MultipartWriter("related") as subwriter:
            with aiohttp.MultipartWriter("related") as subsubwriter:
                ...
            subwriter.append(subsubwriter)
        mpwriter.append(subwriter)

        with aiohttp.MultipartWriter("related") as subwriter:
            ...
        mpwriter.append(subwriter)

    assert len(mpwriter) == 3
    assert mpwriter.headers["Content-Type"].startswith("multipart/mixed; boundary=")
    assert [len(part) for part in mpwriter] == [0, 1, 0]  # type: ignore[arg-type]


# multipart.rst:134 to :178, appended parts sent with a session
async def test_writing_multipart_requests(
    aiohttp_server: Server, tmp_path: Path
) -> None:
    seen: list[Any] = []
    server = await aiohttp_server(multipart_echo_app(seen))
    attached = tmp_path / "module.py"
    attached.write_bytes(b"print('hi')\n")

    with aiohttp.MultipartWriter("mixed") as mpwriter:
        root = mpwriter
        mpwriter.append("hello")
        mpwriter.append(b"aiohttp")
        mpwriter.append(io.BytesIO(b"GIF89a..."), {"CONTENT-TYPE": "image/gif"})
        with open(attached, "rb") as f:  # noqa: ASYNC230
            part = root.append(f)
            assert part.headers["Content-Type"] == mimetypes.guess_type(f.name)[0]
            assert 'filename="module.py"' in part.headers["Content-Disposition"]
            part.set_content_disposition("attachment", filename="secret.txt")
            part.headers[aiohttp.hdrs.CONTENT_ID] = "X-12345"
            mpwriter.append_json({"test": "passed"})
            mpwriter.append_form([("key", "value")])

            async with ClientSession() as session:
                resp = await session.post(server.make_url("/"), data=mpwriter)
                assert await resp.text() == "ok"

    content_type, parts = seen
    assert content_type.startswith("multipart/mixed; boundary=")
    text, binary, gif, file, jsn, form = parts
    assert text[0]["Content-Type"] == "text/plain; charset=utf-8"
    assert text[1] == b"hello"
    assert binary[0]["Content-Type"] == "application/octet-stream"
    assert binary[1] == b"aiohttp"
    assert gif[0]["CONTENT-TYPE"] == "image/gif"
    assert gif[1] == b"GIF89a..."
    assert file[0]["Content-Disposition"] == 'attachment; filename="secret.txt"'
    assert file[0]["Content-ID"] == "X-12345"
    assert file[1] == b"print('hi')\n"
    assert jsn[0]["Content-Type"] == "application/json"
    assert json.loads(jsn[1]) == {"test": "passed"}
    assert form[0]["Content-Type"] == "application/x-www-form-urlencoded"
    assert form[1] == b"key=value"


# multipart.rst:166
async def test_content_encoding_set_after_append(
    aiohttp_server: Server, tmp_path: Path
) -> None:
    seen: list[Any] = []
    server = await aiohttp_server(multipart_echo_app(seen))
    attached = tmp_path / "module.py"
    attached.write_bytes(b"print('hi')\n" * 10)

    with aiohttp.MultipartWriter("mixed") as root:  # noqa: SIM117
        with open(attached, "rb") as f:  # noqa: ASYNC230
            part = root.append(f)
            assert part.headers["Content-Type"] == mimetypes.guess_type(f.name)[0]
            part.headers[aiohttp.hdrs.CONTENT_ENCODING] = "gzip"

            async with (
                ClientSession() as session,
                session.post(server.make_url("/"), data=root) as resp,
            ):
                assert resp.status == 200

    ((headers, body),) = seen[1]
    # "it will be automatically applied to the data on serialization"
    assert headers["Content-Encoding"] == "gzip"
    assert "Content-Length" not in headers
    assert body == b"print('hi')\n" * 10


# multipart.rst:192 (the server side of a multipart/x-mixed-replace stream)
async def test_x_mixed_replace_without_closing_boundary(aiohttp_server: Server) -> None:
    frames = iter([b"\xff\xd8frame1", b"\xff\xd8frame2"])

    def get_jpeg_frame() -> bytes:
        return next(frames)

    async def stream(request: web.Request) -> web.StreamResponse:
        from aiohttp import MultipartWriter

        my_boundary = "some-boundary"
        response = web.StreamResponse(
            status=200,
            reason="OK",
            headers={
                "Content-Type": f"multipart/x-mixed-replace;boundary={my_boundary}"
            },
        )
        await response.prepare(request)
        for _ in range(2):  # the page loops forever; two frames do here
            frame = get_jpeg_frame()
            with MultipartWriter("image/jpeg", boundary=my_boundary) as mpwriter:
                mpwriter.append(frame, {"Content-Type": "image/jpeg"})
                await mpwriter.write(response, close_boundary=False)
            await response.drain()
        return response

    app = web.Application()
    app.router.add_get("/", stream)
    server = await aiohttp_server(app)
    async with (
        ClientSession() as session,
        session.get(server.make_url("/")) as resp,
    ):
        body = await resp.read()
    assert body.count(b"--some-boundary\r\n") == 2
    assert b"--some-boundary--" not in body
    assert b"frame1" in body
    assert b"frame2" in body


# multipart.rst:219
async def test_parts_without_content_length(aiohttp_server: Server) -> None:
    seen: list[Any] = []
    server = await aiohttp_server(multipart_echo_app(seen))
    with aiohttp.MultipartWriter("mixed") as mpwriter:
        mpwriter.append("hello")
        mpwriter.append_json({"a": 1})

    for part in mpwriter:
        part.headers.pop(aiohttp.hdrs.CONTENT_LENGTH, None)  # type: ignore[attr-defined]

    async with (
        ClientSession() as session,
        session.post(server.make_url("/"), data=mpwriter) as resp,
    ):
        assert resp.status == 200
    parts = seen[1]
    assert [p[1] for p in parts] == [b"hello", b'{"a": 1}']
    assert all("Content-Length" not in p[0] for p in parts)


# multipart.rst:228
@pytest.mark.xfail(
    strict=True,
    raises=AttributeError,
    reason="the example posts with aiohttp.post(), which the package has not",
)
async def test_writer_into_buffer_as_shown(aiohttp_server: Server) -> None:
    server = await aiohttp_server(multipart_echo_app([]))
    with aiohttp.MultipartWriter("mixed") as mpwriter:
        mpwriter.append("hello")

    class Writer:
        def __init__(self) -> None:
            self.buffer = bytearray()

        async def write(self, data: bytes) -> None:
            self.buffer.extend(data)

    writer = Writer()
    await mpwriter.write(writer)  # type: ignore[arg-type]
    await aiohttp.post(  # type: ignore[attr-defined]
        server.make_url("/"), data=writer.buffer, headers=mpwriter.headers
    )


# multipart.rst:228, posting the buffer with a session instead
async def test_writer_into_buffer(aiohttp_server: Server) -> None:
    seen: list[Any] = []
    server = await aiohttp_server(multipart_echo_app(seen))
    with aiohttp.MultipartWriter("mixed") as mpwriter:
        mpwriter.append("hello")
        mpwriter.append_json({"a": 1})

    class Writer:
        def __init__(self) -> None:
            self.buffer = bytearray()

        async def write(self, data: bytes) -> None:
            self.buffer.extend(data)

    writer = Writer()
    await mpwriter.write(writer)  # type: ignore[arg-type]
    assert len(writer.buffer) == mpwriter.size
    async with (
        ClientSession() as session,
        session.post(
            server.make_url("/"), data=writer.buffer, headers=mpwriter.headers
        ) as resp,
    ):
        assert resp.status == 200
    assert [p[1] for p in seen[1]] == [b"hello", b'{"a": 1}']


def documents_writer() -> aiohttp.MultipartWriter:
    """The document/attachments structure shown at multipart.rst:248."""
    with aiohttp.MultipartWriter("mixed", boundary=":") as root:
        for name in ("foo", "boo"):
            root.append_json({"_id": name})
            if name == "foo":
                related = ("bar", b"bar! bar! bar!")
            else:
                related = ("baz", b"baz! baz! baz!")
            with aiohttp.MultipartWriter("related", boundary="--:") as sub:
                sub.append_json({"_id": related[0]})
                part = sub.append(related[1], {"Content-Type": "text/plain"})
                part.set_content_disposition(
                    "attachment", quote_fields=False, filename=f"{related[0]}.txt"
                )
            root.append(sub)
    return root


def documents_app() -> web.Application:
    async def answer(request: web.Request) -> web.Response:
        writer = documents_writer()
        buffer = bytearray()

        class Sink:
            async def write(self, data: bytes) -> None:
                buffer.extend(data)

        await writer.write(Sink())  # type: ignore[arg-type]
        return web.Response(
            body=bytes(buffer), headers={"Content-Type": writer.headers["Content-Type"]}
        )

    app = web.Application()
    app.router.add_get("/", answer)
    return app


# multipart.rst:248: the serialized form of the structure
async def test_documents_serialization() -> None:
    buffer = bytearray()

    class Sink:
        async def write(self, data: bytes) -> None:
            buffer.extend(data)

    writer = documents_writer()
    await writer.write(Sink())  # type: ignore[arg-type]
    assert writer.headers["Content-Type"] == 'multipart/mixed; boundary=":"'
    text = buffer.decode()
    # Header names and the Content-Length lines aside, the page's layout.
    # The page writes the filename unquoted; a quoted one says the same.
    lines = [
        line.replace('"bar.txt"', "bar.txt").replace('"baz.txt"', "baz.txt")
        for line in text.split("\r\n")
        if line and not line.lower().startswith("content-length")
    ]
    assert [line.lower() for line in lines] == [
        line.lower()
        for line in [
            "--:",
            "Content-Type: application/json",
            '{"_id": "foo"}',
            "--:",
            'Content-Type: multipart/related; boundary="--:"',
            "----:",
            "Content-Type: application/json",
            '{"_id": "bar"}',
            "----:",
            "Content-Type: text/plain",
            "Content-Disposition: attachment; filename=bar.txt",
            "bar! bar! bar!",
            "----:--",
            "--:",
            "Content-Type: application/json",
            '{"_id": "boo"}',
            "--:",
            'Content-Type: multipart/related; boundary="--:"',
            "----:",
            "Content-Type: application/json",
            '{"_id": "baz"}',
            "----:",
            "Content-Type: text/plain",
            "Content-Disposition: attachment; filename=baz.txt",
            "baz! baz! baz!",
            "----:--",
            "--:--",
        ]
    ]


# multipart.rst:289
async def test_reading_documents_with_attachments(aiohttp_server: Server) -> None:
    server = await aiohttp_server(documents_app())
    async with aiohttp.request("GET", server.make_url("/")) as resp:
        reader = aiohttp.MultipartReader.from_response(resp)

        result = []
        while True:
            part = await reader.next()

            if part is None:
                break

            if isinstance(part, aiohttp.MultipartReader):
                # Fetching files
                while True:
                    filepart = await part.next()
                    if filepart is None:
                        break
                    result[-1].append(await filepart.read())  # type: ignore[union-attr]

            else:
                # Fetching document
                result.append([(await part.json())])

    # The page's loop appends the related JSON and file to the document.
    assert result == [
        [{"_id": "foo"}, bytearray(b'{"_id": "bar"}'), bytearray(b"bar! bar! bar!")],
        [{"_id": "boo"}, bytearray(b'{"_id": "baz"}'), bytearray(b"baz! baz! baz!")],
    ]


class PairsMultipartReader(aiohttp.MultipartReader):
    """multipart.rst:311, as written."""

    # keep reference on the original reader
    multipart_reader_cls = aiohttp.MultipartReader

    async def next(self) -> Any:
        """Emits a tuple of document object (:class:`dict`) and multipart
        reader of the followed attachments (if any).

        :rtype: tuple
        """
        reader = await super().next()

        if self._at_eof:
            return None, None

        if isinstance(reader, self.multipart_reader_cls):
            part = await reader.next()
            doc = await part.json()  # type: ignore[union-attr]
        else:
            doc = await reader.json()  # type: ignore[union-attr]

        return doc, reader


# multipart.rst:337, with its `file.part` typo read as `filepart` (as written,
# `file` is undefined and the loop raises NameError)
async def test_pairs_multipart_reader(aiohttp_server: Server) -> None:
    server = await aiohttp_server(documents_app())
    async with aiohttp.request("GET", server.make_url("/")) as resp:
        reader = PairsMultipartReader.from_response(resp)
        result = []
        while True:
            doc, files_reader = await reader.next()

            if doc is None:
                break

            files = []
            while True:
                filepart = await files_reader.next()
                if filepart is None:
                    break
                files.append(await filepart.read())

            result.append((doc, files))

    # A plain document comes with no files; a nested group gives its
    # document and the attachments after it.
    assert result == [
        ({"_id": "foo"}, []),
        ({"_id": "bar"}, [bytearray(b"bar! bar! bar!")]),
        ({"_id": "boo"}, []),
        ({"_id": "baz"}, [bytearray(b"baz! baz! baz!")]),
    ]


# -- structures.rst ----------------------------------------------------------


# structures.rst:14
def test_frozen_list() -> None:
    items = aiohttp.FrozenList([1, 2])
    assert isinstance(items, FrozenList)
    assert not items.frozen
    items.append(3)
    items[0] = 0
    assert list(items) == [0, 2, 3]
    items.freeze()
    assert items.frozen
    with pytest.raises(RuntimeError):
        items.append(4)
    with pytest.raises(RuntimeError):
        items[0] = 1
    with pytest.raises(RuntimeError):
        del items[0]
    assert list(items) == [0, 2, 3]


# structures.rst:40
def test_chain_map_proxy() -> None:
    proxy = aiohttp.ChainMapProxy([{"a": 1}, {"a": 2, "b": 3}])
    assert proxy["a"] == 1
    assert proxy["b"] == 3
    assert proxy.get("c") is None
    assert len(proxy) == 2
    assert set(proxy) == {"a", "b"}
    with pytest.raises(KeyError):
        proxy["c"]
    with pytest.raises(TypeError):
        proxy["a"] = 5  # type: ignore[index]


# -- websocket_utilities.rst -------------------------------------------------


# websocket_utilities.rst:7
def test_ws_close_codes() -> None:
    expected = {
        "OK": 1000,
        "GOING_AWAY": 1001,
        "PROTOCOL_ERROR": 1002,
        "UNSUPPORTED_DATA": 1003,
        "ABNORMAL_CLOSURE": 1006,
        "INVALID_TEXT": 1007,
        "POLICY_VIOLATION": 1008,
        "MESSAGE_TOO_BIG": 1009,
        "MANDATORY_EXTENSION": 1010,
        "INTERNAL_ERROR": 1011,
        "SERVICE_RESTART": 1012,
        "TRY_AGAIN_LATER": 1013,
        "BAD_GATEWAY": 1014,
    }
    assert {n: int(getattr(aiohttp.WSCloseCode, n)) for n in expected} == expected


# websocket_utilities.rst:96
def test_ws_msg_types() -> None:
    expected = {
        "CONTINUATION": 0x0,
        "TEXT": 0x1,
        "BINARY": 0x2,
        "PING": 0x9,
        "PONG": 0xA,
        "CLOSE": 0x8,
    }
    assert {n: int(getattr(aiohttp.WSMsgType, n)) for n in expected} == expected
    assert issubclass(aiohttp.WSMsgType, enum.IntEnum)
    assert {aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR}.isdisjoint(
        expected.values()
    )


# websocket_utilities.rst:136 and :170
def test_ws_message_json() -> None:
    msg = aiohttp.WSMessage(aiohttp.WSMsgType.TEXT, '{"a": [1]}', None)
    assert msg.json() == {"a": [1]}
    assert msg.json(loads=lambda s: ("custom", s)) == ("custom", '{"a": [1]}')
    assert msg.type is aiohttp.WSMsgType.TEXT
    assert msg.extra is None
    with pytest.raises(ValueError, match="Expecting value"):
        aiohttp.WSMessage(aiohttp.WSMsgType.TEXT, "not json", None).json()


# websocket_utilities.rst:142: data and extra for each type, over a socket
async def test_ws_message_fields_over_a_socket(aiohttp_server: Server) -> None:
    async def handler(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_str("text")
        await ws.send_bytes(b"\x00bin")
        await ws.close(code=aiohttp.WSCloseCode.GOING_AWAY, message=b"bye")
        return ws

    app = web.Application()
    app.router.add_get("/", handler)
    server = await aiohttp_server(app)
    async with (
        ClientSession() as session,
        session.ws_connect(server.make_url("/")) as ws,
    ):
        text = await ws.receive(timeout=2)
        binary = await ws.receive(timeout=2)
        close = await ws.receive(timeout=2)
    assert (text.type, text.data) == (aiohttp.WSMsgType.TEXT, "text")
    assert (binary.type, binary.data) == (aiohttp.WSMsgType.BINARY, b"\x00bin")
    assert close.type is aiohttp.WSMsgType.CLOSE
    assert close.data == aiohttp.WSCloseCode.GOING_AWAY
    assert close.extra == "bye"
