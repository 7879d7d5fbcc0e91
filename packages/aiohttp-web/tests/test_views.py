"""Tests of class-based views."""

from __future__ import annotations

from typing import Any, cast

import pytest

from aiohttp_core.http_messages import RawRequestMessage
from aiohttp_core.http_parser import HttpRequestParser
from aiohttp_core.streams import EMPTY_PAYLOAD
from aiohttp_web.abc import AbstractView
from aiohttp_web.exceptions import HTTPMethodNotAllowed
from aiohttp_web.request import Request
from aiohttp_web.response import Response, StreamResponse
from aiohttp_web.route_def import RouteTableDef, view
from aiohttp_web.router import UrlDispatcher
from aiohttp_web.views import View


class _NoConnection:
    transport = None


def make_request(method: str, target: str = "/") -> Request:
    """A real Request, from a request head parsed by the real parser."""
    head = f"{method} {target} HTTP/1.1\r\nHost: example.com\r\n\r\n"
    message = HttpRequestParser().feed_data(head.encode("ascii"))[0]
    assert isinstance(message, RawRequestMessage)
    return Request(
        message,
        EMPTY_PAYLOAD,
        cast(Any, _NoConnection()),
        cast(Any, None),
        cast(Any, None),
        cast(Any, None),
    )


class MyView(View):
    async def get(self) -> Response:
        return Response(text="get " + self.request.path)

    async def post(self) -> Response:
        return Response(text="post")


async def test_view_dispatches_by_method() -> None:
    response = await MyView(make_request("GET", "/x"))
    assert isinstance(response, Response)
    assert response.text == "get /x"
    response = await MyView(make_request("POST"))
    assert isinstance(response, Response)
    assert response.text == "post"


async def test_view_request_property() -> None:
    request = make_request("GET")
    assert MyView(request).request is request


@pytest.mark.parametrize("method", ["PUT", "DELETE", "HEAD", "OPTIONS", "PATCH"])
async def test_view_unknown_method_is_405(method: str) -> None:
    with pytest.raises(HTTPMethodNotAllowed) as info:
        await MyView(make_request(method))
    assert info.value.method == method
    assert info.value.allowed_methods == {"GET", "POST"}
    assert info.value.headers["Allow"] == "GET,POST"


@pytest.mark.parametrize("method", ["REQUEST", "GET_RESPONSE", "ALLOWED_METHODS"])
async def test_view_does_not_expose_other_attributes(method: str) -> None:
    # "REQUEST".lower() is the name of a property of the view, not a verb.
    with pytest.raises(HTTPMethodNotAllowed):
        await MyView(make_request(method))


async def test_view_method_names_are_case_sensitive() -> None:
    with pytest.raises(HTTPMethodNotAllowed):
        await MyView(make_request("get"))


def test_allowed_methods() -> None:
    assert MyView.allowed_methods() == {"GET", "POST"}

    class Everything(View):
        async def connect(self) -> Response:
            return Response()

        async def delete(self) -> Response:
            return Response()

        async def get(self) -> Response:
            return Response()

        async def head(self) -> Response:
            return Response()

        async def options(self) -> Response:
            return Response()

        async def patch(self) -> Response:
            return Response()

        async def post(self) -> Response:
            return Response()

        async def put(self) -> Response:
            return Response()

        async def trace(self) -> Response:
            return Response()

    assert Everything.allowed_methods() == {
        "CONNECT",
        "DELETE",
        "GET",
        "HEAD",
        "OPTIONS",
        "PATCH",
        "POST",
        "PUT",
        "TRACE",
    }
    assert View.allowed_methods() == set()


async def test_view_inherits_methods() -> None:
    class Child(MyView):
        async def put(self) -> Response:
            return Response(text="put")

    assert Child.allowed_methods() == {"GET", "POST", "PUT"}
    response = await Child(make_request("GET", "/c"))
    assert isinstance(response, Response)
    assert response.text == "get /c"


async def test_view_registered_three_ways() -> None:
    # web_quickstart.rst, "Class Based Views".
    routes = RouteTableDef()

    @routes.view("/decorated")
    class Decorated(View):
        async def get(self) -> Response:
            return Response(text="decorated")

    router = UrlDispatcher()
    router.add_routes([view("/path/to", MyView)])
    router.add_routes(routes)
    router.add_route("*", "/any", MyView)
    router.add_view("/added", MyView)
    for path in ("/path/to", "/any", "/added"):
        match_info = await router.resolve(make_request("POST", path))
        response = await match_info.handler(make_request("POST", path))
        assert isinstance(response, Response)
        assert response.text == "post"
    request = make_request("GET", "/decorated")
    response = await (await router.resolve(request)).handler(request)
    assert isinstance(response, Response)
    assert response.text == "decorated"


async def test_custom_abstract_view() -> None:
    class Minimal(AbstractView):
        def __await__(self) -> Any:
            return self._answer().__await__()

        async def _answer(self) -> StreamResponse:
            return Response(text=self.request.method)

    router = UrlDispatcher()
    router.add_view("/", Minimal)
    request = make_request("DELETE")
    response = await (await router.resolve(request)).handler(request)
    assert isinstance(response, Response)
    assert response.text == "DELETE"
