"""Tests of routes and match info: the apps stack, freezing, Expect handling."""

from __future__ import annotations

import asyncio
from typing import Any, cast

import pytest
from yarl import URL

from aiohttp_core.http_messages import RawRequestMessage
from aiohttp_core.http_parser import HttpRequestParser
from aiohttp_core.streams import EMPTY_PAYLOAD
from aiohttp_web.app import Application
from aiohttp_web.exceptions import HTTPExpectationFailed, HTTPNotFound
from aiohttp_web.request import Request
from aiohttp_web.resources import PlainResource
from aiohttp_web.response import Response
from aiohttp_web.routes import (
    MatchInfoError,
    ResourceRoute,
    SystemRoute,
    UrlMappingMatchInfo,
)


class _Transport(asyncio.Transport):
    """Records what is written."""

    def __init__(self) -> None:
        super().__init__()
        self.written = bytearray()
        self.closing = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.written += data

    def is_closing(self) -> bool:
        return self.closing


class _Protocol:
    def __init__(self, transport: asyncio.Transport | None) -> None:
        self.transport = transport


def make_request(
    method: str,
    target: str = "/",
    headers: dict[str, str] | None = None,
    *,
    version: str = "1.1",
    transport: asyncio.Transport | None = None,
) -> Request:
    """A real Request, from a request head parsed by the real parser."""
    fields = {"Host": "example.com", **(headers or {})}
    head = f"{method} {target} HTTP/{version}\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in fields.items())
    message = HttpRequestParser().feed_data((head + "\r\n").encode("ascii"))[0]
    assert isinstance(message, RawRequestMessage)
    return Request(
        message,
        EMPTY_PAYLOAD,
        cast(Any, _Protocol(transport)),
        cast(Any, None),
        cast(Any, None),
        cast(Any, None),
    )


async def handler(request: Request) -> Response:
    return Response(text="ok")


def make_match_info(**match: str) -> UrlMappingMatchInfo:
    resource = PlainResource("/path", name="path")
    route = resource.add_route("GET", handler)
    return UrlMappingMatchInfo(match, route)


# --- match info ---------------------------------------------------------------


def test_match_info_is_a_dict() -> None:
    match_info = make_match_info(a="1")
    assert isinstance(match_info, dict)
    assert match_info["a"] == "1"
    assert match_info.get("b", "x") == "x"
    assert match_info.handler is handler
    assert match_info.http_exception is None
    assert isinstance(match_info.route, ResourceRoute)
    assert match_info.get_info() == {"path": "/path"}
    assert repr(match_info).startswith("<MatchInfo {'a': '1'}: <ResourceRoute [GET]")


def test_apps_stack_starts_empty() -> None:
    match_info = make_match_info()
    assert match_info.apps == ()
    with pytest.raises(RuntimeError, match="No application"):
        _ = match_info.current_app


def test_apps_stack() -> None:
    match_info = make_match_info()
    inner, outer = Application(), Application()
    match_info.add_app(inner)
    match_info.add_app(outer)
    assert match_info.apps == (outer, inner)
    assert match_info.current_app is inner


def test_set_current_app() -> None:
    match_info = make_match_info()
    inner, outer = Application(), Application()
    match_info.add_app(inner)
    match_info.add_app(outer)
    with match_info.set_current_app(outer):
        assert match_info.current_app is outer
        with match_info.set_current_app(inner):
            assert match_info.current_app is inner
        assert match_info.current_app is outer
    assert match_info.current_app is inner
    with (
        pytest.raises(RuntimeError, match="Expected one of"),
        match_info.set_current_app(Application()),
    ):
        pass


def test_set_current_app_restores_after_error() -> None:
    match_info = make_match_info()
    inner, outer = Application(), Application()
    match_info.add_app(inner)
    match_info.add_app(outer)
    with pytest.raises(ZeroDivisionError), match_info.set_current_app(outer):
        raise ZeroDivisionError
    assert match_info.current_app is inner


def test_freeze() -> None:
    match_info = make_match_info()
    match_info.add_app(Application())
    match_info.freeze()
    with pytest.raises(RuntimeError, match="freeze"):
        match_info.add_app(Application())


def test_match_info_error() -> None:
    error = HTTPNotFound()
    match_info = MatchInfoError(error)
    assert match_info.http_exception is error
    assert dict(match_info) == {}
    assert isinstance(match_info.route, SystemRoute)
    assert match_info.route.method == "*"
    assert match_info.get_info() == {"http_exception": error}
    assert repr(match_info) == "<MatchInfoError 404: Not Found>"
    assert repr(match_info.route) == "<SystemRoute 404: Not Found>"
    match_info.add_app(Application())
    assert len(match_info.apps) == 1


async def test_route_url_for_is_the_resource_url_for() -> None:
    resource = PlainResource("/café")
    route = resource.add_route("GET", handler)
    assert route.url_for() == URL("/caf%C3%A9")


# --- Expect ------------------------------------------------------------------


async def test_default_expect_handler_sends_100_continue() -> None:
    transport = _Transport()
    request = make_request(
        "POST", headers={"Expect": "100-continue"}, transport=transport
    )
    match_info = make_match_info()
    assert await match_info.expect_handler(request) is None
    assert bytes(transport.written) == b"HTTP/1.1 100 Continue\r\n\r\n"


async def test_default_expect_handler_case_insensitive() -> None:
    transport = _Transport()
    request = make_request(
        "POST", headers={"Expect": "100-Continue"}, transport=transport
    )
    await make_match_info().expect_handler(request)
    assert bytes(transport.written) == b"HTTP/1.1 100 Continue\r\n\r\n"


@pytest.mark.parametrize("expect", ["something", "100-continue, foo", "200-ok"])
async def test_default_expect_handler_refuses_others(expect: str) -> None:
    transport = _Transport()
    request = make_request("POST", headers={"Expect": expect}, transport=transport)
    with pytest.raises(HTTPExpectationFailed) as info:
        await make_match_info().expect_handler(request)
    assert info.value.text == f"Unknown Expect: {expect}"
    assert transport.written == b""


async def test_default_expect_handler_ignores_http10() -> None:
    transport = _Transport()
    request = make_request(
        "POST", headers={"Expect": "100-continue"}, version="1.0", transport=transport
    )
    assert await make_match_info().expect_handler(request) is None
    assert transport.written == b""


async def test_default_expect_handler_closed_connection() -> None:
    transport = _Transport()
    transport.closing = True
    request = make_request(
        "POST", headers={"Expect": "100-continue"}, transport=transport
    )
    assert await make_match_info().expect_handler(request) is None
    assert transport.written == b""
    gone = make_request("POST", headers={"Expect": "100-continue"}, transport=None)
    assert await make_match_info().expect_handler(gone) is None


async def test_custom_expect_handler() -> None:
    seen: list[Request] = []

    async def expect(request: Request) -> Response:
        seen.append(request)
        return Response(status=401)

    resource = PlainResource("/")
    route = resource.add_route("POST", handler, expect_handler=expect)
    match_info = UrlMappingMatchInfo({}, route)
    request = make_request("POST", headers={"Expect": "100-continue"})
    response = await match_info.expect_handler(request)
    assert isinstance(response, Response)
    assert response.status == 401
    assert seen == [request]
