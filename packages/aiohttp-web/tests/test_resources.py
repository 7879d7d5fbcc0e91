"""Tests of resources: path forms, url_for, sub-application resources, domains."""

from __future__ import annotations

import re
from typing import Any, cast

import pytest
from yarl import URL

from aiohttp_core.http_messages import RawRequestMessage
from aiohttp_core.http_parser import HttpRequestParser
from aiohttp_core.streams import EMPTY_PAYLOAD
from aiohttp_web.app import Application
from aiohttp_web.exceptions import HTTPMethodNotAllowed, HTTPNotFound
from aiohttp_web.request import Request
from aiohttp_web.resources import (
    AbstractRuleMatching,
    Domain,
    DynamicResource,
    MaskDomain,
    MatchedSubAppResource,
    PlainResource,
    PrefixedSubAppResource,
)
from aiohttp_web.response import Response
from aiohttp_web.router import UrlDispatcher


class _NoConnection:
    transport = None


def make_request(
    method: str, target: str, headers: dict[str, str] | None = None
) -> Request:
    """A real Request, from a request head parsed by the real parser."""
    fields = {"Host": "example.com", **(headers or {})}
    head = f"{method} {target} HTTP/1.1\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in fields.items() if value)
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


# --- plain resources ---------------------------------------------------------


def test_plain_resource_basics() -> None:
    resource = PlainResource("/path/to", name="name")
    assert resource.name == "name"
    assert resource.canonical == "/path/to"
    assert resource.get_info() == {"path": "/path/to"}
    assert resource.url_for() == URL("/path/to")
    assert len(resource) == 0
    route = resource.add_route("GET", handler)
    assert len(resource) == 1
    assert list(resource) == [route]
    assert route.resource is resource
    assert repr(resource) == "<PlainResource 'name' /path/to>"


def test_plain_url_for_with_query() -> None:
    # web_quickstart.rst, "Reverse URL Constructing using Named Resources".
    router = UrlDispatcher()
    router.add_get("/root", handler, name="root")
    url = router["root"].url_for().with_query({"a": "b", "c": "d"})
    assert url == URL("/root?a=b&c=d")


@pytest.mark.parametrize(
    ("path", "canonical", "url"),
    [
        ("/café", "/café", "/caf%C3%A9"),
        ("/caf%C3%A9", "/café", "/caf%C3%A9"),
        ("/caf%c3%a9", "/café", "/caf%C3%A9"),
        ("/a b", "/a b", "/a%20b"),
        ("/a%20b", "/a b", "/a%20b"),
        ("/a%2Fb", "/a%2Fb", "/a%2Fb"),
        ("/100%", "/100%25", "/100%25"),
        ("/100%25", "/100%25", "/100%25"),
        ("/a:b@c!$&'()*+,;=", "/a:b@c!$&'()*+,;=", "/a:b@c!$&'()*+,;="),
        ("/a?b#c", "/a?b#c", "/a%3Fb%23c"),
    ],
)
def test_plain_path_forms(path: str, canonical: str, url: str) -> None:
    resource = PlainResource(path)
    assert resource.canonical == canonical
    built = resource.url_for()
    assert built.raw_path == url
    # The URL built leads back to the resource.
    assert built.path_safe == canonical


def test_plain_path_must_start_with_slash() -> None:
    with pytest.raises(ValueError, match="start with '/'"):
        PlainResource("a")


async def test_plain_resolve() -> None:
    resource = PlainResource("/a")
    resource.add_route("GET", handler)
    resource.add_route("POST", other)
    match_info, allowed = await resource.resolve(make_request("POST", "/a"))
    assert match_info is not None
    assert match_info.handler is other
    assert allowed == set()
    match_info, allowed = await resource.resolve(make_request("PUT", "/a"))
    assert match_info is None
    assert allowed == {"GET", "POST"}
    match_info, allowed = await resource.resolve(make_request("GET", "/b"))
    assert match_info is None
    assert allowed == set()


def test_plain_add_prefix() -> None:
    resource = PlainResource("/a")
    resource.add_prefix("/pre")
    assert resource.canonical == "/pre/a"
    assert resource.url_for() == URL("/pre/a")
    for bad in ("pre", "/pre/", ""):
        with pytest.raises(ValueError, match="prefix"):
            resource.add_prefix(bad)


def test_empty_path_takes_the_prefix() -> None:
    resource = PlainResource("")
    resource.add_prefix("/sub")
    assert resource.canonical == "/sub"


# --- dynamic resources ------------------------------------------------------


def test_dynamic_basics() -> None:
    resource = DynamicResource(r"/get/{num:\d+}/{name}", name="get")
    assert resource.canonical == "/get/{num}/{name}"
    info = resource.get_info()
    assert info["formatter"] == "/get/{num}/{name}"
    assert isinstance(info["pattern"], re.Pattern)
    assert info["pattern"].fullmatch("/get/12/x")
    assert repr(resource) == "<DynamicResource 'get' /get/{num}/{name}>"


def test_dynamic_url_for() -> None:
    # web_quickstart.rst: add_resource(r'/{user}/info', name='user-info').
    router = UrlDispatcher()
    router.add_resource(r"/{user}/info", name="user-info")
    url = router["user-info"].url_for(user="john_doe")
    assert url == URL("/john_doe/info")
    assert url.with_query("a=b") == URL("/john_doe/info?a=b")
    assert str(url.with_query("a=b")) == "/john_doe/info?a=b"


@pytest.mark.parametrize(
    ("value", "raw"),
    [
        ("a/b", "a%2Fb"),
        ("100%", "100%25"),
        ("a b", "a%20b"),
        ("café", "caf%C3%A9"),
        ("a?b#c", "a%3Fb%23c"),
        ("a:b@c", "a:b@c"),
        ("..", ".."),
        (7, "7"),
    ],
)
def test_dynamic_url_for_encodes_values(value: Any, raw: str) -> None:
    resource = DynamicResource("/files/{name}")
    url = resource.url_for(name=value)
    assert url.raw_path == "/files/" + raw


@pytest.mark.parametrize("value", ["a/b", "100%", "a b", "café", "%2F", "x%252Fy"])
async def test_dynamic_url_for_round_trip(value: str) -> None:
    resource = DynamicResource("/files/{name}/x")
    resource.add_route("GET", handler)
    url = resource.url_for(name=value)
    match_info, _ = await resource.resolve(make_request("GET", url.raw_path))
    assert match_info is not None
    assert match_info["name"] == value


def test_dynamic_url_for_missing_part() -> None:
    resource = DynamicResource("/{a}/{b}")
    with pytest.raises(KeyError, match="'b'"):
        resource.url_for(a="1")


def test_dynamic_url_for_static_parts_encoded() -> None:
    resource = DynamicResource("/café/{x}/a b")
    assert resource.url_for(x="1").raw_path == "/caf%C3%A9/1/a%20b"


@pytest.mark.parametrize(
    ("path", "target", "expected"),
    [
        ("/{name}", "/john", {"name": "john"}),
        ("/a/{x}/{y}", "/a/1/2", {"x": "1", "y": "2"}),
        ("/a-{x}.html", "/a-page.html", {"x": "page"}),
        (r"/{x:\d{2}}", "/12", {"x": "12"}),
        (r"/{x:[a-z]{1,3}}/{y}", "/abc/z", {"x": "abc", "y": "z"}),
        ("/{tail:.*}", "/a/b/c", {"tail": "a/b/c"}),
        ("/p/{name}", "/p/caf%C3%A9", {"name": "café"}),
        ("/p/{name}", "/p/a%2Fb", {"name": "a/b"}),
        ("/p/{name}", "/p/a%252Fb", {"name": "a%2Fb"}),
        ("/p/{name}", "/p/100%25", {"name": "100%"}),
        ("/café/{x}", "/caf%C3%A9/1", {"x": "1"}),
        ("/p/{name:é+}", "/p/%C3%A9%C3%A9", {"name": "éé"}),
    ],
)
async def test_dynamic_matches(
    path: str, target: str, expected: dict[str, str]
) -> None:
    resource = DynamicResource(path)
    resource.add_route("GET", handler)
    match_info, _ = await resource.resolve(make_request("GET", target))
    assert match_info is not None
    assert dict(match_info) == expected


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ("/{name}", "/a/b"),
        ("/{name}", "/"),
        (r"/{x:\d+}", "/12a"),
        ("/a/{x}", "/b/1"),
        ("/a/{x}/c", "/a/1/c/"),
    ],
)
async def test_dynamic_does_not_match(path: str, target: str) -> None:
    resource = DynamicResource(path)
    resource.add_route("GET", handler)
    match_info, allowed = await resource.resolve(make_request("GET", target))
    assert match_info is None
    assert allowed == set()


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/{", "Unbalanced"),
        ("/}", "Unbalanced"),
        ("/{a", "Unbalanced"),
        ("/{a}}", "Unbalanced"),
        ("/{1a}", "Invalid variable name"),
        ("/{a b}", "Invalid variable name"),
        ("/{}", "Invalid variable name"),
        ("/{a{b}}", "Invalid variable name"),
        ("/{a}/{a}", "Duplicate variable"),
        ("/{a:}", "Empty pattern"),
        ("/{a:(}", "Bad pattern"),
        ("/{a:[}", "Bad pattern"),
    ],
)
def test_dynamic_bad_paths(path: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        DynamicResource(path)


def test_dynamic_escaped_brace_in_regex() -> None:
    resource = DynamicResource(r"/{x:\{[a-z]+\}}")
    assert resource.get_info()["pattern"].fullmatch("/{abc}")


def test_dynamic_add_prefix() -> None:
    resource = DynamicResource("/{x}/a")
    resource.add_prefix("/pre")
    assert resource.canonical == "/pre/{x}/a"
    assert resource.url_for(x="1") == URL("/pre/1/a")
    assert resource.get_info()["pattern"].fullmatch("/pre/1/a")


def test_router_picks_the_resource_class() -> None:
    router = UrlDispatcher()
    assert isinstance(router.add_resource("/a/{b}"), DynamicResource)
    assert isinstance(router.add_resource("/a/b"), PlainResource)
    with pytest.raises(ValueError, match="Unbalanced"):
        router.add_resource("/a}")


# --- prefix and sub-application resources -----------------------------------


def test_prefix_resource_path_below() -> None:
    resource = PrefixedSubAppResource("/admin/", Application())
    assert resource.canonical == "/admin"
    assert resource._path_below("/admin") == ""
    assert resource._path_below("/admin/x") == "/x"
    assert resource._path_below("/administrator") is None
    assert resource._path_below("/other") is None


def test_prefix_resource_needs_slash() -> None:
    with pytest.raises(ValueError, match="start with '/'"):
        PrefixedSubAppResource("admin", Application())
    with pytest.raises(ValueError, match="Prefix cannot be empty"):
        PrefixedSubAppResource("/", Application())
    with pytest.raises(TypeError):
        PrefixedSubAppResource(b"/x", Application())  # type: ignore[arg-type]


def test_sub_app_resources_get_the_prefix() -> None:
    # web_advanced.rst, "Nested applications".
    admin = Application()
    admin.router.add_get("/resource", handler, name="name")
    admin.router.add_get("/users/{id}", handler, name="user")
    app = Application()
    resource = app.add_subapp("/admin/", admin)
    assert isinstance(resource, PrefixedSubAppResource)
    assert admin.router["name"].url_for() == URL("/admin/resource")
    assert admin.router["user"].url_for(id="5") == URL("/admin/users/5")
    assert resource.canonical == "/admin"
    assert resource.app is admin
    assert resource.get_info() == {"app": admin, "prefix": "/admin"}
    assert len(resource) == 4  # GET and HEAD of each sub-app resource
    with pytest.raises(RuntimeError, match="url_for"):
        resource.url_for()
    assert "/admin" in repr(resource)


def test_sub_app_resource_len_and_iter() -> None:
    sub = Application()
    get_route = sub.router.add_get("/a", handler, allow_head=False)
    post_route = sub.router.add_post("/b", handler)
    resource = PrefixedSubAppResource("/sub", sub)
    assert len(resource) == 2
    assert list(resource) == [get_route, post_route]


async def test_sub_app_resolve() -> None:
    sub = Application()
    sub.router.add_get("/a", handler)
    sub.router.add_get("", other)
    app = Application()
    app.router.add_get("/subway", other)
    app.add_subapp("/sub", sub)
    router = app.router

    match_info = await router.resolve(make_request("GET", "/sub/a"))
    assert match_info.handler is handler
    assert match_info.apps == (sub,)
    assert match_info.current_app is sub

    root = await router.resolve(make_request("GET", "/sub"))
    assert root.handler is other
    assert root.apps == (sub,)

    # "/subway" is not under "/sub".
    assert (await router.resolve(make_request("GET", "/subway"))).apps == ()


async def test_sub_app_owns_its_404_and_405() -> None:
    sub = Application()
    sub.router.add_get("/a", handler)
    app = Application()
    app.add_subapp("/sub", sub)
    app.router.add_get("/{anything:.*}", other)

    not_found = await app.router.resolve(make_request("GET", "/sub/b"))
    assert isinstance(not_found.http_exception, HTTPNotFound)
    assert not_found.apps == (sub,)
    not_allowed = await app.router.resolve(make_request("POST", "/sub/a"))
    assert isinstance(not_allowed.http_exception, HTTPMethodNotAllowed)
    assert not_allowed.http_exception.allowed_methods == {"GET", "HEAD"}
    # Elsewhere, the parent's own routes.
    assert (await app.router.resolve(make_request("GET", "/x"))).handler is other


async def test_sub_app_resource_reports_allowed_methods() -> None:
    sub = Application()
    sub.router.add_put("/a", handler)
    resource = PrefixedSubAppResource("/sub", sub)
    match_info, allowed = await resource.resolve(make_request("GET", "/sub/a"))
    assert match_info is not None
    assert allowed == {"PUT"}


async def test_nested_sub_apps() -> None:
    inner = Application()
    inner.router.add_get("/leaf/{x}", handler, name="leaf")
    middle = Application()
    middle.add_subapp("/inner", inner)
    app = Application()
    app.add_subapp("/middle", middle)
    assert inner.router["leaf"].url_for(x="1") == URL("/middle/inner/leaf/1")
    match_info = await app.router.resolve(make_request("GET", "/middle/inner/leaf/1"))
    assert match_info.handler is handler
    assert dict(match_info) == {"x": "1"}
    assert match_info.apps == (middle, inner)
    assert match_info.current_app is inner


async def test_sub_app_with_encoded_prefix() -> None:
    sub = Application()
    sub.router.add_get("/x", handler, name="x")
    app = Application()
    app.add_subapp("/café", sub)
    assert sub.router["x"].url_for() == URL("/caf%C3%A9/x")
    match_info = await app.router.resolve(make_request("GET", "/caf%C3%A9/x"))
    assert match_info.handler is handler


# --- domains ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("domain", "canonical"),
    [
        ("example.com", "example.com"),
        ("EXAMPLE.com", "example.com"),
        ("example.com.", "example.com"),
        ("example.com:8080", "example.com:8080"),
        ("пример.рф", "xn--e1afmkfd.xn--p1ai"),
        ("localhost", "localhost"),
        ("127.0.0.1:81", "127.0.0.1:81"),
        ("my_service", "my_service"),
    ],
)
def test_domain_canonical(domain: str, canonical: str) -> None:
    rule = Domain(domain)
    assert rule.canonical == canonical
    assert rule.get_info() == {"domain": canonical}


@pytest.mark.parametrize(
    "domain",
    [
        "",
        "http://example.com",
        "example.com/path",
        "user@example.com",
        "-example.com",
        "exa mple.com",
        "example..com",
        "*.example.com",
        "a" * 64 + ".com",
        ".".join(["a" * 63] * 4),  # 255 characters, over 253
        "example.com:99999",
        "example.com:port",
    ],
)
def test_domain_invalid(domain: str) -> None:
    with pytest.raises(ValueError, match=r"Domain|Scheme"):
        Domain(domain)


def test_domain_length_limits() -> None:
    label = "a" * 63
    assert Domain(label + ".com").canonical == label + ".com"
    longest = ".".join([label, label, label, "a" * 61])  # 253 characters
    assert Domain(longest).canonical == longest
    with pytest.raises(ValueError, match="Domain not valid"):
        Domain(longest + "a")  # 254 characters


def test_domain_must_be_str() -> None:
    with pytest.raises(TypeError):
        Domain(b"example.com")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("rule", "host", "expected"),
    [
        ("example.com", "example.com", True),
        ("example.com", "EXAMPLE.COM", True),
        ("example.com", "example.com.", True),
        ("example.com", "example.com:80", True),
        ("example.com", "example.com:443", True),
        ("example.com", "example.com:8080", False),
        ("example.com", "www.example.com", False),
        ("example.com", "example.co", False),
        ("example.com", "example.com:", False),
        ("example.com", "exämple.com", False),
        ("example.com:8080", "example.com:8080", True),
        ("example.com:8080", "example.com", False),
        ("example.com:8080", "example.com:8081", False),
        ("пример.рф", "xn--e1afmkfd.xn--p1ai", True),
        ("пример.рф", "XN--E1AFMKFD.xn--p1ai:80", True),
        ("[::1]:8080", "[::1]:8080", True),
        ("[::1]", "[::1]", True),
        ("[::1]", "[::2]", False),
    ],
)
def test_domain_match(rule: str, host: str, expected: bool) -> None:
    assert Domain(rule).match_domain(host) is expected


@pytest.mark.parametrize(
    ("rule", "host", "expected"),
    [
        ("*.example.com", "a.example.com", True),
        ("*.example.com", "a.b.example.com", True),
        ("*.example.com", "A.Example.COM:80", True),
        ("*.example.com", "example.com", False),
        ("*.example.com", ".example.com", False),
        ("*.example.com", "a.example.org", False),
        ("*.example.com", "aexample.com", False),
        ("*.example.com:8080", "a.example.com:8080", True),
        ("*.example.com:8080", "a.example.com", False),
        ("www.*.com", "www.example.com", True),
        ("*.пример.рф", "a.xn--e1afmkfd.xn--p1ai", True),
    ],
)
def test_mask_domain_match(rule: str, host: str, expected: bool) -> None:
    mask = MaskDomain(rule)
    assert mask.match_domain(host) is expected


def test_mask_domain_canonical() -> None:
    assert MaskDomain("*.Example.com").canonical == "*.example.com"
    assert repr(MaskDomain("*.example.com")) == "<MaskDomain *.example.com>"


async def test_domain_match_uses_host_header() -> None:
    rule = Domain("example.com")
    assert await rule.match(make_request("GET", "/", {"Host": "example.com"}))
    assert not await rule.match(make_request("GET", "/", {"Host": "other.com"}))


async def test_matched_sub_app_resource() -> None:
    sub = Application()
    sub.router.add_get("/", handler, name="index")
    app = Application()
    app.router.add_get("/", other)
    resource = app.add_domain("*.example.com", sub)
    assert isinstance(resource, MatchedSubAppResource)
    assert resource.canonical == "*.example.com"
    assert isinstance(resource.rule, MaskDomain)
    assert resource.get_info() == {"app": sub, "rule": resource.rule}
    with pytest.raises(RuntimeError, match="url_for"):
        resource.url_for()

    request = make_request("GET", "/", {"Host": "www.example.com"})
    # The index comes first: "/" of the parent wins, as documented.
    assert (await app.router.resolve(request)).handler is other
    match_info, _ = await resource.resolve(request)
    assert match_info is not None
    assert match_info.handler is handler
    assert match_info.apps == (sub,)


async def test_domain_sub_app_after_index() -> None:
    sub = Application()
    sub.router.add_get("/page", handler)
    app = Application()
    app.add_domain("example.com", sub)
    app.router.add_get("/other", other)
    found = await app.router.resolve(
        make_request("GET", "/page", {"Host": "example.com"})
    )
    assert found.handler is handler
    missed = await app.router.resolve(
        make_request("GET", "/page", {"Host": "example.org"})
    )
    assert isinstance(missed.http_exception, HTTPNotFound)


async def test_absolute_form_authority_is_the_domain() -> None:
    # RFC 9112 3.2.2: the target's authority wins over the Host field.
    sub = Application()
    sub.router.add_get("/page", handler)
    app = Application()
    app.add_domain("example.com", sub)
    request = make_request("GET", "http://example.com/page", {"Host": "other.org"})
    assert (await app.router.resolve(request)).handler is handler
    request = make_request("GET", "http://other.org/page", {"Host": "example.com"})
    assert (await app.router.resolve(request)).http_exception is not None


async def test_domain_needs_a_host_field() -> None:
    request = make_request("GET", "/", {"Host": ""})
    assert not await Domain("example.com").match(request)


async def test_custom_rule() -> None:
    class HeaderRule(AbstractRuleMatching):
        async def match(self, request: Request) -> bool:
            return request.headers.get("X-Tenant") == "a"

        def get_info(self) -> dict[str, Any]:
            return {"header": "X-Tenant"}

        @property
        def canonical(self) -> str:
            return "X-Tenant: a"

    sub = Application()
    sub.router.add_get("/", handler)
    resource = MatchedSubAppResource(HeaderRule(), sub)
    app = Application()
    app.router.register_resource(resource)
    assert resource.canonical == "X-Tenant: a"
    yes = await app.router.resolve(make_request("GET", "/", {"X-Tenant": "a"}))
    assert yes.handler is handler
    no = await app.router.resolve(make_request("GET", "/", {"X-Tenant": "b"}))
    assert no.http_exception is not None


async def test_matched_sub_app_under_a_prefix() -> None:
    tenant = Application()
    tenant.router.add_get("/x", handler, name="x")
    middle = Application()
    middle.add_domain("example.com", tenant)
    app = Application()
    app.add_subapp("/m", middle)
    assert tenant.router["x"].url_for() == URL("/m/x")
    request = make_request("GET", "/m/x", {"Host": "example.com"})
    match_info = await app.router.resolve(request)
    assert match_info.handler is handler
    assert match_info.apps == (middle, tenant)
    outside = make_request("GET", "/x", {"Host": "example.com"})
    assert (await app.router.resolve(outside)).http_exception is not None
