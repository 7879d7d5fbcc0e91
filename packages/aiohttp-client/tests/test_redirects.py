"""Redirects: following, method rewriting, body replay, limits and credentials."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator

import pytest
from yarl import URL

from aiohttp_client import (
    ClientSession,
    InvalidUrlRedirectClientError,
    NonHttpUrlRedirectClientError,
    RedirectClientError,
    TooManyRedirects,
)
from aiohttp_core.basic_auth import BasicAuth
from aiohttp_web.app import Application
from aiohttp_web.request import Request
from aiohttp_web.response import Response, json_response

Seen = list[dict[str, object]]


def recorder(seen: Seen):
    async def final(request: Request) -> Response:
        body = await request.read()
        seen.append(
            {
                "method": request.method,
                "path": request.path_qs,
                "body": body,
                "authorization": request.headers.getall("Authorization", []),
                "cookie": request.headers.getall("Cookie", []),
                "proxy": request.headers.getall("Proxy-Authorization", []),
                "ctype": request.headers.get("Content-Type"),
            }
        )
        return json_response({"method": request.method, "body": body.decode()})

    return final


def redirect_to(location: str, status: int = 302):
    async def handler(request: Request) -> Response:
        await request.read()
        return Response(status=status, headers={"Location": location})

    return handler


async def make_app(serve_app, routes: dict[str, object]) -> URL:
    app = Application()
    for path, handler in routes.items():
        app.router.add_route("*", path, handler)  # type: ignore[arg-type]
    return await serve_app(app)


async def test_follows_and_records_history(serve_app) -> None:
    seen: Seen = []
    url = await make_app(
        serve_app,
        {
            "/a": redirect_to("/b"),
            "/b": redirect_to("c?x=1", 301),
            "/c": recorder(seen),
        },
    )
    async with (
        ClientSession() as session,
        session.get(url / "a", params={"p": "1"}) as resp,
    ):
        assert resp.status == 200
        assert resp.url == url.with_path("/c").with_query(x=1)
        assert [r.status for r in resp.history] == [302, 301]
        assert resp.history[0].url == url.with_path("/a").with_query(p=1)
        assert all(r.closed for r in resp.history)
        await resp.read()
    # params apply to the first request only
    assert seen[0]["path"] == "/c?x=1"


async def test_allow_redirects_false_and_head_default(serve_app) -> None:
    url = await make_app(serve_app, {"/a": redirect_to("/b"), "/b": recorder([])})
    async with ClientSession() as session:
        async with session.get(url / "a", allow_redirects=False) as resp:
            assert resp.status == 302
            assert resp.headers["Location"] == "/b"
            assert resp.history == ()
        async with session.head(url / "a") as resp:
            assert resp.status == 302
        async with session.head(url / "a", allow_redirects=True) as resp:
            assert resp.status == 200


async def test_no_location_returns_the_3xx(raw_server) -> None:
    async def handler(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 302 Found\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()

    url = await raw_server(handler)
    async with ClientSession() as session, session.get(url) as resp:
        assert resp.status == 302
        assert resp.history == ()


@pytest.mark.parametrize(
    ("status", "method", "after", "keeps_body"),
    [
        (301, "POST", "GET", False),
        (302, "POST", "GET", False),
        (303, "POST", "GET", False),
        (303, "PUT", "GET", False),
        (302, "PUT", "PUT", True),
        (301, "PATCH", "PATCH", True),
        (307, "POST", "POST", True),
        (308, "PUT", "PUT", True),
    ],
)
async def test_method_rewriting(
    serve_app, status: int, method: str, after: str, keeps_body: bool
) -> None:
    seen: Seen = []
    url = await make_app(
        serve_app, {"/a": redirect_to("/b", status), "/b": recorder(seen)}
    )
    async with (
        ClientSession() as session,
        session.request(method, url / "a", data=b"payload") as resp,
    ):
        assert resp.status == 200
    assert seen[0]["method"] == after
    assert seen[0]["body"] == (b"payload" if keeps_body else b"")
    if not keeps_body:
        assert seen[0]["ctype"] is None


async def test_303_head_stays_head(serve_app) -> None:
    seen: Seen = []
    url = await make_app(
        serve_app, {"/a": redirect_to("/b", 303), "/b": recorder(seen)}
    )
    async with (
        ClientSession() as session,
        session.head(url / "a", allow_redirects=True) as resp,
    ):
        assert resp.status == 200
    assert seen[0]["method"] == "HEAD"


async def test_307_replays_file_body(serve_app) -> None:
    seen: Seen = []
    url = await make_app(
        serve_app, {"/a": redirect_to("/b", 307), "/b": recorder(seen)}
    )
    async with ClientSession() as session:
        async with session.post(url / "a", data=io.BytesIO(b"file body")) as resp:
            assert resp.status == 200
        async with session.post(url / "a", data={"form": "v"}) as resp:
            assert resp.status == 200
    assert seen[0]["body"] == b"file body"
    assert seen[1]["body"] == b"form=v"


async def test_307_with_consumed_stream_refused(serve_app) -> None:
    url = await make_app(serve_app, {"/a": redirect_to("/b", 307), "/b": recorder([])})

    async def gen() -> AsyncIterator[bytes]:
        yield b"once"

    async with ClientSession() as session:
        with pytest.raises(RedirectClientError, match="cannot be sent again"):
            await session.post(url / "a", data=gen())


@pytest.mark.parametrize(("hops", "fails"), [(3, False), (4, True)])
async def test_max_redirects(serve_app, hops: int, fails: bool) -> None:
    routes: dict[str, object] = {
        f"/r{i}": redirect_to(f"/r{i + 1}") for i in range(hops)
    }
    routes[f"/r{hops}"] = recorder([])
    url = await make_app(serve_app, routes)
    async with ClientSession() as session:
        if fails:
            with pytest.raises(TooManyRedirects) as info:
                await session.get(url / "r0", max_redirects=3)
            assert len(info.value.history) == 4
            assert info.value.request_info.url == url / "r0"
            assert info.value.status == 302
        else:
            async with session.get(url / "r0", max_redirects=3) as resp:
                assert len(resp.history) == 3


async def test_default_limit_is_ten(serve_app) -> None:
    async def loop_handler(request: Request) -> Response:
        return Response(status=302, headers={"Location": "/loop"})

    url = await make_app(serve_app, {"/loop": loop_handler})
    async with ClientSession() as session:
        with pytest.raises(TooManyRedirects) as info:
            await session.get(url / "loop")
    assert len(info.value.history) == 11


async def test_cross_origin_drops_credentials(serve_app, raw_server) -> None:
    seen: Seen = []
    other = await make_app(serve_app, {"/land": recorder(seen)})
    same_seen: list[bytes] = []
    away_heads: list[bytes] = []

    async def handler(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        # A raw server: it takes repeated Authorization fields as they come.
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:
                return
            path = head.split(b" ")[1]
            if path == b"/away":
                away_heads.append(head)
                location = str(other / "land").encode()
            elif path == b"/stay":
                location = b"/land"
            else:
                same_seen.append(head)
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
                continue
            writer.write(
                b"HTTP/1.1 302 Found\r\nLocation: "
                + location
                + b"\r\nContent-Length: 0\r\n\r\n"
            )
            await writer.drain()

    url = await raw_server(handler)
    headers = [
        ("Authorization", "Bearer one"),
        ("Authorization", "Bearer two"),
        ("Cookie", "a=1"),
        ("Cookie", "b=2"),
        ("Proxy-Authorization", "Basic eA=="),
        ("X-Kept", "yes"),
    ]
    async with ClientSession() as session:
        async with session.get(url / "away", headers=headers) as resp:
            assert resp.status == 200
        async with session.get(url / "away", auth=BasicAuth("u", "p")) as resp:
            assert resp.status == 200
        async with session.get(url / "away", cookies={"c": "3"}) as resp:
            assert resp.status == 200
        async with session.get(url / "stay", auth=BasicAuth("u", "p")) as resp:
            assert resp.status == 200
    # Both copies went to the first origin, none to the second.
    assert away_heads[0].count(b"Authorization: Bearer") == 2
    assert away_heads[0].count(b"Cookie: ") == 2
    for entry in seen:
        assert entry["authorization"] == []
        assert entry["cookie"] == []
        assert entry["proxy"] == []
    assert b"Authorization: " + BasicAuth("u", "p").encode().encode() in same_seen[0]


async def test_session_auth_not_sent_to_other_origin(serve_app) -> None:
    seen: Seen = []
    other = await make_app(serve_app, {"/land": recorder(seen)})
    url = await make_app(serve_app, {"/away": redirect_to(str(other / "land"))})
    async with (
        ClientSession(auth=BasicAuth("s", "p")) as session,
        session.get(url / "away") as resp,
    ):
        assert resp.status == 200
    assert seen[0]["authorization"] == []


async def test_non_http_location(serve_app) -> None:
    url = await make_app(serve_app, {"/a": redirect_to("ftp://127.0.0.1/file")})
    async with ClientSession() as session:
        with pytest.raises(NonHttpUrlRedirectClientError):
            await session.get(url / "a")


@pytest.mark.parametrize(
    "location", ["http://[broken", "http:///nohost", "http://0x7f.1/"]
)
async def test_invalid_location(serve_app, location: str) -> None:
    url = await make_app(serve_app, {"/a": redirect_to(location)})
    async with ClientSession() as session:
        with pytest.raises(InvalidUrlRedirectClientError):
            await session.get(url / "a")


async def test_scheme_relative_location(serve_app) -> None:
    seen: Seen = []
    other = await make_app(serve_app, {"/land": recorder(seen)})
    url = await make_app(
        serve_app, {"/a": redirect_to(f"//{other.raw_authority}/land")}
    )
    async with ClientSession() as session, session.get(url / "a") as resp:
        assert resp.url == other / "land"


async def test_requote_redirect_url(raw_server) -> None:
    paths: list[bytes] = []

    async def handler(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:
                return
            path = head.split(b" ")[1]
            paths.append(path)
            if path == b"/start":
                writer.write(
                    b"HTTP/1.1 302 Found\r\nLocation: /%7Eu\r\n"
                    b"Content-Length: 0\r\n\r\n"
                )
            else:
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()

    url = await raw_server(handler)
    async with ClientSession() as session, session.get(url / "start") as resp:
        assert resp.status == 200
    async with ClientSession(requote_redirect_url=False) as session:
        assert session.requote_redirect_url is False
        async with session.get(url / "start") as resp:
            assert resp.status == 200
    assert paths == [b"/start", b"/~u", b"/start", b"/%7Eu"]
