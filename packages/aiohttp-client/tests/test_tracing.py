"""Tracing: TraceConfig, the params classes, Trace, and every signal on the wire."""

from __future__ import annotations

import asyncio
import dataclasses
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from types import SimpleNamespace
from typing import Any

import pytest
from aiosignal import Signal
from multidict import CIMultiDict
from yarl import URL

from aiohttp_client import (
    ClientConnectorError,
    ClientSession,
    ServerDisconnectedError,
    TCPConnector,
)
from aiohttp_client.abc import AbstractResolver, ResolveResult
from aiohttp_client.tracing import (
    Trace,
    TraceConfig,
    TraceConnectionCreateEndParams,
    TraceConnectionCreateStartParams,
    TraceConnectionQueuedEndParams,
    TraceConnectionQueuedStartParams,
    TraceConnectionReuseconnParams,
    TraceDnsCacheHitParams,
    TraceDnsCacheMissParams,
    TraceDnsResolveHostEndParams,
    TraceDnsResolveHostStartParams,
    TraceRequestChunkSentParams,
    TraceRequestEndParams,
    TraceRequestExceptionParams,
    TraceRequestHeadersSentParams,
    TraceRequestRedirectParams,
    TraceRequestStartParams,
    TraceResponseChunkReceivedParams,
)
from aiohttp_web.app import Application
from aiohttp_web.request import Request
from aiohttp_web.response import Response
from aiohttp_web.stream_response import StreamResponse

ServeApp = Callable[..., Awaitable[URL]]
RawServer = Callable[..., Awaitable[URL]]

# signal name -> (params class, its documented attributes)
SIGNALS: dict[str, tuple[type, tuple[str, ...]]] = {
    "on_request_start": (TraceRequestStartParams, ("method", "url", "headers")),
    "on_request_chunk_sent": (TraceRequestChunkSentParams, ("method", "url", "chunk")),
    "on_response_chunk_received": (
        TraceResponseChunkReceivedParams,
        ("method", "url", "chunk"),
    ),
    "on_request_end": (TraceRequestEndParams, ("method", "url", "headers", "response")),
    "on_request_exception": (
        TraceRequestExceptionParams,
        ("method", "url", "headers", "exception"),
    ),
    "on_request_redirect": (
        TraceRequestRedirectParams,
        ("method", "url", "headers", "response"),
    ),
    "on_connection_queued_start": (TraceConnectionQueuedStartParams, ()),
    "on_connection_queued_end": (TraceConnectionQueuedEndParams, ()),
    "on_connection_create_start": (TraceConnectionCreateStartParams, ()),
    "on_connection_create_end": (TraceConnectionCreateEndParams, ()),
    "on_connection_reuseconn": (TraceConnectionReuseconnParams, ()),
    "on_dns_resolvehost_start": (TraceDnsResolveHostStartParams, ("host",)),
    "on_dns_resolvehost_end": (TraceDnsResolveHostEndParams, ("host",)),
    "on_dns_cache_hit": (TraceDnsCacheHitParams, ("host",)),
    "on_dns_cache_miss": (TraceDnsCacheMissParams, ("host",)),
    "on_request_headers_sent": (
        TraceRequestHeadersSentParams,
        ("method", "url", "headers"),
    ),
}


# --- TraceConfig ---------------------------------------------------------------


def test_every_documented_signal_is_a_signal() -> None:
    config = TraceConfig()
    for name in SIGNALS:
        signal = getattr(config, name)
        assert isinstance(signal, Signal)
        assert getattr(config, name) is signal  # the same one every time
    signals = [getattr(config, name) for name in SIGNALS]
    assert len({id(s) for s in signals}) == len(SIGNALS)


def test_default_context_is_a_simple_namespace() -> None:
    config = TraceConfig()
    ctx = config.trace_config_ctx()
    assert isinstance(ctx, SimpleNamespace)
    assert ctx.trace_request_ctx is None
    marker = object()
    other = config.trace_config_ctx(trace_request_ctx=marker)
    assert other.trace_request_ctx is marker
    assert other is not ctx


def test_custom_context_factory() -> None:
    class Context:
        def __init__(self, trace_request_ctx: object = None) -> None:
            self.trace_request_ctx = trace_request_ctx
            self.events: list[str] = []

    config = TraceConfig(trace_config_ctx_factory=Context)
    ctx = config.trace_config_ctx({"id": 7})
    assert isinstance(ctx, Context)
    assert ctx.trace_request_ctx == {"id": 7}


def test_freeze() -> None:
    config = TraceConfig()

    async def handler(session: object, ctx: object, params: object) -> None:
        pass

    config.on_request_start.append(handler)
    assert not config.frozen
    config.freeze()
    config.freeze()  # twice is fine
    assert config.frozen
    for name in SIGNALS:
        assert getattr(config, name).frozen
        with pytest.raises(RuntimeError):
            getattr(config, name).append(handler)
    assert list(config.on_request_start) == [handler]


# --- the params classes -------------------------------------------------------


@pytest.mark.parametrize("name", list(SIGNALS))
def test_params_have_exactly_the_documented_attributes(name: str) -> None:
    cls, attributes = SIGNALS[name]
    assert tuple(f.name for f in dataclasses.fields(cls)) == attributes
    params = cls(*(f"v{i}" for i in range(len(attributes))))
    for i, attribute in enumerate(attributes):
        assert getattr(params, attribute) == f"v{i}"
    with pytest.raises(dataclasses.FrozenInstanceError):
        params.extra = 1
    if attributes:
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(params, attributes[0], "changed")
    assert params == cls(*(f"v{i}" for i in range(len(attributes))))


# --- Trace -------------------------------------------------------------------------


def record(config: TraceConfig[Any]) -> list[tuple[str, object, object, object]]:
    """Subscribe to every signal of ``config``; return the growing event list."""
    events: list[tuple[str, object, object, object]] = []
    for name in SIGNALS:

        async def handler(
            session: object, ctx: object, params: object, name: str = name
        ) -> None:
            events.append((name, session, ctx, params))

        getattr(config, name).append(handler)
    return events


URL_ = URL("http://h.example/p")
HEADERS: CIMultiDict[str] = CIMultiDict(A="1")
RESPONSE = object()
ERROR = ValueError("boom")

SENDS: list[tuple[str, tuple[object, ...], str, object]] = [
    (
        "send_request_start",
        ("GET", URL_, HEADERS),
        "on_request_start",
        TraceRequestStartParams("GET", URL_, HEADERS),
    ),
    (
        "send_request_chunk_sent",
        ("POST", URL_, b"c"),
        "on_request_chunk_sent",
        TraceRequestChunkSentParams("POST", URL_, b"c"),
    ),
    (
        "send_response_chunk_received",
        ("GET", URL_, b"r"),
        "on_response_chunk_received",
        TraceResponseChunkReceivedParams("GET", URL_, b"r"),
    ),
    (
        "send_request_end",
        ("GET", URL_, HEADERS, RESPONSE),
        "on_request_end",
        TraceRequestEndParams("GET", URL_, HEADERS, RESPONSE),  # type: ignore[arg-type]
    ),
    (
        "send_request_exception",
        ("GET", URL_, HEADERS, ERROR),
        "on_request_exception",
        TraceRequestExceptionParams("GET", URL_, HEADERS, ERROR),
    ),
    (
        "send_request_redirect",
        ("GET", URL_, HEADERS, RESPONSE),
        "on_request_redirect",
        TraceRequestRedirectParams("GET", URL_, HEADERS, RESPONSE),  # type: ignore[arg-type]
    ),
    (
        "send_connection_queued_start",
        (),
        "on_connection_queued_start",
        TraceConnectionQueuedStartParams(),
    ),
    (
        "send_connection_queued_end",
        (),
        "on_connection_queued_end",
        TraceConnectionQueuedEndParams(),
    ),
    (
        "send_connection_create_start",
        (),
        "on_connection_create_start",
        TraceConnectionCreateStartParams(),
    ),
    (
        "send_connection_create_end",
        (),
        "on_connection_create_end",
        TraceConnectionCreateEndParams(),
    ),
    (
        "send_connection_reuseconn",
        (),
        "on_connection_reuseconn",
        TraceConnectionReuseconnParams(),
    ),
    (
        "send_dns_resolvehost_start",
        ("h",),
        "on_dns_resolvehost_start",
        TraceDnsResolveHostStartParams("h"),
    ),
    (
        "send_dns_resolvehost_end",
        ("h",),
        "on_dns_resolvehost_end",
        TraceDnsResolveHostEndParams("h"),
    ),
    ("send_dns_cache_hit", ("h",), "on_dns_cache_hit", TraceDnsCacheHitParams("h")),
    ("send_dns_cache_miss", ("h",), "on_dns_cache_miss", TraceDnsCacheMissParams("h")),
    (
        "send_request_headers",
        ("GET", URL_, HEADERS),
        "on_request_headers_sent",
        TraceRequestHeadersSentParams("GET", URL_, HEADERS),
    ),
]


def test_sends_cover_every_signal() -> None:
    assert sorted(signal for _, _, signal, _ in SENDS) == sorted(SIGNALS)


@pytest.mark.parametrize(("method", "args", "signal", "params"), SENDS)
async def test_trace_sends_one_signal(
    method: str, args: tuple[object, ...], signal: str, params: object
) -> None:
    config = TraceConfig()
    events = record(config)
    session, ctx = object(), SimpleNamespace()
    trace = Trace(session, config, ctx)  # type: ignore[arg-type]
    await getattr(trace, method)(*args)
    assert events == [(signal, session, ctx, params)]
    assert type(events[0][3]) is SIGNALS[signal][0]


async def test_trace_freezes_its_config() -> None:
    config = TraceConfig()
    Trace(object(), config, SimpleNamespace())  # type: ignore[arg-type]
    assert config.frozen
    await Trace(object(), config, None).send_dns_cache_hit("h")  # type: ignore[arg-type]


async def test_a_failing_handler_reaches_the_caller() -> None:
    config = TraceConfig()

    async def failing(session: object, ctx: object, params: object) -> None:
        raise LookupError("from the handler")

    config.on_dns_cache_miss.append(failing)
    trace = Trace(object(), config, SimpleNamespace())  # type: ignore[arg-type]
    with pytest.raises(LookupError, match="from the handler"):
        await trace.send_dns_cache_miss("h")


# --- on the wire ----------------------------------------------------------------


class StaticResolver(AbstractResolver):
    """Resolves every name to 127.0.0.1."""

    def __init__(self) -> None:
        self.lookups: list[str] = []

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        self.lookups.append(host)
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


def names(events: list[tuple[str, object, object, object]]) -> list[str]:
    return [event[0] for event in events]


async def echo_app(serve_app: ServeApp) -> URL:
    async def echo(request: Request) -> Response:
        body = await request.read()
        return Response(
            body=b"echo:" + body, headers={"X-Got": request.headers.get("X-Trace", "")}
        )

    async def redirect(request: Request) -> Response:
        return Response(status=302, headers={"Location": "/echo"})

    app = Application()
    app.router.add_route("*", "/echo", echo)
    app.router.add_route("*", "/redirect", redirect)
    return await serve_app(app)


async def test_a_request_fires_its_signals_in_order(serve_app: ServeApp) -> None:
    url = await echo_app(serve_app)
    config = TraceConfig()
    events = record(config)
    async with (
        ClientSession(trace_configs=[config]) as session,
        session.post(url / "echo", data=b"hello") as resp,
    ):
        body = await resp.read()
    assert body == b"echo:hello"
    assert names(events) == [
        "on_request_start",
        "on_connection_create_start",
        "on_connection_create_end",
        "on_request_headers_sent",
        "on_request_chunk_sent",
        "on_request_end",  # the head arrived
        "on_response_chunk_received",  # read() came after
    ]
    by_name = {name: (s, c, p) for name, s, c, p in events}
    contexts = {id(c) for _, _, c, _ in events}
    assert len(contexts) == 1  # one context for the whole request
    assert all(s is session for _, s, _, _ in events)

    start = by_name["on_request_start"][2]
    assert isinstance(start, TraceRequestStartParams)
    assert (start.method, start.url) == ("POST", url / "echo")
    sent = by_name["on_request_headers_sent"][2]
    assert isinstance(sent, TraceRequestHeadersSentParams)
    assert sent.headers["Host"] == url.raw_authority
    assert sent.headers["Content-Length"] == "5"
    chunks = [p.chunk for n, _, _, p in events if n == "on_request_chunk_sent"]  # type: ignore[attr-defined]
    assert b"".join(chunks) == b"hello"
    received = [p.chunk for n, _, _, p in events if n == "on_response_chunk_received"]  # type: ignore[attr-defined]
    assert b"".join(received) == b"echo:hello"
    end = by_name["on_request_end"][2]
    assert isinstance(end, TraceRequestEndParams)
    assert end.response is resp
    assert (end.method, end.url, end.response.status) == ("POST", url / "echo", 200)


async def test_request_start_headers_can_be_changed(serve_app: ServeApp) -> None:
    url = await echo_app(serve_app)
    config = TraceConfig()

    async def add_header(
        session: object, ctx: object, params: TraceRequestStartParams
    ) -> None:
        params.headers["X-Trace"] = "added"

    config.on_request_start.append(add_header)
    async with (
        ClientSession(trace_configs=[config]) as session,
        session.get(url / "echo") as resp,
    ):
        assert resp.headers["X-Got"] == "added"


async def test_trace_request_ctx_and_one_context_per_config(
    serve_app: ServeApp,
) -> None:
    url = await echo_app(serve_app)
    first, second = TraceConfig(), TraceConfig()
    seen: list[tuple[str, SimpleNamespace]] = []
    for label, config in (("first", first), ("second", second)):

        async def on_start(
            session: object, ctx: SimpleNamespace, params: object, label: str = label
        ) -> None:
            ctx.started = True
            seen.append((label, ctx))

        async def on_end(
            session: object, ctx: SimpleNamespace, params: object, label: str = label
        ) -> None:
            assert ctx.started  # the context start saw
            seen.append((label, ctx))

        config.on_request_start.append(on_start)
        config.on_request_end.append(on_end)
    async with ClientSession(trace_configs=[first, second]) as session:
        assert session.trace_configs == [first, second]
        for marker in ("one", "two"):
            async with session.get(url / "echo", trace_request_ctx=marker):
                pass
    assert [label for label, _ in seen] == ["first", "second"] * 2 * 2
    assert [ctx.trace_request_ctx for _, ctx in seen] == ["one"] * 4 + ["two"] * 4
    assert len({id(ctx) for _, ctx in seen}) == 4  # per config and per request


async def test_redirect(serve_app: ServeApp) -> None:
    url = await echo_app(serve_app)
    config = TraceConfig()
    events = record(config)
    async with (
        ClientSession(trace_configs=[config]) as session,
        session.get(url / "redirect") as resp,
    ):
        assert resp.url == url / "echo"
    redirects = [p for n, _, _, p in events if n == "on_request_redirect"]
    assert len(redirects) == 1
    redirect = redirects[0]
    assert isinstance(redirect, TraceRequestRedirectParams)
    assert redirect.url == url / "redirect"
    assert redirect.response.status == 302
    assert redirect.method == "GET"
    assert names(events).count("on_request_headers_sent") == 2
    assert names(events).count("on_request_start") == 1
    ends = [p for n, _, _, p in events if n == "on_request_end"]
    assert len(ends) == 1
    assert isinstance(ends[0], TraceRequestEndParams)
    assert ends[0].url == url / "echo"
    assert ends[0].response is resp


async def test_connection_reuse(serve_app: ServeApp) -> None:
    url = await echo_app(serve_app)
    config = TraceConfig()
    events = record(config)
    async with ClientSession(trace_configs=[config]) as session:
        for _ in range(2):
            async with session.get(url / "echo") as resp:
                await resp.read()
    assert names(events).count("on_connection_create_start") == 1
    assert names(events).count("on_connection_create_end") == 1
    assert names(events).count("on_connection_reuseconn") == 1
    second = names(events)[names(events).index("on_request_start", 1) :]
    assert second[:2] == ["on_request_start", "on_connection_reuseconn"]


async def test_dns_cache_miss_then_hit(serve_app: ServeApp) -> None:
    url = await echo_app(serve_app)
    named = url.with_host("tracing.test")
    config = TraceConfig()
    events = record(config)
    resolver = StaticResolver()
    connector = TCPConnector(resolver=resolver, force_close=True)
    async with ClientSession(connector=connector, trace_configs=[config]) as session:
        for _ in range(2):
            async with session.get(named / "echo") as resp:
                assert await resp.read() == b"echo:"
    assert resolver.lookups == ["tracing.test"]
    dns = [(n, p) for n, _, _, p in events if "dns" in n]
    assert dns == [
        ("on_dns_cache_miss", TraceDnsCacheMissParams("tracing.test")),
        ("on_dns_resolvehost_start", TraceDnsResolveHostStartParams("tracing.test")),
        ("on_dns_resolvehost_end", TraceDnsResolveHostEndParams("tracing.test")),
        ("on_dns_cache_hit", TraceDnsCacheHitParams("tracing.test")),
    ]
    first = names(events)[: names(events).index("on_request_end")]
    assert first.index("on_connection_create_start") < first.index("on_dns_cache_miss")
    assert first.index("on_dns_resolvehost_end") < first.index(
        "on_connection_create_end"
    )


async def test_dns_without_cache(serve_app: ServeApp) -> None:
    url = await echo_app(serve_app)
    config = TraceConfig()
    events = record(config)
    connector = TCPConnector(
        resolver=StaticResolver(), use_dns_cache=False, force_close=True
    )
    async with ClientSession(connector=connector, trace_configs=[config]) as session:
        for _ in range(2):
            async with session.get(url.with_host("tracing.test") / "echo"):
                pass
    assert [n for n in names(events) if "dns" in n] == [
        "on_dns_resolvehost_start",
        "on_dns_resolvehost_end",
    ] * 2


async def test_ip_address_needs_no_dns(serve_app: ServeApp) -> None:
    url = await echo_app(serve_app)
    config = TraceConfig()
    events = record(config)
    async with ClientSession(trace_configs=[config]) as session, session.get(url):
        pass
    assert not [n for n in names(events) if "dns" in n]


async def test_connection_queued(serve_app: ServeApp) -> None:
    entered = asyncio.Event()
    proceed = asyncio.Event()

    async def slow(request: Request) -> Response:
        entered.set()
        await proceed.wait()
        return Response(text="slow")

    app = Application()
    app.router.add_get("/", slow)
    url = await serve_app(app)
    config = TraceConfig()
    events = record(config)
    queued = asyncio.Event()

    async def on_queued(session: object, ctx: object, params: object) -> None:
        queued.set()

    config.on_connection_queued_start.append(on_queued)
    connector = TCPConnector(limit=1)
    async with ClientSession(connector=connector, trace_configs=[config]) as session:

        async def get(ctx: str) -> str:
            async with session.get(url, trace_request_ctx=ctx) as resp:
                return await resp.text()

        first = asyncio.create_task(get("first"))
        await asyncio.wait_for(entered.wait(), 2)
        second = asyncio.create_task(get("second"))
        await asyncio.wait_for(queued.wait(), 2)
        proceed.set()
        assert await asyncio.gather(first, second) == ["slow", "slow"]
    by_ctx = [
        (n, c.trace_request_ctx)  # type: ignore[attr-defined]
        for n, _, c, _ in events
        if "connection" in n
    ]
    assert ("on_connection_queued_start", "second") in by_ctx
    assert ("on_connection_queued_end", "second") in by_ctx
    assert ("on_connection_queued_start", "first") not in by_ctx
    assert by_ctx.index(("on_connection_queued_start", "second")) < by_ctx.index(
        ("on_connection_queued_end", "second")
    )


async def test_streamed_body_chunks(serve_app: ServeApp) -> None:
    url = await echo_app(serve_app)
    config = TraceConfig()
    events = record(config)

    async def parts() -> AsyncIterator[bytes]:
        for part in (b"first-", b"second-", b"third"):
            yield part

    async with (
        ClientSession(trace_configs=[config]) as session,
        session.post(url / "echo", data=parts()) as resp,
    ):
        assert await resp.read() == b"echo:first-second-third"
    sent = [p for n, _, _, p in events if n == "on_request_chunk_sent"]
    assert all(isinstance(p, TraceRequestChunkSentParams) for p in sent)
    joined = b"".join(p.chunk for p in sent)  # type: ignore[attr-defined]
    for part in (b"first-", b"second-", b"third"):
        assert part in joined
    assert joined.index(b"first-") < joined.index(b"second-") < joined.index(b"third")


async def test_streamed_response_chunks(serve_app: ServeApp) -> None:
    async def chunks(request: Request) -> StreamResponse:
        resp = StreamResponse()
        await resp.prepare(request)
        for part in (b"a" * 10, b"b" * 20):
            await resp.write(part)
            await asyncio.sleep(0)
        await resp.write_eof()
        return resp

    app = Application()
    app.router.add_get("/", chunks)
    url = await serve_app(app)
    config = TraceConfig()
    events = record(config)
    async with (
        ClientSession(trace_configs=[config]) as session,
        session.get(url) as resp,
    ):
        assert await resp.read() == b"a" * 10 + b"b" * 20
    received = [p for n, _, _, p in events if n == "on_response_chunk_received"]
    assert all(isinstance(p, TraceResponseChunkReceivedParams) for p in received)
    assert b"".join(p.chunk for p in received) == b"a" * 10 + b"b" * 20  # type: ignore[attr-defined]
    assert all(p.url == url and p.method == "GET" for p in received)  # type: ignore[attr-defined]


async def test_connection_refused_fires_exception() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = URL(f"http://127.0.0.1:{port}/nothing")
    config = TraceConfig()
    events = record(config)
    async with ClientSession(trace_configs=[config]) as session:
        with pytest.raises(ClientConnectorError) as info:
            await session.get(url)
    assert names(events) == [
        "on_request_start",
        "on_connection_create_start",
        "on_request_exception",
    ]
    error = events[-1][3]
    assert isinstance(error, TraceRequestExceptionParams)
    assert error.exception is info.value
    assert (error.method, error.url) == ("GET", url)
    assert isinstance(error.headers, CIMultiDict)


async def test_server_disconnect_fires_exception(raw_server: RawServer) -> None:
    async def hang_up(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        await reader.readuntil(b"\r\n\r\n")

    url = await raw_server(hang_up)
    config = TraceConfig()
    events = record(config)
    async with ClientSession(trace_configs=[config]) as session:
        with pytest.raises(ServerDisconnectedError):
            await session.get(url)
    assert "on_request_headers_sent" in names(events)
    assert names(events)[-1] == "on_request_exception"
    assert "on_request_end" not in names(events)
    error = events[-1][3]
    assert isinstance(error, TraceRequestExceptionParams)
    assert isinstance(error.exception, ServerDisconnectedError)


async def test_handler_error_fails_the_request(serve_app: ServeApp) -> None:
    url = await echo_app(serve_app)
    config = TraceConfig()

    async def refuse(session: object, ctx: object, params: object) -> None:
        raise LookupError("not this one")

    config.on_request_headers_sent.append(refuse)
    async with ClientSession(trace_configs=[config]) as session:
        with pytest.raises(LookupError, match="not this one"):
            await session.get(url / "echo")
