"""Tests of normalize_path_middleware and the legacy middleware decorator."""

from __future__ import annotations

import asyncio

import pytest

from aiohttp_testing.pytest_plugin import AiohttpServer
from aiohttp_testing.servers import TestServer
from aiohttp_web.app import Application
from aiohttp_web.exceptions import HTTPMovedPermanently
from aiohttp_web.middlewares import middleware, normalize_path_middleware
from aiohttp_web.request import Request
from aiohttp_web.response import Response


async def ok(request: Request) -> Response:
    return Response(text=f"ok {request.path}")


def make_app(paths: list[str], **options: object) -> Application:
    """An app with routes ``paths`` behind normalize_path_middleware."""
    app = Application(middlewares=[normalize_path_middleware(**options)])  # type: ignore[arg-type]
    for path in paths:
        app.router.add_get(path, ok)
    return app


async def fetch(server: TestServer, target: str) -> tuple[int, dict[str, str]]:
    """GET ``target`` exactly as written; return the status and the headers."""
    reader, writer = await asyncio.open_connection(server.host, server.port)
    try:
        writer.write(
            f"GET {target} HTTP/1.1\r\nHost: localhost\r\n"
            "Connection: close\r\n\r\n".encode("latin-1")
        )
        answer = await asyncio.wait_for(reader.read(), 2)
    finally:
        writer.close()
    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    status = int(head[0].split(" ")[1])
    headers = dict(line.split(": ", 1) for line in head[1:])
    return status, headers


@pytest.mark.parametrize(
    ("routes", "options", "target", "location"),
    [
        # append_slash (default)
        (["/a/"], {}, "/a", "/a/"),
        (["/a/"], {}, "/a?x=1&y=%20", "/a/?x=1&y=%20"),
        # merge_slashes (default)
        (["/a/b"], {}, "/a//b", "/a/b"),
        (["/a/b"], {}, "///a///b", "/a/b"),
        # merged, then appended
        (["/a/b/"], {}, "/a//b", "/a/b/"),
        # remove_slash
        (["/a"], {"append_slash": False, "remove_slash": True}, "/a/", "/a"),
        (["/a"], {"append_slash": False, "remove_slash": True}, "/a//", "/a"),
        (["/a/b"], {"append_slash": False, "remove_slash": True}, "/a//b/", "/a/b"),
        # percent-encoded bytes stay as they were
        (["/caf%C3%A9/"], {}, "/caf%C3%A9", "/caf%C3%A9/"),
    ],
)
async def test_redirects(
    routes: list[str],
    options: dict[str, bool],
    target: str,
    location: str,
    aiohttp_server: AiohttpServer,
) -> None:
    server = await aiohttp_server(make_app(routes, **options))
    status, headers = await fetch(server, target)
    assert status == 308
    assert headers["Location"] == location


@pytest.mark.parametrize(
    ("routes", "options", "target", "status"),
    [
        (["/a/"], {}, "/a/", 200),  # matched: untouched
        (["/a/"], {}, "/b", 404),  # nothing to normalize to
        (["/a/"], {"append_slash": False}, "/a", 404),
        (["/a/b"], {"merge_slashes": False}, "/a//b", 404),
        (["/a"], {}, "/a/", 404),  # remove_slash is off by default
        (["/"], {"append_slash": False, "remove_slash": True}, "/", 200),
    ],
)
async def test_no_redirect(
    routes: list[str],
    options: dict[str, bool],
    target: str,
    status: int,
    aiohttp_server: AiohttpServer,
) -> None:
    server = await aiohttp_server(make_app(routes, **options))
    assert (await fetch(server, target))[0] == status


async def test_redirect_class(aiohttp_server: AiohttpServer) -> None:
    app = make_app(["/a/"], redirect_class=HTTPMovedPermanently)
    status, headers = await fetch(await aiohttp_server(app), "/a")
    assert status == 301
    assert headers["Location"] == "/a/"


CATCH_ALL = ["/{tail:.*}/", "/{tail:.*}x"]
REMOVE = {"merge_slashes": False, "append_slash": False, "remove_slash": True}


@pytest.mark.parametrize(
    ("routes", "options", "target", "location"),
    [
        (CATCH_ALL, {"merge_slashes": False}, "//evil.com", "/evil.com/"),
        (CATCH_ALL, {"merge_slashes": False}, "///evil.com", "/evil.com/"),
        (CATCH_ALL, {}, "//evil.com", "/evil.com/"),
        (["/{tail:.*}x"], REMOVE, "//evil.comx/", "/evil.comx"),
        (CATCH_ALL, {"merge_slashes": False}, "/\\evil.com", "/%5Cevil.com/"),
        (CATCH_ALL, {"merge_slashes": False}, "/%5Cevil.com", "/%5Cevil.com/"),
        (CATCH_ALL, {"merge_slashes": False}, "/\\/evil.com", "/%5C/evil.com/"),
    ],
)
async def test_never_redirects_off_site(
    routes: list[str],
    options: dict[str, bool],
    target: str,
    location: str,
    aiohttp_server: AiohttpServer,
) -> None:
    # The routes make every candidate path resolve, so a redirect happens;
    # its Location must be a path on this site, never ``//host`` or ``/\\host``.
    server = await aiohttp_server(make_app(routes, **options))
    status, headers = await fetch(server, target)
    assert status == 308
    assert headers["Location"] == location


async def test_redirect_of_absolute_form_target_stays_local(
    aiohttp_server: AiohttpServer,
) -> None:
    server = await aiohttp_server(make_app(["/a/"]))
    status, headers = await fetch(server, "http://evil.com/a")
    assert status == 308
    assert headers["Location"] == "/a/"


def test_both_slash_options_refused() -> None:
    with pytest.raises(AssertionError, match="Cannot both remove and append"):
        normalize_path_middleware(append_slash=True, remove_slash=True)


def test_middleware_decorator_is_deprecated() -> None:
    async def mw(request: Request, handler: object) -> None:  # pragma: no cover
        pass

    with pytest.warns(DeprecationWarning, match="deprecated"):
        assert middleware(mw) is mw
