"""Tests of Application: state, AppKey, signals, cleanup contexts, sub-apps."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextvars import ContextVar
from pathlib import Path

import pytest

from aiohttp_testing.pytest_plugin import AiohttpClient, AiohttpServer
from aiohttp_testing.servers import TestServer
from aiohttp_web.abc import Handler
from aiohttp_web.app import (
    AppKey,
    Application,
    CleanupContext,
    CleanupError,
    NotAppKeyWarning,
)
from aiohttp_web.exceptions import HTTPException, HTTPExpectationFailed, HTTPForbidden
from aiohttp_web.request import Request
from aiohttp_web.resources import MatchedSubAppResource, PrefixedSubAppResource
from aiohttp_web.response import Response, StreamResponse, json_response
from aiohttp_web.route_def import RouteTableDef, get
from aiohttp_web.router import UrlDispatcher
from aiohttp_web.runner import AppRunner


async def hello(request: Request) -> Response:
    return Response(text="Hello, world")


# AppKey and the application's state


def test_app_key_typed_access() -> None:
    app = Application()
    key = AppKey("key", int)
    app[key] = 5
    assert app[key] == 5
    assert app.get(key) == 5
    assert app.get(AppKey("other", str)) is None
    assert app.get(AppKey("other", str), "x") == "x"


def test_app_key_repr() -> None:
    assert repr(AppKey("name", int)) == "<AppKey(name, type=int)>"
    assert repr(AppKey("path", Path)) == "<AppKey(path, type=pathlib.Path)>"
    assert repr(AppKey("nothing")) == "<AppKey(nothing, type=<<Unknown>>)>"
    assert repr(AppKey[str]("subscripted")) == "<AppKey(subscripted, type=str)>"
    assert "list[int]" in repr(AppKey("generic", list[int]))


def test_app_key_orders_before_str() -> None:
    a, b = AppKey("a", int), AppKey("b", int)
    assert a < b
    assert not b < a
    assert a < "zzz"  # type: ignore[operator]
    assert AppKey("x", int).name == "x"


def test_str_key_warns() -> None:
    app = Application()
    with pytest.warns(NotAppKeyWarning, match="web.AppKey"):
        app["key"] = 1
    assert app["key"] == 1
    assert "key" in app


def test_app_key_does_not_warn() -> None:
    app = Application()
    app[AppKey("key", int)] = 1  # filterwarnings=error would fail on a warning


def test_mapping_interface() -> None:
    app = Application()
    k1, k2 = AppKey("k1", int), AppKey("k2", str)
    app[k1] = 1
    app[k2] = "two"
    assert len(app) == 2
    assert list(app) == [k1, k2]
    del app[k1]
    assert k1 not in app
    assert dict(app.items()) == {k2: "two"}
    with pytest.raises(KeyError):
        app[k1]


def test_empty_app_is_true_and_compared_by_identity() -> None:
    a, b = Application(), Application()
    assert a
    assert a != b
    assert a == a
    assert len({a, b}) == 2
    assert a() is a
    assert repr(a).startswith("<Application 0x")


def test_subclassing_is_forbidden() -> None:
    with pytest.raises(TypeError, match="forbidden"):

        class MyApp(Application):  # type: ignore[misc]
            pass


def test_custom_attributes_are_refused() -> None:
    app = Application()
    with pytest.raises(AttributeError):
        app.custom = 1  # type: ignore[attr-defined]


def test_changing_frozen_state_is_deprecated() -> None:
    app = Application()
    key = AppKey("key", int)
    app[key] = 1
    app.freeze()
    assert app.frozen
    assert app.pre_frozen
    with pytest.warns(DeprecationWarning, match="Changing state of started"):
        app[key] = 2
    assert app[key] == 2
    with pytest.warns(DeprecationWarning, match="Changing state of started"):
        del app[key]
    assert key not in app


def test_freeze_freezes_signals_router_and_middlewares() -> None:
    app = Application()
    app.freeze()
    app.freeze()  # idempotent
    for signal in (app.on_startup, app.on_shutdown, app.on_cleanup):
        with pytest.raises(RuntimeError):
            signal.append(hello)  # type: ignore[arg-type]
    with pytest.raises(RuntimeError):
        app.on_response_prepare.append(hello)  # type: ignore[arg-type]
    with pytest.raises(RuntimeError):
        app.middlewares.append(hello)  # type: ignore[arg-type]
    with pytest.raises(RuntimeError):
        app.cleanup_ctx.append(hello)  # type: ignore[arg-type]
    assert app.router.frozen
    with pytest.raises(RuntimeError):
        app.router.add_get("/", hello)


def test_defaults_and_attributes() -> None:
    app = Application()
    assert isinstance(app.router, UrlDispatcher)
    assert app.logger is logging.getLogger("aiohttp.web")
    assert list(app.middlewares) == []
    assert isinstance(app.cleanup_ctx, CleanupContext)
    custom = logging.getLogger("custom")
    assert Application(logger=custom).logger is custom


def test_debug_is_deprecated() -> None:
    with pytest.warns(DeprecationWarning, match="debug"):
        app = Application(debug=True)
    with pytest.warns(DeprecationWarning, match="debug"):
        assert app.debug is True
    with pytest.warns(DeprecationWarning, match="debug"):
        assert Application().debug is False


def test_bad_arguments() -> None:
    with pytest.raises(TypeError, match="not callable"):
        Application(middlewares=[object()])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="client_max_size"):
        Application(client_max_size=-1)


def test_add_routes_returns_routes() -> None:
    app = Application()
    routes = app.add_routes([get("/", hello), get("/b", hello)])
    assert [r.method for r in routes] == ["GET", "GET"]


# Signals and cleanup contexts


async def test_lifecycle_order() -> None:
    calls: list[str] = []
    app = Application()

    async def ctx(app: Application) -> AsyncIterator[None]:
        calls.append("ctx enter")
        yield
        calls.append("ctx exit")

    async def on_startup(app: Application) -> None:
        calls.append("startup")

    async def on_shutdown(app: Application) -> None:
        calls.append("shutdown")

    async def on_cleanup(app: Application) -> None:
        calls.append("cleanup")

    app.cleanup_ctx.append(ctx)
    app.on_startup.append(on_startup)
    app.on_shutdown.append(on_shutdown)
    app.on_cleanup.append(on_cleanup)
    app.freeze()
    await app.startup()
    await app.shutdown()
    await app.cleanup()
    assert calls == ["ctx enter", "startup", "shutdown", "cleanup", "ctx exit"]
    assert len(app.on_startup) == len(app.on_cleanup) == 1


async def test_cleanup_ctx_runs_cleanup_only_after_startup_succeeded() -> None:
    calls: list[str] = []
    app = Application()

    async def first(app: Application) -> AsyncIterator[None]:
        calls.append("first enter")
        yield
        calls.append("first exit")

    async def failing(app: Application) -> AsyncIterator[None]:
        raise RuntimeError("no database")
        yield  # pragma: no cover

    async def never(app: Application) -> AsyncIterator[None]:  # pragma: no cover
        calls.append("never enter")
        yield
        calls.append("never exit")

    app.cleanup_ctx.extend([first, failing, never])
    runner = AppRunner(app)
    with pytest.raises(RuntimeError, match="no database"):
        await runner.setup()
    await runner.cleanup()
    assert calls == ["first enter", "first exit"]


async def test_cleanup_ctx_reverse_order_and_context_managers() -> None:
    calls: list[str] = []

    def make(name: str) -> Callable[[Application], AsyncIterator[None]]:
        async def ctx(app: Application) -> AsyncIterator[None]:
            calls.append(f"enter {name}")
            yield
            calls.append(f"exit {name}")

        return ctx

    @contextlib.asynccontextmanager
    async def managed(app: Application) -> AsyncIterator[None]:
        calls.append("enter cm")
        yield
        calls.append("exit cm")

    app = Application()
    app.cleanup_ctx.extend([make("a"), managed, make("b")])
    app.freeze()
    await app.startup()
    await app.cleanup()
    assert calls == ["enter a", "enter cm", "enter b", "exit b", "exit cm", "exit a"]


async def test_cleanup_ctx_with_two_yields() -> None:
    async def twice(app: Application) -> AsyncIterator[None]:
        yield
        yield

    app = Application()
    app.cleanup_ctx.append(twice)
    app.freeze()
    await app.startup()
    with pytest.raises(RuntimeError, match="more than one 'yield'"):
        await app.cleanup()


async def test_cleanup_ctx_errors_are_collected() -> None:
    calls: list[str] = []

    def failing(name: str) -> Callable[[Application], AsyncIterator[None]]:
        async def ctx(app: Application) -> AsyncIterator[None]:
            yield
            calls.append(name)
            raise ValueError(name)

        return ctx

    app = Application()
    app.cleanup_ctx.extend([failing("a"), failing("b")])
    app.freeze()
    await app.startup()
    with pytest.raises(CleanupError) as exc_info:
        await app.cleanup()
    assert calls == ["b", "a"]
    assert [str(e) for e in exc_info.value.exceptions] == ["b", "a"]

    single = Application()
    single.cleanup_ctx.append(failing("only"))
    single.freeze()
    await single.startup()
    with pytest.raises(ValueError, match="only"):
        await single.cleanup()


async def test_docs_cleanup_ctx_background_task(
    aiohttp_server: AiohttpServer,
) -> None:
    """The background_tasks example of web_advanced.rst, over a real runner."""
    ticks: list[int] = []

    async def listen(app: Application) -> None:
        while True:
            ticks.append(1)
            await asyncio.sleep(0.01)

    async def background_tasks(app: Application) -> AsyncIterator[None]:
        app[listener] = asyncio.create_task(listen(app))
        yield
        app[listener].cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await app[listener]

    app = Application()
    listener = AppKey("listener", asyncio.Task[None])
    app.cleanup_ctx.append(background_tasks)
    server = await aiohttp_server(app)
    await asyncio.sleep(0.05)
    assert not app[listener].done()
    await server.close()
    assert app[listener].cancelled()
    assert ticks


async def test_startup_handlers_may_store_state(
    aiohttp_client: AiohttpClient,
) -> None:
    """The create_pg example: on_startup writes app[key] before the freeze."""
    engine = AppKey("engine", str)

    async def create(app: Application) -> None:
        app[engine] = "connected"

    async def handler(request: Request) -> Response:
        return Response(text=request.app[engine])

    app = Application()
    app.on_startup.append(create)
    app.router.add_get("/", handler)
    client = await aiohttp_client(app)
    assert await (await client.get("/")).text() == "connected"
    assert app.frozen


# Serving: middlewares, Expect, signals over a real socket


async def test_docs_middleware_order(
    capsys: pytest.CaptureFixture[str], aiohttp_client: AiohttpClient
) -> None:
    async def test(request: Request) -> Response:
        print("Handler function called")
        return Response(text="Hello")

    async def middleware1(request: Request, handler: Handler) -> StreamResponse:
        print("Middleware 1 called")
        response = await handler(request)
        print("Middleware 1 finished")
        return response

    async def middleware2(request: Request, handler: Handler) -> StreamResponse:
        print("Middleware 2 called")
        response = await handler(request)
        print("Middleware 2 finished")
        return response

    app = Application(middlewares=[middleware1, middleware2])
    app.router.add_get("/", test)
    client = await aiohttp_client(app)
    assert await (await client.get("/")).text() == "Hello"
    assert capsys.readouterr().out.splitlines() == [
        "Middleware 1 called",
        "Middleware 2 called",
        "Handler function called",
        "Middleware 2 finished",
        "Middleware 1 finished",
    ]


async def test_docs_middleware_factory_and_wink(
    aiohttp_client: AiohttpClient,
) -> None:
    def middleware_factory(text: str) -> Callable[..., Awaitable[StreamResponse]]:
        async def sample_middleware(
            request: Request, handler: Handler
        ) -> StreamResponse:
            resp = await handler(request)
            assert isinstance(resp, Response)
            resp.text = (resp.text or "") + text
            return resp

        return sample_middleware

    app = Application(middlewares=[middleware_factory(" wink")])
    app.router.add_get("/", hello)
    client = await aiohttp_client(app)
    assert await (await client.get("/")).text() == "Hello, world wink"


async def test_docs_error_middleware_renders_404_as_json(
    aiohttp_client: AiohttpClient,
) -> None:
    async def error_middleware(request: Request, handler: Handler) -> StreamResponse:
        try:
            response = await handler(request)
            if response.status != 404:
                return response
            message = response.reason
        except HTTPException as ex:
            if ex.status != 404:
                raise
            message = ex.reason
        return json_response({"error": message})

    app = Application(middlewares=[error_middleware])
    app.router.add_get("/", hello)
    client = await aiohttp_client(app)
    resp = await client.get("/missing")
    assert resp.status == 200
    assert await resp.json() == {"error": "Not Found"}
    assert await (await client.get("/")).text() == "Hello, world"


async def test_middleware_appended_after_creation_runs(
    aiohttp_client: AiohttpClient,
) -> None:
    async def mw(request: Request, handler: Handler) -> StreamResponse:
        resp = await handler(request)
        resp.headers["X-Mw"] = "yes"
        return resp

    app = Application()
    app.middlewares.append(mw)
    app.router.add_get("/", hello)
    client = await aiohttp_client(app)
    assert (await client.get("/")).headers["X-Mw"] == "yes"


async def test_handler_exception_in_middleware_chain_is_500(
    aiohttp_client: AiohttpClient,
) -> None:
    seen: list[BaseException] = []

    async def mw(request: Request, handler: Handler) -> StreamResponse:
        try:
            return await handler(request)
        except Exception as exc:
            seen.append(exc)
            raise

    async def broken(request: Request) -> Response:
        raise ZeroDivisionError

    app = Application(middlewares=[mw])
    app.router.add_get("/", broken)
    client = await aiohttp_client(app)
    assert (await client.get("/")).status == 500
    assert isinstance(seen[0], ZeroDivisionError)


async def test_on_response_prepare_signal(aiohttp_client: AiohttpClient) -> None:
    async def on_prepare(request: Request, response: StreamResponse) -> None:
        response.headers["My-Header"] = "value"

    app = Application()
    app.on_response_prepare.append(on_prepare)
    app.router.add_get("/", hello)
    client = await aiohttp_client(app)
    resp = await client.get("/")
    assert resp.headers["My-Header"] == "value"
    # Also on the answers the router gives itself.
    resp = await client.get("/nope")
    assert resp.status == 404
    assert resp.headers["My-Header"] == "value"


async def _raw_exchange(
    server: TestServer, request: bytes, *, wait: float = 2.0
) -> bytes:
    """Send raw bytes, return all the server answers until it closes."""
    reader, writer = await asyncio.open_connection(server.host, server.port)
    try:
        writer.write(request)
        await writer.drain()
        return await asyncio.wait_for(reader.read(), wait)
    finally:
        writer.close()


async def test_expect_100_continue_default(aiohttp_server: AiohttpServer) -> None:
    async def echo(request: Request) -> Response:
        return Response(body=await request.read())

    app = Application()
    app.router.add_post("/", echo)
    server = await aiohttp_server(app)
    reader, writer = await asyncio.open_connection(server.host, server.port)
    writer.write(
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n"
        b"Expect: 100-continue\r\nConnection: close\r\n\r\n"
    )
    # The interim answer comes before any body byte is sent.
    interim = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 2)
    assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
    writer.write(b"ping")
    rest = await asyncio.wait_for(reader.read(), 2)
    writer.close()
    assert rest.startswith(b"HTTP/1.1 200 OK\r\n")
    assert rest.endswith(b"\r\n\r\nping")


async def test_expect_unknown_value_is_417(aiohttp_server: AiohttpServer) -> None:
    app = Application()
    app.router.add_post("/", hello)
    answer = await _raw_exchange(
        await aiohttp_server(app),
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n"
        b"Expect: something\r\nConnection: close\r\n\r\n",
    )
    assert answer.startswith(b"HTTP/1.1 417 ")


async def test_docs_custom_expect_handler(aiohttp_server: AiohttpServer) -> None:
    async def check_auth(request: Request) -> None:
        if request.headers.get("EXPECT") != "100-continue":
            raise HTTPExpectationFailed(text="Unknown Expect")
        if request.headers.get("AUTHORIZATION") is None:
            raise HTTPForbidden()
        assert request.transport is not None
        request.transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")

    app = Application()
    app.router.add_post("/", hello, expect_handler=check_auth)
    server = await aiohttp_server(app)
    forbidden = await _raw_exchange(
        server,
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n"
        b"Expect: 100-continue\r\nConnection: close\r\n\r\n",
    )
    allowed = await _raw_exchange(
        server,
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n"
        b"Authorization: yes\r\nExpect: 100-continue\r\n"
        b"Connection: close\r\n\r\nx",
    )
    assert forbidden.startswith(b"HTTP/1.1 403 ")
    assert allowed.startswith(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n")


async def test_expect_on_unknown_path_sends_no_100(
    aiohttp_server: AiohttpServer,
) -> None:
    answer = await _raw_exchange(
        await aiohttp_server(Application()),
        b"POST /nowhere HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n"
        b"Expect: 100-continue\r\nConnection: close\r\n\r\n",
    )
    assert answer.startswith(b"HTTP/1.1 404 ")


async def test_client_max_size_reaches_requests(
    aiohttp_client: AiohttpClient,
) -> None:
    async def echo(request: Request) -> Response:
        return Response(body=await request.read())

    app = Application(client_max_size=10)
    app.router.add_post("/", echo)
    client = await aiohttp_client(app)
    assert await (await client.post("/", data=b"x" * 10)).read() == b"x" * 10
    assert (await client.post("/", data=b"x" * 11)).status == 413


async def test_handler_args_override_runner_kwargs(
    aiohttp_server: AiohttpServer,
) -> None:
    app = Application(handler_args={"max_field_size": 100})
    app.router.add_get("/", hello)
    # The runner asks for a larger limit: handler_args wins.  The limit
    # counts the whole field line: "X-A: " and 95 bytes make 100.
    server = await aiohttp_server(app, max_field_size=10_000)
    ok = await _raw_exchange(
        server,
        b"GET / HTTP/1.1\r\nHost: x\r\nX-A: " + b"a" * 95 + b"\r\n"
        b"Connection: close\r\n\r\n",
    )
    too_long = await _raw_exchange(
        server,
        b"GET / HTTP/1.1\r\nHost: x\r\nX-A: " + b"a" * 96 + b"\r\n"
        b"Connection: close\r\n\r\n",
    )
    assert ok.startswith(b"HTTP/1.1 200 ")
    assert too_long.startswith(b"HTTP/1.1 431 ")


async def test_docs_handler_args_timeout_ceil_threshold(
    aiohttp_client: AiohttpClient,
) -> None:
    app = Application(handler_args={"timeout_ceil_threshold": 1})
    app.router.add_get("/", hello)
    client = await aiohttp_client(app)
    assert (await client.get("/")).status == 200


def test_make_handler_checks_access_log_class() -> None:
    app = Application()
    with pytest.raises(TypeError, match="AbstractAccessLogger"):
        app._make_handler(access_log_class=object)  # type: ignore[arg-type]


async def test_docs_contextvars(
    aiohttp_server: AiohttpServer, aiohttp_client: AiohttpClient
) -> None:
    var: ContextVar[str] = ContextVar("VAR", default="default")
    seen: list[str] = []

    async def handler(request: Request) -> Response:
        value = var.get()
        var.set("handler")
        return Response(text=value)

    async def on_startup(app: Application) -> None:
        seen.append(var.get())
        var.set("on_startup")

    async def on_cleanup(app: Application) -> None:
        seen.append(var.get())

    async def run() -> str:
        var.set("init")
        app = Application()
        app.router.add_get("/", handler)
        app.on_startup.append(on_startup)
        app.on_cleanup.append(on_cleanup)
        client = await aiohttp_client(await aiohttp_server(app))
        text = await (await client.get("/")).text()
        await client.close()  # the cleanup belongs to this task too
        return text

    # As run_app does: everything in one task, whose context stays private.
    assert await asyncio.create_task(run()) == "on_startup"
    assert seen == ["init", "on_startup"]
    assert var.get() == "default"


async def test_docs_contextvars_handler_change_is_private(
    aiohttp_client: AiohttpClient,
) -> None:
    var: ContextVar[str] = ContextVar("VAR", default="default")

    transports: list[object] = []

    async def handler(request: Request) -> Response:
        transports.append(request.transport)
        value = var.get()
        var.set("handler")
        return Response(text=value)

    app = Application()
    app.router.add_get("/", handler)
    client = await aiohttp_client(app)
    first = await (await client.get("/")).text()
    second = await (await client.get("/")).text()
    assert transports[0] is transports[1]  # one keep-alive connection
    assert first == second == "default"


# Sub-applications


async def test_subapp_routes_middlewares_signals_and_config_dict(
    aiohttp_client: AiohttpClient,
) -> None:
    calls: list[str] = []
    name_key = AppKey("name", str)
    only_root = AppKey("only_root", str)

    def tagging(tag: str) -> Callable[..., Awaitable[StreamResponse]]:
        async def mw(request: Request, handler: Handler) -> StreamResponse:
            calls.append(f"{tag} sees {request.app[name_key]}")
            return await handler(request)

        return mw

    async def handler(request: Request) -> Response:
        return Response(
            text=f"{request.app[name_key]} {request.config_dict[only_root]}"
        )

    async def on_prepare_root(request: Request, response: StreamResponse) -> None:
        response.headers["X-Root"] = "1"

    async def on_prepare_admin(request: Request, response: StreamResponse) -> None:
        response.headers["X-Admin"] = "1"

    root = Application(middlewares=[tagging("root")])
    root[name_key] = "root"
    root[only_root] = "inherited"
    admin = Application(middlewares=[tagging("admin")])
    admin[name_key] = "admin"
    admin.add_routes([get("/resource", handler, name="name")])
    root.on_response_prepare.append(on_prepare_root)
    admin.on_response_prepare.append(on_prepare_admin)

    async def on_startup(app: Application) -> None:
        calls.append(f"startup {app[name_key]}")

    admin.on_startup.append(on_startup)
    root.router.add_get("/", handler)
    resource = root.add_subapp("/admin/", admin)
    assert isinstance(resource, PrefixedSubAppResource)
    assert admin.pre_frozen
    assert not admin.frozen
    assert str(admin.router["name"].url_for()) == "/admin/resource"

    client = await aiohttp_client(root)
    sub = await client.get("/admin/resource")
    top = await client.get("/")
    assert admin.frozen
    assert await sub.text() == "admin inherited"
    assert sub.headers["X-Root"] == "1"
    assert sub.headers["X-Admin"] == "1"
    assert await top.text() == "root inherited"
    assert "X-Admin" not in top.headers
    assert calls == [
        "startup admin",
        "root sees root",
        "admin sees admin",
        "root sees root",
    ]


async def test_subapp_signals_receive_the_subapp(
    aiohttp_server: AiohttpServer,
) -> None:
    received: list[tuple[str, Application]] = []
    root, sub, subsub = Application(), Application(), Application()

    def recorder(tag: str) -> Callable[[Application], Awaitable[None]]:
        async def record(app: Application) -> None:
            received.append((tag, app))

        return record

    for app, tag in ((root, "root"), (sub, "sub"), (subsub, "subsub")):
        app.on_startup.append(recorder(f"{tag} startup"))
        app.on_shutdown.append(recorder(f"{tag} shutdown"))
        app.on_cleanup.append(recorder(f"{tag} cleanup"))
    sub.add_subapp("/deeper", subsub)
    root.add_subapp("/sub", sub)
    server = await aiohttp_server(root)
    await server.close()
    assert received == [
        ("root startup", root),
        ("sub startup", sub),
        ("subsub startup", subsub),
        ("root shutdown", root),
        ("sub shutdown", sub),
        ("subsub shutdown", subsub),
        ("root cleanup", root),
        ("sub cleanup", sub),
        ("subsub cleanup", subsub),
    ]


async def test_docs_admin_key_url_reversing(aiohttp_client: AiohttpClient) -> None:
    async def handler(request: Request) -> Response:
        admin = request.app[admin_key]
        return Response(text=str(admin.router["name"].url_for()))

    app = Application()
    admin = Application()
    admin_key = AppKey("admin_key", Application)
    admin.add_routes([get("/resource", handler, name="name")])
    app.add_subapp("/admin/", admin)
    app[admin_key] = admin
    app.router.add_get("/", handler)
    client = await aiohttp_client(app)
    assert await (await client.get("/")).text() == "/admin/resource"


async def test_nested_subapp_with_route_table(aiohttp_client: AiohttpClient) -> None:
    routes = RouteTableDef()

    @routes.get("/leaf")
    async def leaf(request: Request) -> Response:
        return Response(text=f"leaf {len(request.match_info.apps)}")

    root, middle, inner = Application(), Application(), Application()
    inner.add_routes(routes)
    middle.add_subapp("/inner", inner)
    root.add_subapp("/middle", middle)
    client = await aiohttp_client(root)
    assert await (await client.get("/middle/inner/leaf")).text() == "leaf 3"
    assert (await client.get("/middle/inner/none")).status == 404


async def test_subapp_cleanup_ctx(aiohttp_server: AiohttpServer) -> None:
    calls: list[str] = []

    def ctx(tag: str) -> Callable[[Application], AsyncIterator[None]]:
        async def context(app: Application) -> AsyncIterator[None]:
            calls.append(f"enter {tag}")
            yield
            calls.append(f"exit {tag}")

        return context

    root, sub = Application(), Application()
    root.cleanup_ctx.append(ctx("root"))
    sub.cleanup_ctx.append(ctx("sub"))
    root.add_subapp("/sub", sub)
    server = await aiohttp_server(root)
    assert calls == ["enter root", "enter sub"]
    await server.close()
    # The mirror of startup: the sub-app may still use what root's set up.
    assert calls == ["enter root", "enter sub", "exit sub", "exit root"]


async def test_failed_startup_leaves_every_started_context() -> None:
    calls: list[str] = []

    async def root_ctx(app: Application) -> AsyncIterator[None]:
        calls.append("enter root")
        yield
        calls.append("exit root")

    async def sub_ctx(app: Application) -> AsyncIterator[None]:
        calls.append("enter sub")
        yield
        calls.append("exit sub")

    async def failing(app: Application) -> None:
        raise RuntimeError("startup failed")

    async def on_cleanup(app: Application) -> None:  # pragma: no cover
        calls.append("on_cleanup")

    root, sub = Application(), Application()
    root.cleanup_ctx.append(root_ctx)
    sub.cleanup_ctx.append(sub_ctx)
    sub.on_startup.append(failing)
    sub.on_cleanup.append(on_cleanup)
    root.add_subapp("/sub", sub)
    runner = AppRunner(root)
    with pytest.raises(RuntimeError, match="startup failed"):
        await runner.setup()
    await runner.cleanup()
    assert calls == ["enter root", "enter sub", "exit sub", "exit root"]


def test_add_subapp_errors() -> None:
    app = Application()
    with pytest.raises(ValueError, match="must start with '/'"):
        app.add_subapp("admin", Application())
    with pytest.raises(TypeError, match="Prefix must be str"):
        app.add_subapp(1, Application())  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="Prefix cannot be empty"):
        app.add_subapp("/", Application())
    with pytest.raises(ValueError, match="its own"):
        app.add_subapp("/self", app)
    with pytest.raises(TypeError, match="Application"):
        app.add_subapp("/x", object())  # type: ignore[arg-type]
    sub = Application()
    app.add_subapp("/sub", sub)
    with pytest.raises(RuntimeError, match="frozen application"):
        app.add_subapp("/again", sub)
    with pytest.raises(RuntimeError, match="frozen"):
        sub.router.add_get("/late", hello)
    frozen_parent = Application()
    frozen_parent.freeze()
    with pytest.raises(RuntimeError, match="frozen application"):
        frozen_parent.add_subapp("/x", Application())


async def test_add_domain(aiohttp_client: AiohttpClient) -> None:
    async def handler(request: Request) -> Response:
        return Response(text="domain")

    app = Application()
    sub = Application()
    sub.router.add_get("/", handler)
    resource = app.add_domain("example.com", sub)
    assert isinstance(resource, MatchedSubAppResource)
    masked = Application()
    masked.router.add_get("/", handler)
    app.add_domain("*.example.org", masked)
    with pytest.raises(TypeError, match="Domain must be str"):
        app.add_domain(1, Application())  # type: ignore[arg-type]
    client = await aiohttp_client(app)
    ok = await client.get("/", headers={"Host": "example.com"})
    mask = await client.get("/", headers={"Host": "a.example.org"})
    other = await client.get("/", headers={"Host": "other.com"})
    assert await ok.text() == "domain"
    assert await mask.text() == "domain"
    assert other.status == 404
