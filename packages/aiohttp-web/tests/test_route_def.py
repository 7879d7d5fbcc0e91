"""Tests of route definitions: RouteDef, StaticDef, RouteTableDef, web.get()..."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import cast

import pytest

from aiohttp_web import route_def
from aiohttp_web.request import Request
from aiohttp_web.response import Response
from aiohttp_web.route_def import (
    AbstractRouteDef,
    RouteDef,
    RouteTableDef,
    StaticDef,
    delete,
    get,
    head,
    patch,
    post,
    put,
    route,
    static,
    view,
)
from aiohttp_web.router import UrlDispatcher
from aiohttp_web.static import StaticResource
from aiohttp_web.views import View


async def handler(request: Request) -> Response:
    return Response()


class MyView(View):
    async def get(self) -> Response:
        return Response()


@pytest.fixture
def router() -> UrlDispatcher:
    return UrlDispatcher()


def test_get(router: UrlDispatcher) -> None:
    definition = get("/", handler, name="index")
    assert isinstance(definition, RouteDef)
    assert isinstance(definition, AbstractRouteDef)
    assert definition.method == "GET"
    assert definition.path == "/"
    assert definition.handler is handler
    assert definition.kwargs == {"name": "index", "allow_head": True}
    routes = definition.register(router)
    assert [r.method for r in routes] == ["GET"]
    assert sorted(r.method for r in router["index"]) == ["GET", "HEAD"]


def test_get_without_head(router: UrlDispatcher) -> None:
    get("/", handler, allow_head=False).register(router)
    assert [r.method for r in router.routes()] == ["GET"]


@pytest.mark.parametrize(
    ("factory", "method"),
    [
        (post, "POST"),
        (put, "PUT"),
        (patch, "PATCH"),
        (delete, "DELETE"),
        (head, "HEAD"),
    ],
)
def test_method_helpers(router: UrlDispatcher, factory: object, method: str) -> None:
    definition = factory("/p", handler, name="p")  # type: ignore[operator]
    assert definition.method == method
    assert definition.kwargs == {"name": "p"}
    routes = definition.register(router)
    assert [r.method for r in routes] == [method]
    assert router["p"].canonical == "/p"


def test_route_any_method(router: UrlDispatcher) -> None:
    # web_quickstart.rst: web.route('*', '/path', all_handler).
    definition = route("*", "/path", handler)
    assert definition.method == "*"
    [registered] = definition.register(router)
    assert registered.method == "*"


def test_route_lowercase_get_adds_head(router: UrlDispatcher) -> None:
    route("get", "/", handler).register(router)
    assert sorted(r.method for r in router.routes()) == ["GET", "HEAD"]


def test_route_other_methods(router: UrlDispatcher) -> None:
    [registered] = route("OPTIONS", "/", handler).register(router)
    assert registered.method == "OPTIONS"


def test_view(router: UrlDispatcher) -> None:
    definition = view("/v", MyView, name="v")
    assert definition.method == "*"
    assert definition.handler is MyView
    [registered] = definition.register(router)
    assert registered.handler is MyView


def test_expect_handler_passed(router: UrlDispatcher) -> None:
    async def expect(request: Request) -> None:
        return None

    [registered] = post("/", handler, expect_handler=expect).register(router)
    assert registered._expect_handler is expect


def test_route_def_repr() -> None:
    assert repr(post("/p", handler)) == f"<RouteDef POST /p -> {handler!r}>"
    text = repr(get("/", handler, name="x"))
    assert text == f"<RouteDef GET / -> {handler!r}, allow_head=True, name='x'>"


def test_route_def_is_frozen() -> None:
    definition = post("/", handler)
    with pytest.raises(AttributeError):
        definition.path = "/other"  # type: ignore[misc]
    assert definition == post("/", handler)


def test_static_def(tmp_path: Path, router: UrlDispatcher) -> None:
    definition = static("/prefix", tmp_path, show_index=True)
    assert isinstance(definition, StaticDef)
    assert definition.prefix == "/prefix"
    assert definition.path == tmp_path
    assert definition.kwargs == {"show_index": True}
    assert repr(definition) == f"<StaticDef /prefix -> {tmp_path}, show_index=True>"
    (route,) = definition.register(router)
    assert isinstance(route.resource, StaticResource)
    assert route.resource.get_info()["directory"] == tmp_path


def test_static_def_calls_add_static(tmp_path: Path) -> None:
    calls: list[tuple[str, object, dict[str, object]]] = []

    class StaticRouter(UrlDispatcher):
        def add_static(self, prefix: str, path: object, **kwargs: object) -> object:  # type: ignore[override]
            calls.append((prefix, path, kwargs))
            return "route"

    result = static("/s", tmp_path, name="s").register(StaticRouter())
    assert result == cast(list[object], ["route"])
    assert calls == [("/s", tmp_path, {"name": "s"})]


# --- RouteTableDef ---------------------------------------------------------


def test_route_table_decorators(router: UrlDispatcher) -> None:
    routes = RouteTableDef()

    @routes.get("/get", name="g")
    async def handle_get(request: Request) -> Response:
        return Response()

    @routes.post("/post")
    async def handle_post(request: Request) -> Response:
        return Response()

    @routes.put("/put")
    async def handle_put(request: Request) -> Response:
        return Response()

    @routes.patch("/patch")
    async def handle_patch(request: Request) -> Response:
        return Response()

    @routes.delete("/delete")
    async def handle_delete(request: Request) -> Response:
        return Response()

    @routes.head("/head")
    async def handle_head(request: Request) -> Response:
        return Response()

    @routes.route("*", "/any")
    async def handle_any(request: Request) -> Response:
        return Response()

    @routes.view("/view")
    class Decorated(View):
        async def get(self) -> Response:
            return Response()

    routes.static("/static", "/tmp")

    assert len(routes) == 9
    assert isinstance(routes, Sequence)
    methods = [d.method for d in routes if isinstance(d, RouteDef)]
    assert methods == ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "*", "*"]
    first = routes[0]
    assert isinstance(first, RouteDef)
    assert first.handler is handle_get
    assert first.kwargs == {"name": "g", "allow_head": True}
    assert isinstance(routes[-1], StaticDef)
    assert routes[1:3] == [post("/post", handle_post), put("/put", handle_put)]
    assert first in routes
    assert get("/elsewhere", handler) not in routes
    assert repr(routes) == "<RouteTableDef count=9>"
    # The decorators hand the handler back untouched.
    assert callable(handle_get)
    assert isinstance(Decorated, type)

    without_static = RouteTableDef()
    for definition in routes[:-1]:
        without_static._items.append(definition)
    registered = router.add_routes(without_static)
    assert len(registered) == 8
    assert len(router.routes()) == 9  # GET /get brings HEAD along


def test_route_table_get_without_head(router: UrlDispatcher) -> None:
    routes = RouteTableDef()

    @routes.get("/", allow_head=False)
    async def index(request: Request) -> Response:
        return Response()

    router.add_routes(routes)
    assert [r.method for r in router.routes()] == ["GET"]


def test_route_table_refuses_sync_handler_when_registered(
    router: UrlDispatcher,
) -> None:
    routes = RouteTableDef()

    @routes.get("/")  # type: ignore[type-var]
    def index(request: Request) -> Response:
        return Response()

    with pytest.raises(TypeError, match="async function"):
        router.add_routes(routes)


def test_documented_names() -> None:
    for name in route_def.__all__:
        assert getattr(route_def, name).__doc__
