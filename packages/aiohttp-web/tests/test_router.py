"""Tests of UrlDispatcher: registering, resolving, 404/405, views of the table."""

from __future__ import annotations

import functools
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import pytest
from yarl import URL

from aiohttp_core.http_messages import RawRequestMessage
from aiohttp_core.http_parser import HttpRequestParser
from aiohttp_core.streams import EMPTY_PAYLOAD
from aiohttp_web.abc import AbstractRouter
from aiohttp_web.exceptions import HTTPMethodNotAllowed, HTTPNotFound
from aiohttp_web.request import Request
from aiohttp_web.resources import (
    AbstractResource,
    DynamicResource,
    PlainResource,
    Resource,
)
from aiohttp_web.response import Response
from aiohttp_web.route_def import get, post
from aiohttp_web.router import UrlDispatcher
from aiohttp_web.routes import (
    MatchInfoError,
    ResourceRoute,
    SystemRoute,
    UrlMappingMatchInfo,
)
from aiohttp_web.static import StaticResource
from aiohttp_web.views import View


class _NoConnection:
    """The protocol of a request that never had a connection."""

    transport = None


def make_request(
    method: str, target: str, headers: dict[str, str] | None = None
) -> Request:
    """A real Request, from a request head parsed by the real parser."""
    fields = {"Host": "example.com", **(headers or {})}
    head = f"{method} {target} HTTP/1.1\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in fields.items())
    message = HttpRequestParser().feed_data((head + "\r\n").encode("utf-8"))[0]
    assert isinstance(message, RawRequestMessage)
    return Request(
        message,
        EMPTY_PAYLOAD,
        cast(Any, _NoConnection()),
        cast(Any, None),
        cast(Any, None),
        cast(Any, None),
    )


async def handler(request: Request) -> Response:
    return Response(text="ok")


async def other(request: Request) -> Response:
    return Response(text="other")


async def resolve(
    router: UrlDispatcher, method: str, target: str, **headers: str
) -> UrlMappingMatchInfo:
    return await router.resolve(make_request(method, target, headers))


@pytest.fixture
def router() -> UrlDispatcher:
    return UrlDispatcher()


# --- adding routes --------------------------------------------------------


def test_add_route_returns_route(router: UrlDispatcher) -> None:
    route = router.add_route("GET", "/path", handler, name="path")
    assert isinstance(route, ResourceRoute)
    assert route.method == "GET"
    assert route.handler is handler
    assert route.name == "path"
    assert isinstance(route.resource, PlainResource)
    assert route.resource.name == "path"
    assert route.url_for() == URL("/path")
    assert route.get_info() == {"path": "/path"}
    assert "GET" in repr(route)


def test_add_route_method_case_insensitive(router: UrlDispatcher) -> None:
    route = router.add_route("post", "/", handler)
    assert route.method == "POST"


@pytest.mark.parametrize("method", ["", "G T", "GET\r\n", "G(", 1])
def test_add_route_bad_method(router: UrlDispatcher, method: Any) -> None:
    with pytest.raises(ValueError, match="HTTP method"):
        router.add_route(method, "/", handler)


@pytest.mark.parametrize(
    ("adder", "method"),
    [
        ("add_post", "POST"),
        ("add_put", "PUT"),
        ("add_patch", "PATCH"),
        ("add_delete", "DELETE"),
        ("add_head", "HEAD"),
    ],
)
def test_add_shortcuts(router: UrlDispatcher, adder: str, method: str) -> None:
    route = getattr(router, adder)("/x", handler, name="x")
    assert route.method == method
    assert route.name == "x"
    assert len(router["x"]) == 1


def test_add_get_adds_head(router: UrlDispatcher) -> None:
    route = router.add_get("/", handler, name="root")
    assert route.method == "GET"
    resource = router["root"]
    assert sorted(r.method for r in resource) == ["GET", "HEAD"]


def test_add_get_without_head(router: UrlDispatcher) -> None:
    router.add_get("/", handler, allow_head=False, name="root")
    assert [r.method for r in router["root"]] == ["GET"]


def test_add_get_with_expect_handler(router: UrlDispatcher) -> None:
    async def expect(request: Request) -> None:
        return None

    route = router.add_get("/", handler, expect_handler=expect)
    assert all(r._expect_handler is expect for r in route.resource or ())


def test_add_view(router: UrlDispatcher) -> None:
    class MyView(View):
        async def get(self) -> Response:
            return Response()

    route = router.add_view("/view", MyView)
    assert route.method == "*"
    assert route.handler is MyView


def test_add_static_registers_a_static_resource(
    router: UrlDispatcher, tmp_path: Path
) -> None:
    route = router.add_static("/static", tmp_path)
    assert isinstance(route.resource, StaticResource)
    assert route.resource in router.resources()


def test_add_routes_returns_routes(router: UrlDispatcher) -> None:
    routes = router.add_routes([get("/a", handler), post("/a", other)])
    assert [r.method for r in routes] == ["GET", "POST"]
    assert len(router.resources()) == 1
    assert len(router.routes()) == 3  # GET, HEAD, POST


def test_sync_handler_refused(router: UrlDispatcher) -> None:
    def sync(request: Request) -> Response:
        return Response()

    with pytest.raises(TypeError, match="async function"):
        router.add_get("/", sync)  # type: ignore[arg-type]


def test_non_view_class_refused(router: UrlDispatcher) -> None:
    class NotAView:
        pass

    with pytest.raises(TypeError, match="View"):
        router.add_get("/", NotAView)  # type: ignore[arg-type]


def test_async_callables_accepted(router: UrlDispatcher) -> None:
    class Handlers:
        async def method(self, request: Request) -> Response:
            return Response()

        async def __call__(self, request: Request) -> Response:
            return Response()

    async def with_arg(arg: int, request: Request) -> Response:
        return Response()

    router.add_get("/bound", Handlers().method)
    router.add_get("/callable", Handlers())
    router.add_get("/partial", functools.partial(with_arg, 1))


def test_sync_expect_handler_refused(router: UrlDispatcher) -> None:
    def expect(request: Request) -> None:
        return None

    with pytest.raises(TypeError, match="expect_handler"):
        router.add_get("/", handler, expect_handler=expect)


def test_path_must_start_with_slash(router: UrlDispatcher) -> None:
    with pytest.raises(ValueError, match="started with /"):
        router.add_get("path", handler)


def test_path_must_be_str(router: UrlDispatcher) -> None:
    with pytest.raises(TypeError):
        router.add_get(cast(str, b"/path"), handler)


def test_same_method_twice_refused(router: UrlDispatcher) -> None:
    router.add_get("/", handler)
    with pytest.raises(RuntimeError, match="never be executed"):
        router.add_get("/", other)
    router.add_route("*", "/", other)
    with pytest.raises(RuntimeError, match="never be executed"):
        router.add_route("*", "/", other)


# --- merging into resources, names ----------------------------------------


def test_routes_for_one_path_share_a_resource(router: UrlDispatcher) -> None:
    router.add_get("/path1", handler)
    router.add_post("/path1", other)
    router.add_get("/path2", handler)
    router.add_post("/path2", other)
    assert len(router.resources()) == 2


def test_routes_merge_in_any_order(router: UrlDispatcher) -> None:
    # The second example of the quickstart: not "optimized", same result.
    router.add_routes(
        [get("/path1", handler), get("/path2", handler), post("/path2", other)]
    )
    router.add_routes([post("/path1", other)])
    assert len(router.resources()) == 2


async def test_named_get_and_post_on_one_resource(router: UrlDispatcher) -> None:
    # web_quickstart.rst, "Redirects": the same name on GET and POST.
    router.add_get("/login", handler, name="login")
    router.add_post("/login", other, name="login")
    assert len(router.resources()) == 1
    assert sorted(r.method for r in router["login"]) == ["GET", "HEAD", "POST"]
    match_info = await resolve(router, "POST", "/login")
    assert match_info.handler is other


def test_duplicate_name_refused(router: UrlDispatcher) -> None:
    router.add_get("/a", handler, name="name")
    with pytest.raises(ValueError, match="Duplicate 'name'"):
        router.add_get("/b", handler, name="name")


def test_named_and_unnamed_same_path_are_two_resources(router: UrlDispatcher) -> None:
    router.add_get("/a", handler, name="a")
    router.add_post("/a", other)
    assert len(router.resources()) == 2


@pytest.mark.parametrize(
    "name", ["root", "user-info", "a.b", "a:b", "a.b-c:d", "_x", "café"]
)
def test_valid_names(router: UrlDispatcher, name: str) -> None:
    router.add_get("/", handler, name=name)
    assert name in router


@pytest.mark.parametrize(
    "name", ["", "1a", "a b", "a..b", "class", "a.def", "a{b}", "a/b", "-a", "a-"]
)
def test_invalid_names(router: UrlDispatcher, name: str) -> None:
    with pytest.raises(ValueError, match="route name"):
        router.add_get("/", handler, name=name)


# --- views of the table ---------------------------------------------------


def test_resources_view(router: UrlDispatcher) -> None:
    a = router.add_resource("/a")
    b = router.add_resource("/b/{x}")
    view = router.resources()
    assert len(view) == 2
    assert list(view) == [a, b]
    assert a in view
    assert PlainResource("/c") not in view


def test_routes_view(router: UrlDispatcher) -> None:
    r1 = router.add_post("/a", handler)
    r2 = router.add_put("/b/{x}", handler)
    view = router.routes()
    assert len(view) == 2
    assert list(view) == [r1, r2]
    assert r1 in view


def test_named_resources(router: UrlDispatcher) -> None:
    a = router.add_resource("/a", name="a")
    router.add_resource("/b")
    named = router.named_resources()
    assert dict(named) == {"a": a}
    assert "a" in named
    assert len(named) == 1
    with pytest.raises(TypeError):
        named["b"] = a  # type: ignore[index]


def test_router_is_a_mapping_of_names(router: UrlDispatcher) -> None:
    a = router.add_resource("/a", name="a")
    b = router.add_resource("/b", name="b")
    assert router["a"] is a
    assert "b" in router
    assert "c" not in router
    assert len(router) == 2
    assert list(router) == ["a", "b"]
    assert dict(router.items()) == {"a": a, "b": b}
    with pytest.raises(KeyError):
        router["c"]


def test_resource_views_documented_usage(router: UrlDispatcher) -> None:
    router.add_get("/", handler, name="index")
    router.add_get("/x", handler)
    printed = [str(resource) for resource in router.resources()]
    assert printed == ["<PlainResource 'index' />", "<PlainResource /x>"]
    names = [name for name, _ in router.named_resources().items()]
    assert names == ["index"]


# --- freezing --------------------------------------------------------------


def test_frozen_router_refuses_changes(router: UrlDispatcher) -> None:
    resource = router.add_resource("/a")
    router.freeze()
    assert router.frozen
    with pytest.raises(RuntimeError, match="frozen"):
        router.add_get("/b", handler)
    with pytest.raises(RuntimeError, match="frozen"):
        router.add_resource("/c")
    with pytest.raises(RuntimeError, match="frozen"):
        router.register_resource(PlainResource("/d"))
    with pytest.raises(RuntimeError, match="frozen"):
        resource.add_route("GET", handler)


async def test_frozen_router_resolves(router: UrlDispatcher) -> None:
    router.add_get("/a", handler)
    router.freeze()
    assert (await resolve(router, "GET", "/a")).handler is handler


# --- resolving --------------------------------------------------------------


async def test_resolve_plain(router: UrlDispatcher) -> None:
    route = router.add_get("/a/b", handler)
    match_info = await resolve(router, "GET", "/a/b?x=1")
    assert match_info.route is route
    assert match_info.handler is handler
    assert match_info.http_exception is None
    assert dict(match_info) == {}
    assert match_info.get_info() == {"path": "/a/b"}


async def test_resolve_head_of_get(router: UrlDispatcher) -> None:
    router.add_get("/", handler)
    match_info = await resolve(router, "HEAD", "/")
    assert match_info.route.method == "HEAD"
    assert match_info.handler is handler


async def test_resolve_head_denied(router: UrlDispatcher) -> None:
    router.add_get("/", handler, allow_head=False)
    match_info = await resolve(router, "HEAD", "/")
    assert isinstance(match_info.http_exception, HTTPMethodNotAllowed)


async def test_resolve_dynamic(router: UrlDispatcher) -> None:
    router.add_get("/a/{name}/c", handler)
    for value in ("b", "1", "etc"):
        match_info = await resolve(router, "GET", f"/a/{value}/c")
        assert dict(match_info) == {"name": value}
    assert (await resolve(router, "GET", "/a/b/d")).http_exception is not None


async def test_resolve_regex(router: UrlDispatcher) -> None:
    router.add_get(r"/{name:\d+}", handler)
    assert dict(await resolve(router, "GET", "/123")) == {"name": "123"}
    not_found = await resolve(router, "GET", "/abc")
    assert isinstance(not_found.http_exception, HTTPNotFound)


async def test_not_found(router: UrlDispatcher) -> None:
    router.add_get("/a", handler)
    match_info = await resolve(router, "GET", "/b")
    assert isinstance(match_info, MatchInfoError)
    assert isinstance(match_info.http_exception, HTTPNotFound)
    route = match_info.route
    assert isinstance(route, SystemRoute)
    assert route.status == 404
    assert route.reason == "Not Found"
    assert route.resource is None
    assert route.name is None
    assert "404" in repr(match_info)
    with pytest.raises(HTTPNotFound):
        await match_info.handler(make_request("GET", "/b"))
    with pytest.raises(RuntimeError):
        match_info.route.url_for()


async def test_not_found_in_empty_router(router: UrlDispatcher) -> None:
    assert isinstance((await resolve(router, "GET", "/")).http_exception, HTTPNotFound)


async def test_method_not_allowed(router: UrlDispatcher) -> None:
    router.add_get("/a", handler)
    router.add_post("/a", handler)
    match_info = await resolve(router, "PUT", "/a")
    error = match_info.http_exception
    assert isinstance(error, HTTPMethodNotAllowed)
    assert error.method == "PUT"
    assert error.allowed_methods == {"GET", "HEAD", "POST"}
    assert error.headers["Allow"] == "GET,HEAD,POST"
    assert isinstance(match_info.route, SystemRoute)
    assert match_info.route.status == 405
    with pytest.raises(HTTPMethodNotAllowed):
        await match_info.handler(make_request("PUT", "/a"))


async def test_method_not_allowed_collects_all_resources(
    router: UrlDispatcher,
) -> None:
    router.add_get("/a", handler, name="a")
    router.add_delete("/a", handler)  # another, unnamed resource
    router.add_patch("/{x}", handler)
    error = (await resolve(router, "PUT", "/a")).http_exception
    assert isinstance(error, HTTPMethodNotAllowed)
    assert error.allowed_methods == {"GET", "HEAD", "DELETE", "PATCH"}


async def test_methods_are_case_sensitive(router: UrlDispatcher) -> None:
    # RFC 9110 9.1: "get" is not GET.
    router.add_get("/", handler)
    error = (await resolve(router, "get", "/")).http_exception
    assert isinstance(error, HTTPMethodNotAllowed)


async def test_any_method(router: UrlDispatcher) -> None:
    router.add_route("*", "/path", handler)
    for method in ("GET", "POST", "DELETE", "PROPFIND"):
        assert (await resolve(router, method, "/path")).handler is handler


async def test_specific_method_wins_over_any(router: UrlDispatcher) -> None:
    router.add_route("*", "/path", other)
    router.add_get("/path", handler)
    assert (await resolve(router, "GET", "/path")).handler is handler
    assert (await resolve(router, "POST", "/path")).handler is other


async def test_fixed_path_preferred_over_variable(router: UrlDispatcher) -> None:
    router.add_get("/a/{name}", other)
    router.add_get("/a/b", handler)
    assert (await resolve(router, "GET", "/a/b")).handler is handler
    assert (await resolve(router, "GET", "/a/c")).handler is other


async def test_dynamic_with_same_prefix_in_order(router: UrlDispatcher) -> None:
    router.add_get("/users/{x}/{y}/z", handler)
    router.add_get("/users/{x}/y/z", other)
    match_info = await resolve(router, "GET", "/users/1/y/z")
    assert match_info.handler is handler
    assert dict(match_info) == {"x": "1", "y": "y"}


async def test_longer_static_prefix_first(router: UrlDispatcher) -> None:
    router.add_get("/users/{rest:.*}", other)
    router.add_get("/users/me/{x}", handler)
    assert (await resolve(router, "GET", "/users/me/5")).handler is handler
    assert (await resolve(router, "GET", "/users/you/5")).handler is other


async def test_method_mismatch_falls_through(router: UrlDispatcher) -> None:
    router.add_get("/a/b", handler)
    router.add_post("/a/{x}", other)
    assert (await resolve(router, "POST", "/a/b")).handler is other


async def test_dynamic_at_root(router: UrlDispatcher) -> None:
    router.add_get("/{name}", handler)
    router.add_get("/", other)
    assert dict(await resolve(router, "GET", "/john")) == {"name": "john"}
    assert (await resolve(router, "GET", "/")).handler is other


async def test_trailing_slash_is_a_different_path(router: UrlDispatcher) -> None:
    router.add_get("/a", handler)
    assert (await resolve(router, "GET", "/a/")).http_exception is not None
    router.add_get("/b/", handler)
    assert (await resolve(router, "GET", "/b")).http_exception is not None
    assert (await resolve(router, "GET", "/b/")).http_exception is None


async def test_absolute_form_routed_by_path(router: UrlDispatcher) -> None:
    router.add_get("/path/{x}", handler)
    match_info = await resolve(router, "GET", "http://other.example:8080/path/1?q=2")
    assert match_info.handler is handler
    assert dict(match_info) == {"x": "1"}


async def test_percent_encoded_request_path(router: UrlDispatcher) -> None:
    router.add_get("/café", handler)
    router.add_get("/a b", other)
    assert (await resolve(router, "GET", "/caf%C3%A9")).handler is handler
    assert (await resolve(router, "GET", "/caf%c3%a9")).handler is handler
    assert (await resolve(router, "GET", "/a%20b")).handler is other


async def test_encoded_slash_is_not_a_separator(router: UrlDispatcher) -> None:
    router.add_get("/a/b", handler)
    router.add_get("/files/{name}", other)
    assert (await resolve(router, "GET", "/a%2Fb")).http_exception is not None
    match_info = await resolve(router, "GET", "/files/a%2Fb")
    assert match_info.handler is other
    assert dict(match_info) == {"name": "a/b"}


async def test_registered_encoded_path(router: UrlDispatcher) -> None:
    router.add_get("/a%2Fb", handler)
    router.add_get("/100%", other)
    assert (await resolve(router, "GET", "/a%2Fb")).handler is handler
    assert (await resolve(router, "GET", "/a/b")).http_exception is not None
    assert (await resolve(router, "GET", "/100%25")).handler is other


async def test_deep_path_not_found_is_cheap(router: UrlDispatcher) -> None:
    router.add_get("/a/{x}", handler)
    deep = "/a" * 4000
    match_info = await resolve(router, "GET", deep)
    assert isinstance(match_info.http_exception, HTTPNotFound)


async def test_custom_resource(router: UrlDispatcher) -> None:
    class EverythingResource(AbstractResource):
        def __init__(self) -> None:
            super().__init__(name="everything")
            self.route = ResourceRoute("*", handler, self)

        @property
        def canonical(self) -> str:
            return "/*"

        def url_for(self, *args: str, **kwargs: Any) -> URL:
            return URL("/")

        async def resolve(
            self, request: Request
        ) -> tuple[UrlMappingMatchInfo | None, set[str]]:
            return UrlMappingMatchInfo({"path": request.path}, self.route), set()

        def add_prefix(self, prefix: str) -> None:
            raise NotImplementedError

        def get_info(self) -> dict[str, Any]:
            return {}

        def __len__(self) -> int:
            return 1

        def __iter__(self) -> Any:
            return iter([self.route])

    router.add_get("/exact", other)
    router.register_resource(EverythingResource())
    assert (await resolve(router, "GET", "/exact")).handler is other
    match_info = await resolve(router, "GET", "/any/thing")
    assert match_info.handler is handler
    assert match_info["path"] == "/any/thing"
    assert router["everything"].canonical == "/*"


def test_register_resource_type_checked(router: UrlDispatcher) -> None:
    with pytest.raises(TypeError, match="AbstractResource"):
        router.register_resource(object())  # type: ignore[arg-type]


async def test_custom_router() -> None:
    class OneHandlerRouter(AbstractRouter):
        async def resolve(self, request: Request) -> UrlMappingMatchInfo:
            resource = PlainResource("/")
            return UrlMappingMatchInfo({}, ResourceRoute("*", handler, resource))

    custom = OneHandlerRouter()
    match_info = await custom.resolve(make_request("GET", "/anything"))
    assert match_info.handler is handler
    assert not custom.frozen
    custom.freeze()
    assert custom.frozen


# --- scaling ---------------------------------------------------------------


@functools.cache
def _table(size: int) -> UrlDispatcher:
    """``size`` plain routes, and a tenth as many dynamic ones (built once)."""
    router = UrlDispatcher()
    for i in range(size):
        router.add_get(f"/plain/{i}/leaf", handler)
    for i in range(max(size // 10, 10)):
        router.add_get(f"/dyn{i}/{{id}}/leaf", handler)
    router.freeze()
    return router


def _count_tries(router: UrlDispatcher) -> Callable[[], int]:
    """Count the resources the router asks, by wrapping each one's path match."""
    calls = 0
    for resource in router.resources():
        original = resource._match  # type: ignore[attr-defined]

        def counting(path: str, original: Any = original) -> Any:
            nonlocal calls
            calls += 1
            return original(path)

        resource._match = counting  # type: ignore[attr-defined]
    return lambda: calls


@pytest.mark.parametrize("target", ["/plain/7/leaf", "/dyn7/42/leaf"])
async def test_lookup_tries_one_resource_whatever_the_size(target: str) -> None:
    for size in (10, 10_000):
        router = _table(size)
        tries = _count_tries(router)
        match_info = await router.resolve(make_request("GET", target))
        assert match_info.http_exception is None
        assert tries() == 1


async def test_lookup_time_does_not_grow_with_the_table() -> None:
    small, large = _table(10), _table(10_000)
    requests = [make_request("GET", f"/plain/{i}/leaf") for i in (3, 7, 9)]
    requests += [make_request("GET", f"/dyn{i}/5/leaf") for i in (3, 7, 9)]
    requests.append(make_request("GET", "/missing/path/here"))

    async def median_time(router: UrlDispatcher) -> float:
        samples = []
        for _ in range(7):
            start = time.perf_counter()
            for _ in range(200):
                for request in requests:
                    await router.resolve(request)
            samples.append(time.perf_counter() - start)
        return statistics.median(samples)

    await median_time(small)  # warm up
    ratio = await median_time(large) / await median_time(small)
    # A linear scan would make this ~1000; allow plenty for a noisy machine.
    assert ratio < 3, ratio


def test_dynamic_resource_is_dynamic(router: UrlDispatcher) -> None:
    assert isinstance(router.add_resource("/{x}"), DynamicResource)
    assert isinstance(router.add_resource("/x"), PlainResource)
    assert isinstance(router.add_resource("/x"), Resource)


async def test_a_resource_that_overrides_resolve_is_asked_through_it() -> None:
    asked: list[str] = []

    class Audited(PlainResource):
        async def resolve(self, request: Request) -> Any:
            asked.append(request.path)
            return await super().resolve(request)

    router = UrlDispatcher()
    resource = Audited("/audited")
    resource.add_route("GET", handler)
    router.register_resource(resource)
    router.freeze()
    match_info = await router.resolve(make_request("GET", "/audited"))
    assert match_info.http_exception is None
    assert asked == ["/audited"]
