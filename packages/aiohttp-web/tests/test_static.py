"""Static files over real sockets: traversal, symlinks, index pages, versions."""

from __future__ import annotations

import asyncio
import base64
import gzip
import hashlib
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from multidict import CIMultiDict
from yarl import URL

from aiohttp_testing.pytest_plugin import AiohttpServer
from aiohttp_testing.servers import TestServer
from aiohttp_web.app import Application
from aiohttp_web.exceptions import HTTPForbidden
from aiohttp_web.file_response import FileResponse
from aiohttp_web.request import Request
from aiohttp_web.resources import PrefixResource
from aiohttp_web.route_def import RouteTableDef, static
from aiohttp_web.router import UrlDispatcher
from aiohttp_web.routes import ResourceRoute
from aiohttp_web.static import StaticResource

SECRET = b"TOP SECRET"


# -- a real server and a raw client -------------------------------------------


@dataclass
class Reply:
    status: int
    headers: CIMultiDict[str]
    body: bytes
    head: bytes


async def fetch(
    server: TestServer,
    target: str,
    headers: Mapping[str, str] | None = None,
    *,
    method: str = "GET",
) -> Reply:
    """One request, byte for byte as given, on a new connection."""
    lines = [f"{method} {target} HTTP/1.1", "Host: localhost"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    lines += ["Connection: close", "", ""]
    reader, writer = await asyncio.open_connection(server.host, server.port)
    try:
        writer.write("\r\n".join(lines).encode("utf-8"))
        head = b""
        while True:  # interim 1xx heads come before the final one
            last = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
            head += last
            if not last.startswith(b"HTTP/1.1 1"):
                break
        rest = await asyncio.wait_for(reader.read(), 5)
    finally:
        writer.close()
        await writer.wait_closed()
    status_line, *fields = last.decode("latin-1").split("\r\n")
    parsed: CIMultiDict[str] = CIMultiDict()
    for line in fields:
        if line:
            name, _, value = line.partition(":")
            parsed.add(name.strip(), value.strip())
    return Reply(int(status_line.split(" ", 2)[1]), parsed, rest, head)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """root/ with files, odd names, symlinks in and out; outside/ beside it."""
    root = tmp_path / "root"
    outside = tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (outside / "secret.txt").write_bytes(SECRET)
    (root / "a.txt").write_bytes(b"file a")
    (root / "sub").mkdir()
    (root / "sub" / "b.txt").write_bytes(b"file b")
    (root / "sub" / "inner").mkdir()
    for name in ("<script>.txt", "with space.txt", "100%.txt", "q?x#y.txt"):
        (root / name).write_text(f"named {name}")
    (root / 'a"b&c.txt').write_text("quotes")
    (root / "<i>").mkdir()
    (root / "café.txt").write_text("accent")
    os.symlink("a.txt", root / "link_in")
    os.symlink("sub", root / "dirlink_in")
    os.symlink(outside / "secret.txt", root / "link_out")
    os.symlink("../outside", root / "dirlink_out")
    os.symlink("loop", root / "loop")
    return root


def make_app(root: Path, **kwargs: Any) -> Application:
    app = Application()
    app.router.add_static("/static", root, name="static", **kwargs)
    return app


@pytest.fixture
async def server(tree: Path, aiohttp_server: AiohttpServer) -> TestServer:
    return await aiohttp_server(make_app(tree))


# -- serving files ------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "body"),
    [
        ("/static/a.txt", b"file a"),
        ("/static/sub/b.txt", b"file b"),
        ("/static/sub//b.txt", b"file b"),
        ("/static/sub%2Fb.txt", b"file b"),
        ("/static/with%20space.txt", b"named with space.txt"),
        ("/static/100%25.txt", b"named 100%.txt"),
        ("/static/q%3Fx%23y.txt", b"named q?x#y.txt"),
        ("/static/%3Cscript%3E.txt", b"named <script>.txt"),
        ("/static/caf%C3%A9.txt", b"accent"),
        ("/static/link_in", b"file a"),
        ("/static/dirlink_in/b.txt", b"file b"),
    ],
)
async def test_serves_files(server: TestServer, target: str, body: bytes) -> None:
    reply = await fetch(server, target)
    assert reply.status == 200
    assert reply.body == body
    assert reply.headers["Content-Length"] == str(len(body))
    assert "ETag" in reply.headers


async def test_content_type_and_conditionals(server: TestServer) -> None:
    reply = await fetch(server, "/static/a.txt")
    assert reply.headers["Content-Type"] == "text/plain; charset=utf-8"
    again = await fetch(
        server, "/static/a.txt", {"If-None-Match": reply.headers["ETag"]}
    )
    assert again.status == 304
    assert again.body == b""


async def test_head_and_range(server: TestServer) -> None:
    reply = await fetch(server, "/static/a.txt", method="HEAD")
    assert reply.status == 200
    assert reply.headers["Content-Length"] == "6"
    assert reply.body == b""
    reply = await fetch(server, "/static/a.txt", {"Range": "bytes=-1"})
    assert reply.status == 206
    assert reply.body == b"a"


async def test_httpx_client(server: TestServer) -> None:
    async with httpx.AsyncClient() as client:
        # The client itself quotes the space.
        url = f"http://{server.host}:{server.port}/static/with space.txt"
        response = await client.get(url)
    assert response.status_code == 200
    assert response.content == b"named with space.txt"


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
async def test_curl_range(server: TestServer) -> None:
    proc = await asyncio.create_subprocess_exec(
        "curl",
        "-s",
        "-r",
        "1-3",
        str(server.make_url("/static/sub/b.txt")),
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await asyncio.wait_for(proc.communicate(), 10)
    assert out == b"ile"


@pytest.mark.parametrize(
    "target",
    [
        "/static/missing.txt",
        "/static/sub/missing.txt",
        "/static/a.txt/more",
        "/static/" + "x" * 300,
        "/static/loop",
        "/static/%252e%252e/outside/secret.txt",
    ],
)
async def test_missing_is_404(server: TestServer, target: str) -> None:
    reply = await fetch(server, target)
    assert reply.status == 404
    assert reply.body == b"404: Not Found"


async def test_other_methods_are_405(server: TestServer) -> None:
    for method in ("POST", "PUT", "DELETE"):
        reply = await fetch(
            server, "/static/a.txt", {"Content-Length": "0"}, method=method
        )
        assert reply.status == 405
        assert reply.headers["Allow"] == "GET,HEAD"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
async def test_fifo_is_403(tree: Path, server: TestServer) -> None:
    os.mkfifo(tree / "pipe")
    reply = await fetch(server, "/static/pipe")
    assert reply.status == 403


# -- traversal ----------------------------------------------------------------

TRAVERSALS = [
    "/static/../outside/{name}",
    "/static/%2e%2e/outside/{name}",
    "/static/%2E%2E/outside/{name}",
    "/static/.%2e/outside/{name}",
    "/static/%2e./outside/{name}",
    "/static/..%2Foutside%2F{name}",
    "/static/..%2foutside/{name}",
    "/static/sub/../../outside/{name}",
    "/static/sub/%2e%2e/%2e%2e/outside/{name}",
    "/static//../outside/{name}",
    "/static/..%5Coutside%5C{name}",
    "/static/%5C..%5C..%5Coutside%5C{name}",
    "/static/sub%5C..%5C..%5Coutside%5C{name}",
    "/static/%00/../outside/{name}",
    "/static/%00../outside/{name}",
    "/static/dirlink_out/{name}",
    "/static/dirlink_in/../../outside/{name}",
    "/static/./../outside/{name}",
    "http://localhost/static/../outside/{name}",
    "http://localhost/static/%2e%2e/outside/{name}",
]


@pytest.mark.parametrize("template", TRAVERSALS)
async def test_traversal_is_404_whether_or_not_the_file_exists(
    server: TestServer, template: str
) -> None:
    existing = await fetch(server, template.format(name="secret.txt"))
    missing = await fetch(server, template.format(name="nothing.txt"))
    assert existing.status == 404
    assert SECRET not in existing.body
    # Same answer either way: nothing tells what exists outside the root.
    assert (existing.status, existing.body) == (missing.status, missing.body)


@pytest.mark.parametrize(
    "target",
    [
        "/static/..\\outside\\secret.txt",
        "/static/sub\\..\\..\\outside\\secret.txt",
        "/static/a.txt%00",
        "/static/a.txt%00.png",
        "/static/./a.txt",
        "/static/sub/..",
        "/static/sub/.",
        "/static/link_out",
    ],
)
async def test_refused_paths_are_404(server: TestServer, target: str) -> None:
    reply = await fetch(server, target)
    assert reply.status == 404
    assert SECRET not in reply.body


async def test_symlink_out_is_404_even_when_dangling(
    tree: Path, server: TestServer
) -> None:
    os.symlink(tree.parent / "outside" / "nothing.txt", tree / "dangling_out")
    existing = await fetch(server, "/static/link_out")
    dangling = await fetch(server, "/static/dangling_out")
    assert (existing.status, existing.body) == (dangling.status, dangling.body)
    assert existing.status == 404


async def test_follow_symlinks(tree: Path, aiohttp_server: AiohttpServer) -> None:
    server = await aiohttp_server(make_app(tree, follow_symlinks=True))
    out = await fetch(server, "/static/link_out")
    in_dir = await fetch(server, "/static/dirlink_out/secret.txt")
    refused = [
        await fetch(server, "/static/../outside/secret.txt"),
        await fetch(server, "/static/%2e%2e/outside/secret.txt"),
        await fetch(server, "/static/dirlink_out/../../outside/secret.txt"),
        await fetch(server, "/static/dirlink_out/%2e%2e/outside/secret.txt"),
    ]
    assert (out.status, out.body) == (200, SECRET)
    assert (in_dir.status, in_dir.body) == (200, SECRET)
    assert [reply.status for reply in refused] == [404] * 4


# -- directories --------------------------------------------------------------


@pytest.mark.parametrize(
    "target", ["/static", "/static/", "/static/sub", "/static/sub/", "/static/<i>"]
)
async def test_directory_is_403_without_index(server: TestServer, target: str) -> None:
    reply = await fetch(server, target.replace("<i>", "%3Ci%3E"))
    assert reply.status == 403


async def test_index_page(tree: Path, aiohttp_server: AiohttpServer) -> None:
    server = await aiohttp_server(make_app(tree, show_index=True))
    reply = await fetch(server, "/static/")
    bare = await fetch(server, "/static")
    assert reply.status == 200
    assert reply.headers["Content-Type"] == "text/html; charset=utf-8"
    page = reply.body.decode("utf-8")
    assert bare.body == reply.body
    assert "<title>Index of /static/</title>" in page
    assert "<h1>Index of /static/</h1>" in page
    assert "<script>" not in page
    assert '<li><a href="/static/%3Cscript%3E.txt">&lt;script&gt;.txt</a></li>' in page
    assert '<li><a href="/static/a%22b&amp;c.txt">a&quot;b&amp;c.txt</a></li>' in page
    assert '<li><a href="/static/with%20space.txt">with space.txt</a></li>' in page
    assert '<li><a href="/static/100%25.txt">100%.txt</a></li>' in page
    assert '<li><a href="/static/q%3Fx%23y.txt">q?x#y.txt</a></li>' in page
    assert '<li><a href="/static/caf%C3%A9.txt">café.txt</a></li>' in page
    assert '<li><a href="/static/sub/">sub/</a></li>' in page
    assert '<li><a href="/static/%3Ci%3E/">&lt;i&gt;/</a></li>' in page
    assert page.index("a.txt") < page.index("sub/")


async def test_index_of_a_subdirectory(
    tree: Path, aiohttp_server: AiohttpServer
) -> None:
    server = await aiohttp_server(make_app(tree, show_index=True))
    sub = await fetch(server, "/static/sub")
    odd = await fetch(server, "/static/%3Ci%3E/")
    head = await fetch(server, "/static/sub/", method="HEAD")
    page = sub.body.decode()
    assert "<title>Index of /static/sub</title>" in page
    assert '<li><a href="/static/sub/b.txt">b.txt</a></li>' in page
    assert '<li><a href="/static/sub/inner/">inner/</a></li>' in page
    assert "<title>Index of /static/&lt;i&gt;</title>" in odd.body.decode()
    assert head.status == 200
    assert head.body == b""


async def test_index_with_a_name_that_is_not_utf8(
    tree: Path, aiohttp_server: AiohttpServer
) -> None:
    (tree / os.fsdecode(b"\xff.txt")).write_bytes(b"x")
    server = await aiohttp_server(make_app(tree, show_index=True))
    reply = await fetch(server, "/static/")
    page = reply.body.decode("utf-8")  # still valid UTF-8
    assert '<li><a href="/static/%FF.txt">\ufffd.txt</a></li>' in page


async def test_index_does_not_open_paths_outside(
    tree: Path, aiohttp_server: AiohttpServer
) -> None:
    server = await aiohttp_server(make_app(tree, show_index=True))
    reply = await fetch(server, "/static/dirlink_out/")
    assert reply.status == 404


# -- pre-compressed siblings --------------------------------------------------


async def test_siblings_through_static(
    tree: Path, aiohttp_server: AiohttpServer
) -> None:
    (tree / "page.txt").write_bytes(b"page " * 50)
    (tree / "page.txt.gz").write_bytes(gzip.compress(b"page " * 50))
    # A sibling leading out of the root must not be served.
    os.symlink(tree.parent / "outside" / "secret.txt", tree / "page.txt.br")
    server = await aiohttp_server(make_app(tree))
    reply = await fetch(server, "/static/page.txt", {"Accept-Encoding": "br, gzip"})
    assert reply.headers["Content-Encoding"] == "gzip"
    assert reply.headers["Vary"] == "Accept-Encoding"
    assert SECRET not in reply.body
    server = await aiohttp_server(make_app(tree, follow_symlinks=True))
    reply = await fetch(server, "/static/page.txt", {"Accept-Encoding": "br, gzip"})
    assert reply.headers["Content-Encoding"] == "br"
    assert reply.body == SECRET


# -- url_for and append_version -----------------------------------------------


def version_of(data: bytes) -> str:
    digest = hashlib.sha256(data).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


@pytest.mark.parametrize(
    ("filename", "raw_path"),
    [
        ("a.txt", "/static/a.txt"),
        ("sub/b.txt", "/static/sub/b.txt"),
        (Path("sub/b.txt"), "/static/sub/b.txt"),
        ("/sub/b.txt", "/static/sub/b.txt"),
        ("with space.txt", "/static/with%20space.txt"),
        ("100%.txt", "/static/100%25.txt"),
        ("q?x#y.txt", "/static/q%3Fx%23y.txt"),
        ("café.txt", "/static/caf%C3%A9.txt"),
        ("<script>.txt", "/static/%3Cscript%3E.txt"),
    ],
)
def test_url_for(tree: Path, filename: str | Path, raw_path: str) -> None:
    resource = StaticResource("/static", tree)
    url = resource.url_for(filename=filename)
    assert url.raw_path == raw_path
    assert not url.query_string


def test_url_for_round_trips_through_the_server_form(tree: Path) -> None:
    resource = StaticResource("/static", tree)
    assert resource.url_for(filename="q?x#y.txt").path == "/static/q?x#y.txt"


def test_append_version(tree: Path) -> None:
    resource = StaticResource("/static", tree, append_version=True)
    url = resource.url_for(filename="a.txt")
    assert url.query[StaticResource.VERSION_KEY] == version_of(b"file a")
    assert url.path == "/static/a.txt"
    assert not resource.url_for(filename="a.txt", append_version=False).query_string
    plain = StaticResource("/static", tree)
    assert not plain.url_for(filename="a.txt").query_string
    versioned = plain.url_for(filename="sub/b.txt", append_version=True)
    assert versioned.query["v"] == version_of(b"file b")


def test_append_version_follows_changes(tree: Path) -> None:
    resource = StaticResource("/static", tree, append_version=True)
    first = resource.url_for(filename="a.txt").query["v"]
    assert resource.url_for(filename="a.txt").query["v"] == first
    (tree / "a.txt").write_bytes(b"changed content")
    os.utime(tree / "a.txt", ns=(1, 1))
    assert resource.url_for(filename="a.txt").query["v"] == version_of(
        b"changed content"
    )


@pytest.mark.parametrize(
    "filename",
    ["missing.txt", "sub", "../outside/secret.txt", "link_out", "a\\b", "a\x00b"],
)
def test_append_version_without_a_file_of_ours(tree: Path, filename: str) -> None:
    resource = StaticResource("/static", tree, append_version=True)
    assert not resource.url_for(filename=filename).query_string


def test_append_version_cache_is_bounded(tree: Path) -> None:
    many = tree / "many"
    many.mkdir()
    for i in range(1025):
        (many / f"{i}.txt").write_bytes(b"%d" % i)
    resource = StaticResource("/static", tree, append_version=True)
    for i in range(1025):
        url = resource.url_for(filename=f"many/{i}.txt")
        assert url.query["v"] == version_of(b"%d" % i)
    assert len(resource._versions) == 1024
    assert str(many / "0.txt") not in resource._versions


def test_append_version_with_follow_symlinks(tree: Path) -> None:
    resource = StaticResource(
        "/static", tree, append_version=True, follow_symlinks=True
    )
    assert resource.url_for(filename="link_out").query["v"] == version_of(SECRET)


# -- the resource and its registration ----------------------------------------


def test_resource_attributes(tree: Path) -> None:
    router = UrlDispatcher()
    route = router.add_static("/static/", tree, name="files")
    resource = route.resource
    assert isinstance(resource, StaticResource)
    assert isinstance(resource, PrefixResource)
    assert isinstance(route, ResourceRoute)
    assert route.method == "GET"
    assert router["files"] is resource
    assert resource.name == "files"
    assert resource.canonical == "/static"
    assert resource.directory == tree.resolve()
    assert len(resource) == 2
    assert {r.method for r in resource} == {"GET", "HEAD"}
    info = resource.get_info()
    assert info["directory"] == tree.resolve()
    assert info["prefix"] == "/static"
    assert set(info["routes"]) == {"GET", "HEAD"}
    assert route.get_info() == info
    assert route.url_for(filename="a.txt") == URL("/static/a.txt")
    assert repr(resource) == f"<StaticResource 'files' /static -> {tree.resolve()!r}>"
    assert resource in router.resources()


def test_constructor_errors(tree: Path) -> None:
    with pytest.raises(ValueError, match="No directory"):
        StaticResource("/static", tree / "nothing")
    with pytest.raises(ValueError, match="not a directory"):
        StaticResource("/static", tree / "a.txt")
    with pytest.raises(ValueError, match="chunk_size"):
        StaticResource("/static", tree, chunk_size=0)
    with pytest.raises(ValueError, match="start with '/'"):
        StaticResource("static", tree)


def test_frozen_router_refuses(tree: Path) -> None:
    router = UrlDispatcher()
    router.freeze()
    with pytest.raises(RuntimeError, match="frozen"):
        router.add_static("/static", tree)


async def test_route_definitions(tree: Path, aiohttp_server: AiohttpServer) -> None:
    table = RouteTableDef()
    table.static("/t", tree, show_index=True)
    app = Application()
    app.add_routes([static("/s", tree, append_version=True)])
    app.add_routes(table)
    server = await aiohttp_server(app)
    by_def = await fetch(server, "/s/a.txt")
    by_table = await fetch(server, "/t/")
    assert by_def.body == b"file a"
    assert by_table.status == 200


async def test_root_prefix(tree: Path, aiohttp_server: AiohttpServer) -> None:
    app = Application()
    route = app.router.add_static("/", tree)
    server = await aiohttp_server(app)
    reply = await fetch(server, "/sub/b.txt")
    traversal = await fetch(server, "/../outside/secret.txt")
    assert reply.body == b"file b"
    assert traversal.status == 404
    assert route.url_for(filename="a.txt") == URL("/a.txt")


async def test_in_a_sub_application(tree: Path, aiohttp_server: AiohttpServer) -> None:
    subapp = Application()
    route = subapp.router.add_static("/static", tree)
    app = Application()
    app.add_subapp("/sub", subapp)
    server = await aiohttp_server(app)
    reply = await fetch(server, "/sub/static/a.txt")
    unprefixed = await fetch(server, "/static/a.txt")
    assert reply.body == b"file a"
    assert unprefixed.status == 404
    assert route.url_for(filename="a.txt") == URL("/sub/static/a.txt")


async def test_expect_handlers(tree: Path, aiohttp_server: AiohttpServer) -> None:
    seen: list[str] = []

    async def refuse(request: Request) -> None:
        seen.append(request.path)
        raise HTTPForbidden()

    app = Application()
    app.router.add_static("/static", tree)
    app.router.add_static("/guarded", tree, expect_handler=refuse)
    server = await aiohttp_server(app)
    default = await fetch(server, "/static/a.txt", {"Expect": "100-continue"})
    guarded = await fetch(server, "/guarded/a.txt", {"Expect": "100-continue"})
    assert default.head.startswith(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK")
    assert default.body == b"file a"
    assert guarded.status == 403
    assert seen == ["/guarded/a.txt"]


async def test_handler_returns_a_file_response(
    tree: Path, aiohttp_server: AiohttpServer
) -> None:
    resource = StaticResource("/static", tree, chunk_size=1234)
    app = Application()
    app.router.register_resource(resource)
    responses: list[object] = []

    async def record(request: Request, response: Any) -> None:
        responses.append(response)

    app.on_response_prepare.append(record)
    server = await aiohttp_server(app)
    await fetch(server, "/static/a.txt")
    (response,) = responses
    assert isinstance(response, FileResponse)
    assert response._chunk_size == 1234
