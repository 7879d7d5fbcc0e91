"""Every runnable example of web_reference.rst, run as the page shows it."""

# The examples keep the spelling of the page they come from.
# ruff: noqa: ASYNC230

from __future__ import annotations

import io
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from yarl import URL

import aiohttp
import aiohttp.multipart  # the page reaches it as an attribute; see the xfail
from aiohttp import web
from aiohttp.web import Response, View

Client = Callable[..., Any]


# web_reference.rst:222
async def test_transport_peername(aiohttp_client: Client) -> None:
    async def handler(request):  # type: ignore[no-untyped-def]
        peername = request.transport.get_extra_info("peername")
        if peername is not None:
            host, port = peername
        return web.Response(text=f"{host} {port}")

    app = web.Application()
    app.router.add_get("/", handler)
    client = await aiohttp_client(app)
    async with client.get("/") as resp:
        host, port = (await resp.text()).split()
    assert host == "127.0.0.1"
    assert 0 < int(port) < 65536


# web_reference.rst:298, :305 (a file and a buffer to serve the range from)
@pytest.mark.parametrize("style", ["attributes", "slice"])
async def test_http_range(aiohttp_client: Client, tmp_path: Path, style: str) -> None:
    filename = tmp_path / "data.bin"
    filename.write_bytes(b"0123456789")
    buffer = b"0123456789"

    async def attributes(request):  # type: ignore[no-untyped-def]
        rng = request.http_range
        with open(filename, "rb") as f:
            f.seek(rng.start)
            return web.Response(body=f.read(rng.stop - rng.start))

    async def slice_style(request):  # type: ignore[no-untyped-def]
        return web.Response(body=buffer[request.http_range])

    app = web.Application()
    app.router.add_get("/", attributes if style == "attributes" else slice_style)
    client = await aiohttp_client(app)
    async with client.get("/", headers={"Range": "bytes=2-5"}) as resp:
        assert await resp.read() == b"2345"
    if style == "slice":
        async with client.get("/", headers={"Range": "bytes=-3"}) as resp:
            assert await resp.read() == b"789"
        async with client.get("/") as resp:
            assert await resp.read() == buffer


# web_reference.rst:442: multipart() gives an aiohttp.multipart.MultipartReader
async def test_multipart_reader_type(aiohttp_client: Client) -> None:
    async def handler(request: web.Request) -> web.Response:
        reader = await request.multipart()
        assert isinstance(reader, aiohttp.multipart.MultipartReader)
        part = await reader.next()
        assert part is not None
        text = await part.text()  # type: ignore[union-attr]
        return web.Response(text=text)

    app = web.Application()
    app.router.add_post("/", handler)
    client = await aiohttp_client(app)
    form = aiohttp.FormData()
    form.add_field("f", io.BytesIO(b"content"), filename="f.txt")
    async with client.post("/", data=form) as resp:
        assert await resp.text() == "content"


# web_reference.rst:442: the ``reader`` parameter was dropped (versionchanged 3.4)
async def test_multipart_reader_parameter_dropped(aiohttp_client: Client) -> None:
    async def handler(request: web.Request) -> web.Response:
        with pytest.raises(TypeError):
            await request.multipart(  # type: ignore[call-arg]
                reader=aiohttp.multipart.MultipartReader
            )
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/", handler)
    client = await aiohttp_client(app)
    async with client.post("/", data=b"") as resp:
        assert await resp.text() == "ok"


# web_reference.rst:444: ``aiohttp.multipart`` right after ``import aiohttp``
def test_multipart_module_attribute() -> None:
    code = "import aiohttp; print(aiohttp.multipart.MultipartReader.__name__)"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=10
    )
    assert done.stdout == "MultipartReader\n", done.stderr


# web_reference.rst:563
async def test_response_handler(aiohttp_client: Client) -> None:
    async def handler(request):  # type: ignore[no-untyped-def]
        return Response(text="All right!")

    app = web.Application()
    app.router.add_get("/", handler)
    client = await aiohttp_client(app)
    async with client.get("/") as resp:
        assert resp.status == 200
        assert resp.content_type == "text/plain"
        assert resp.charset == "utf-8"
        assert await resp.text() == "All right!"


# web_reference.rst:571 (value and a signal reading it filled in)
async def test_response_is_dict_like(aiohttp_client: Client) -> None:
    value = object()
    seen: list[object] = []

    async def on_prepare(request: web.Request, resp: web.StreamResponse) -> None:
        seen.append(resp["key"])

    async def handler(request: web.Request) -> web.Response:
        resp = web.Response()
        resp["key"] = value
        return resp

    app = web.Application()
    app.on_response_prepare.append(on_prepare)
    app.router.add_get("/", handler)
    client = await aiohttp_client(app)
    async with client.get("/") as resp:
        assert resp.status == 200
    assert seen == [value]


# web_reference.rst:828
async def test_stream_response_write(aiohttp_client: Client) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse()
        await resp.prepare(request)
        for data in (b"first ", bytearray(b"second "), memoryview(b"third")):
            await resp.write(data)
        return resp

    app = web.Application()
    app.router.add_get("/", handler)
    client = await aiohttp_client(app)
    async with client.get("/") as resp:
        assert await resp.read() == b"first second third"


# web_reference.rst:828: write() before prepare() is refused
async def test_stream_response_write_unprepared(aiohttp_client: Client) -> None:
    async def handler(request: web.Request) -> web.Response:
        resp = web.StreamResponse()
        with pytest.raises(RuntimeError):
            await resp.write(b"data")
        return web.Response(text="refused")

    app = web.Application()
    app.router.add_get("/", handler)
    client = await aiohttp_client(app)
    async with client.get("/") as resp:
        assert await resp.text() == "refused"


# web_reference.rst:999 (dedented: the page indents ``async for`` one level
# deeper than the lines above it, which Python rejects)
async def test_websocket_async_for(
    aiohttp_client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    async def handler(request):  # type: ignore[no-untyped-def]
        ws = web.WebSocketResponse()
        await ws.prepare(request)

        async for msg in ws:
            print(msg.data)
        return ws

    app = web.Application()
    app.router.add_get("/", handler)
    client = await aiohttp_client(app)
    async with client.ws_connect("/") as ws:
        await ws.send_str("one")
        await ws.send_bytes(b"two")
        await ws.close()
    assert capsys.readouterr().out == "one\nb'two'\n"


# web_reference.rst:999 as written
def test_websocket_async_for_as_written() -> None:
    source = textwrap.dedent(
        """
        ws = web.WebSocketResponse()
        await ws.prepare(request)

            async for msg in ws:
                print(msg.data)
        """
    )
    with pytest.raises(IndentationError):
        compile(source, "web_reference.rst", "exec", flags=0x2000)


# web_reference.rst:1332 (without the ``await``: can_prepare is documented,
# and implemented, as a plain method)
async def test_can_prepare(aiohttp_client: Client) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(protocols=("chat",))
        ready = ws.can_prepare(request)
        if not ready:
            return web.Response(text="cannot_start_websocket")
        assert ready.protocol == "chat"
        await ws.prepare(request)
        await ws.close()
        return ws

    app = web.Application()
    app.router.add_get("/", handler)
    client = await aiohttp_client(app)
    async with client.get("/") as resp:
        assert await resp.text() == "cannot_start_websocket"
    async with client.ws_connect("/", protocols=("chat",)) as ws:
        assert ws.protocol == "chat"


# web_reference.rst:1334 as written awaits can_prepare
@pytest.mark.xfail(
    strict=True,
    raises=TypeError,
    reason="can_prepare() returns a WebSocketReady, which is not awaitable",
)
async def test_can_prepare_awaited_as_written(aiohttp_client: Client) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse()
        if not await ws.can_prepare(request):  # type: ignore[misc]
            return web.Response(text="cannot_start_websocket")
        return web.Response(text="could")

    app = web.Application()
    app.router.add_get("/", handler)
    client = await aiohttp_client(app)
    async with client.get("/") as resp:
        if resp.status == 500:
            raise TypeError("the handler failed")
        assert await resp.text() == "cannot_start_websocket"


# web_reference.rst:1444, :1464, :1478, :1498, :1509 (bodies record the call)
async def test_signal_handler_signatures(aiohttp_server: Any) -> None:
    calls: list[str] = []

    async def on_prepare(request, response):  # type: ignore[no-untyped-def]
        calls.append("prepare")

    async def on_startup(app):  # type: ignore[no-untyped-def]
        calls.append("startup")

    async def on_shutdown(app):  # type: ignore[no-untyped-def]
        calls.append("shutdown")

    async def on_cleanup(app):  # type: ignore[no-untyped-def]
        calls.append("cleanup")

    async def context(app):  # type: ignore[no-untyped-def]
        # do startup stuff
        calls.append("ctx startup")
        yield
        # do cleanup
        calls.append("ctx cleanup")

    async def hello(request: web.Request) -> web.Response:
        return web.Response()

    app = web.Application()
    app.on_response_prepare.append(on_prepare)
    app.on_startup.append(on_startup)
    app.on_shutdown.append(on_shutdown)
    app.on_cleanup.append(on_cleanup)
    app.cleanup_ctx.append(context)
    app.router.add_get("/", hello)
    server = await aiohttp_server(app)
    async with (
        aiohttp.ClientSession() as session,
        session.get(server.make_url("/")) as resp,
    ):
        assert resp.status == 200
    await server.close()
    # The page does not order the contexts against the signals.
    assert sorted(calls[:2]) == ["ctx startup", "startup"]
    assert calls[2:4] == ["prepare", "shutdown"]
    assert sorted(calls[4:]) == ["cleanup", "ctx cleanup"]


async def _ok(request: web.Request) -> web.Response:
    return web.Response()


# web_reference.rst:1884, :1888, :1893
def test_resources_view(capsys: pytest.CaptureFixture[str]) -> None:
    app = web.Application()
    app.router.add_get("/a", _ok)
    route = app.router.add_get("/b", _ok)

    assert len(app.router.resources()) == 2

    for resource in app.router.resources():
        print(resource)

    assert route.resource in app.router.resources()
    assert route not in app.router.resources()  # type: ignore[comparison-overlap]
    assert route in app.router.routes()

    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2
    assert "/a" in out[0]
    assert "/b" in out[1]


# web_reference.rst:1909 .. :1916
def test_named_resources_view(capsys: pytest.CaptureFixture[str]) -> None:
    app = web.Application()
    app.router.add_get("/a", _ok, name="name")
    app.router.add_get("/b", _ok)

    assert len(app.router.named_resources()) == 1

    for name, resource in app.router.named_resources().items():
        print(name, resource)

    assert "name" in app.router.named_resources()

    assert app.router.named_resources()["name"] is app.router["name"]
    assert capsys.readouterr().out.startswith("name ")
    view = app.router.named_resources()
    with pytest.raises(TypeError):
        view["other"] = app.router["name"]  # type: ignore[index]


# web_reference.rst:1970
async def test_add_route_shortcut(aiohttp_client: Client) -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(text=request.method)

    app = web.Application()
    router = app.router
    path, method = "/path", "PATCH"
    route = router.add_resource(path).add_route(method, handler)
    assert route.method == "PATCH"
    client = await aiohttp_client(app)
    async with client.patch("/path") as resp:
        assert await resp.text() == "PATCH"
    async with client.get("/path") as resp:
        assert resp.status == 405


# web_reference.rst:1976
def test_named_resource_url_with_query() -> None:
    app = web.Application()
    app.router.add_get("/res", _ok, name="resource_name")
    url = app.router["resource_name"].url_for().with_query({"a": 1, "b": 2})
    assert url == URL("/res?a=1&b=2")


# web_reference.rst:1978 and :2177: the class hierarchies
@pytest.mark.parametrize(
    ("child", "parent"),
    [
        ("Resource", "AbstractResource"),
        ("PlainResource", "Resource"),
        ("DynamicResource", "Resource"),
        ("PrefixResource", "AbstractResource"),
        ("StaticResource", "PrefixResource"),
        ("PrefixedSubAppResource", "PrefixResource"),
        ("MatchedSubAppResource", "PrefixedSubAppResource"),
        ("ResourceRoute", "AbstractRoute"),
        ("SystemRoute", "AbstractRoute"),
    ],
)
def test_class_hierarchy(child: str, parent: str) -> None:
    assert issubclass(getattr(web, child), getattr(web, parent))


# web_reference.rst:1978: the resources the router makes have those classes
def test_resource_classes_made(tmp_path: Path) -> None:
    app = web.Application()
    sub = web.Application()
    assert type(app.router.add_resource("/plain")) is web.PlainResource
    assert type(app.router.add_resource("/{var}")) is web.DynamicResource
    assert type(app.router.add_static("/static", tmp_path)) is web.ResourceRoute
    assert type(app.add_subapp("/sub", sub)) is web.PrefixedSubAppResource
    assert type(app.add_domain("example.com", web.Application())) is (
        web.MatchedSubAppResource
    )
    static = [r for r in app.router.resources() if r.canonical == "/static"]
    assert type(static[0]) is web.StaticResource


# web_reference.rst:2253 (bodies filled in, closing bracket missing on the page)
async def test_route_defs(aiohttp_client: Client) -> None:
    async def handle_get(request):  # type: ignore[no-untyped-def]
        return web.Response(text="get")

    async def handle_post(request):  # type: ignore[no-untyped-def]
        return web.Response(text="post")

    app = web.Application()
    app.router.add_routes(
        [
            web.get("/get", handle_get),
            web.post("/post", handle_post),
        ]
    )
    client = await aiohttp_client(app)
    async with client.get("/get") as resp:
        assert await resp.text() == "get"
    async with client.post("/post") as resp:
        assert await resp.text() == "post"


# web_reference.rst:2422
async def test_route_table_def(aiohttp_client: Client) -> None:
    app = web.Application()
    routes = web.RouteTableDef()

    @routes.get("/get")
    async def handle_get(request):  # type: ignore[no-untyped-def]
        return web.Response(text="get")

    @routes.post("/post")
    async def handle_post(request):  # type: ignore[no-untyped-def]
        return web.Response(text="post")

    app.router.add_routes(routes)

    @routes.view("/view")
    class MyView(web.View):
        async def get(self):  # type: ignore[no-untyped-def]
            return web.Response(text="view get")

        async def post(self):  # type: ignore[no-untyped-def]
            return web.Response(text="view post")

    assert len(routes) == 3
    client = await aiohttp_client(app)
    async with client.get("/get") as resp:
        assert await resp.text() == "get"
    async with client.post("/post") as resp:
        assert await resp.text() == "post"
    # Decorated after add_routes() ran: the view is in the table, not the app.
    async with client.get("/view") as resp:
        assert resp.status == 404


# web_reference.rst:2565 (get_response and post_response filled in)
async def test_view_add_view(aiohttp_client: Client) -> None:
    async def get_response(request: web.Request) -> web.Response:
        return web.Response(text="get " + request.path)

    async def post_response(request: web.Request) -> web.Response:
        return web.Response(text="post " + await request.text())

    class MyView(View):
        async def get(self):  # type: ignore[no-untyped-def]
            resp = await get_response(self.request)
            return resp

        async def post(self):  # type: ignore[no-untyped-def]
            resp = await post_response(self.request)
            return resp

    app = web.Application()
    app.router.add_view("/view", MyView)
    client = await aiohttp_client(app)
    async with client.get("/view") as resp:
        assert await resp.text() == "get /view"
    async with client.post("/view", data="body") as resp:
        assert await resp.text() == "post body"
    async with client.delete("/view") as resp:
        assert resp.status == 405
        assert set(resp.headers["Allow"].split(",")) == {"GET", "POST"}


# web_reference.rst:2607 (127.0.0.1 and a free port instead of localhost:8080)
async def test_app_runner_site(aiohttp_unused_port: Callable[[], int]) -> None:
    async def hello(request: web.Request) -> web.Response:
        return web.Response(text="served")

    app = web.Application()
    app.router.add_get("/", hello)
    port = aiohttp_unused_port()
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    # wait for finish signal
    async with aiohttp.ClientSession() as session:
        async with session.get(f"http://127.0.0.1:{port}/") as resp:
            assert await resp.text() == "served"
        await runner.cleanup()
        with pytest.raises(aiohttp.ClientConnectionError):
            await session.get(f"http://127.0.0.1:{port}/")


# web_reference.rst:1384 needs SQLAlchemy's AsyncEngine and a database
def test_app_database_example() -> None:
    pytest.importorskip("sqlalchemy", reason="web_reference.rst:1384 needs it")
    pytest.fail("sqlalchemy is installed now: web_reference.rst:1384 can be tested")
