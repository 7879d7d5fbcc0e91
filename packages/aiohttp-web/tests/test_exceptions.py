"""Tests of the HTTP exceptions raised by web handlers."""

from __future__ import annotations

import pickle
from http import HTTPStatus

import pytest
from multidict import CIMultiDict
from yarl import URL

from aiohttp_web import exceptions as exc
from aiohttp_web.exceptions import (
    HTTPBadRequest,
    HTTPClientError,
    HTTPError,
    HTTPException,
    HTTPFound,
    HTTPMethodNotAllowed,
    HTTPMove,
    HTTPNoContent,
    HTTPNotFound,
    HTTPNotModified,
    HTTPOk,
    HTTPRedirection,
    HTTPRequestEntityTooLarge,
    HTTPResetContent,
    HTTPServerError,
    HTTPSuccessful,
    HTTPUnavailableForLegalReasons,
)

# The hierarchy chart of web_exceptions.rst, flattened: (name, status, base).
DOCUMENTED = [
    ("HTTPOk", 200, "HTTPSuccessful"),
    ("HTTPCreated", 201, "HTTPSuccessful"),
    ("HTTPAccepted", 202, "HTTPSuccessful"),
    ("HTTPNonAuthoritativeInformation", 203, "HTTPSuccessful"),
    ("HTTPNoContent", 204, "HTTPSuccessful"),
    ("HTTPResetContent", 205, "HTTPSuccessful"),
    ("HTTPPartialContent", 206, "HTTPSuccessful"),
    ("HTTPNotModified", 304, "HTTPRedirection"),
    ("HTTPMultipleChoices", 300, "HTTPMove"),
    ("HTTPMovedPermanently", 301, "HTTPMove"),
    ("HTTPFound", 302, "HTTPMove"),
    ("HTTPSeeOther", 303, "HTTPMove"),
    ("HTTPUseProxy", 305, "HTTPMove"),
    ("HTTPTemporaryRedirect", 307, "HTTPMove"),
    ("HTTPPermanentRedirect", 308, "HTTPMove"),
    ("HTTPBadRequest", 400, "HTTPClientError"),
    ("HTTPUnauthorized", 401, "HTTPClientError"),
    ("HTTPPaymentRequired", 402, "HTTPClientError"),
    ("HTTPForbidden", 403, "HTTPClientError"),
    ("HTTPNotFound", 404, "HTTPClientError"),
    ("HTTPMethodNotAllowed", 405, "HTTPClientError"),
    ("HTTPNotAcceptable", 406, "HTTPClientError"),
    ("HTTPProxyAuthenticationRequired", 407, "HTTPClientError"),
    ("HTTPRequestTimeout", 408, "HTTPClientError"),
    ("HTTPConflict", 409, "HTTPClientError"),
    ("HTTPGone", 410, "HTTPClientError"),
    ("HTTPLengthRequired", 411, "HTTPClientError"),
    ("HTTPPreconditionFailed", 412, "HTTPClientError"),
    ("HTTPRequestEntityTooLarge", 413, "HTTPClientError"),
    ("HTTPRequestURITooLong", 414, "HTTPClientError"),
    ("HTTPUnsupportedMediaType", 415, "HTTPClientError"),
    ("HTTPRequestRangeNotSatisfiable", 416, "HTTPClientError"),
    ("HTTPExpectationFailed", 417, "HTTPClientError"),
    ("HTTPMisdirectedRequest", 421, "HTTPClientError"),
    ("HTTPUnprocessableEntity", 422, "HTTPClientError"),
    ("HTTPFailedDependency", 424, "HTTPClientError"),
    ("HTTPUpgradeRequired", 426, "HTTPClientError"),
    ("HTTPPreconditionRequired", 428, "HTTPClientError"),
    ("HTTPTooManyRequests", 429, "HTTPClientError"),
    ("HTTPRequestHeaderFieldsTooLarge", 431, "HTTPClientError"),
    ("HTTPUnavailableForLegalReasons", 451, "HTTPClientError"),
    ("HTTPInternalServerError", 500, "HTTPServerError"),
    ("HTTPNotImplemented", 501, "HTTPServerError"),
    ("HTTPBadGateway", 502, "HTTPServerError"),
    ("HTTPServiceUnavailable", 503, "HTTPServerError"),
    ("HTTPGatewayTimeout", 504, "HTTPServerError"),
    ("HTTPVersionNotSupported", 505, "HTTPServerError"),
    ("HTTPVariantAlsoNegotiates", 506, "HTTPServerError"),
    ("HTTPInsufficientStorage", 507, "HTTPServerError"),
    ("HTTPNotExtended", 510, "HTTPServerError"),
    ("HTTPNetworkAuthenticationRequired", 511, "HTTPServerError"),
]

_SPECIAL_ARGS: dict[str, tuple[object, ...]] = {
    "HTTPMethodNotAllowed": ("PUT", ["GET"]),
    "HTTPRequestEntityTooLarge": (10, 11),
    "HTTPUnavailableForLegalReasons": ("https://example.com/blocker",),
}


def _make(name: str, base: str, **kwargs: object) -> HTTPException:
    cls = getattr(exc, name)
    args = _SPECIAL_ARGS.get(name, ())
    if base == "HTTPMove":
        args = ("/elsewhere",)
    return cls(*args, **kwargs)  # type: ignore[no-any-return]


@pytest.mark.parametrize(("name", "status", "base"), DOCUMENTED)
def test_documented_class(name: str, status: int, base: str) -> None:
    cls = getattr(exc, name)
    assert cls.status_code == status
    assert issubclass(cls, getattr(exc, base))
    assert name in exc.__all__
    err = _make(name, base)
    assert err.status == status
    assert err.reason == HTTPStatus(status).phrase
    assert isinstance(err, Exception)


def test_all_names_exist() -> None:
    for name in exc.__all__:
        assert isinstance(getattr(exc, name), type)


def test_hierarchy_groups() -> None:
    assert issubclass(HTTPSuccessful, HTTPException)
    assert issubclass(HTTPRedirection, HTTPException)
    assert issubclass(HTTPMove, HTTPRedirection)
    assert issubclass(HTTPError, HTTPException)
    assert issubclass(HTTPClientError, HTTPError)
    assert issubclass(HTTPServerError, HTTPError)
    assert not issubclass(HTTPSuccessful, HTTPError)
    assert issubclass(HTTPException, Exception)


def test_not_a_response() -> None:
    err = HTTPNotFound()
    assert not hasattr(err, "body")
    assert not hasattr(err, "prepare")


def test_defaults() -> None:
    err = HTTPNotFound()
    assert err.status == 404
    assert err.reason == "Not Found"
    assert err.text == "404: Not Found"
    assert err.content_type == "text/plain"
    assert isinstance(err.headers, CIMultiDict)
    assert err.headers["Content-Type"] == "text/plain"
    assert str(err) == "Not Found"
    assert repr(err) == "<HTTPNotFound: 404 Not Found>"


def test_custom_reason_goes_into_default_text() -> None:
    err = HTTPBadRequest(reason="Nope")
    assert err.reason == "Nope"
    assert err.text == "400: Nope"


def test_custom_text_and_content_type() -> None:
    err = HTTPBadRequest(text="<b>no</b>", content_type="text/html")
    assert err.text == "<b>no</b>"
    assert err.content_type == "text/html"


def test_headers_kept_and_content_type_from_headers() -> None:
    err = HTTPOk(headers={"X-A": "1", "Content-Type": "application/json"}, text="{}")
    assert err.headers["X-A"] == "1"
    assert err.content_type == "application/json"


def test_headers_multidict_keeps_duplicates() -> None:
    err = HTTPOk(headers=[("X-A", "1"), ("X-A", "2")])
    assert err.headers.getall("X-A") == ["1", "2"]


def test_headers_not_shared_with_caller() -> None:
    given = CIMultiDict({"X-A": "1"})
    err = HTTPOk(headers=given)
    err.headers["X-B"] = "2"
    assert "X-B" not in given


@pytest.mark.parametrize("cls", [HTTPNoContent, HTTPResetContent, HTTPNotModified])
def test_empty_body_statuses_have_no_text(cls: type[HTTPException]) -> None:
    err = cls()
    assert err.text is None
    assert err.content_type is None
    assert "Content-Type" not in err.headers
    with pytest.raises(ValueError, match="no body"):
        cls(text="something")


def test_base_class_has_no_status() -> None:
    with pytest.raises(TypeError, match="no HTTP status"):
        HTTPException()
    with pytest.raises(TypeError):
        HTTPClientError()


def test_user_subclass_with_status() -> None:
    class HTTPTeapot(HTTPClientError):
        status_code = 418

    err = HTTPTeapot()
    assert err.status == 418
    assert err.reason == "I'm a Teapot"
    assert err.text == "418: I'm a Teapot"


def test_user_subclass_with_unknown_status() -> None:
    class HTTPWeird(HTTPClientError):
        status_code = 499

    err = HTTPWeird()
    assert err.reason == ""
    assert err.text == "499: "


@pytest.mark.parametrize("bad", ["a\r\nb", "a\nb", "a\rb", "a\x00b"])
def test_reason_with_line_break_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="reason"):
        HTTPNotFound(reason=bad)


@pytest.mark.parametrize("bad", ["x\r\nSet-Cookie: a=b", "x\n", "\rx"])
def test_header_value_with_line_break_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="X-A"):
        HTTPNotFound(headers={"X-A": bad})
    with pytest.raises(ValueError, match="content_type"):
        HTTPNotFound(content_type=bad)


def test_header_name_with_line_break_refused() -> None:
    with pytest.raises(ValueError, match="header name"):
        HTTPNotFound(headers={"X-A\r\nB": "1"})


def test_raise_and_catch() -> None:
    with pytest.raises(HTTPClientError) as info:
        raise HTTPNotFound(text="gone")
    assert info.value.text == "gone"


# --- redirections -----------------------------------------------------------


def test_found_location() -> None:
    err = HTTPFound("/redirect")
    assert err.location == URL("/redirect")
    assert err.headers["Location"] == "/redirect"
    assert err.status == 302
    assert err.text == "302: Found"


def test_move_location_keyword_and_url() -> None:
    err = exc.HTTPMovedPermanently(location=URL("http://example.com/new/path"))
    assert err.location == URL("http://example.com/new/path")
    assert err.headers["Location"] == "http://example.com/new/path"


def test_move_needs_location() -> None:
    with pytest.raises(ValueError, match="location"):
        HTTPFound("")


def test_move_location_with_line_break_refused() -> None:
    with pytest.raises(ValueError, match="location"):
        HTTPFound("/a\r\nSet-Cookie: x=y")


def test_move_location_overrides_header() -> None:
    err = HTTPFound("/b", headers={"Location": "/a"})
    assert err.headers.getall("Location") == ["/b"]


# --- 405, 413, 451 ----------------------------------------------------------


def test_method_not_allowed() -> None:
    err = HTTPMethodNotAllowed("put", ["POST", "GET", "GET"])
    assert err.method == "put"
    assert err.allowed_methods == {"GET", "POST"}
    assert err.headers["Allow"] == "GET,POST"
    assert err.status == 405
    assert err.text == "405: Method Not Allowed"


def test_method_not_allowed_empty() -> None:
    err = HTTPMethodNotAllowed("GET", [])
    assert err.headers["Allow"] == ""


def test_method_not_allowed_bad_method_name() -> None:
    with pytest.raises(ValueError, match="allowed methods"):
        HTTPMethodNotAllowed("GET", ["G\r\nX"])


def test_request_entity_too_large() -> None:
    err = HTTPRequestEntityTooLarge(max_size=100, actual_size=101)
    assert err.status == 413
    assert err.max_size == 100
    assert err.actual_size == 101
    assert err.text == ("Maximum request body size 100 exceeded, actual body size 101")


def test_request_entity_too_large_text_and_headers() -> None:
    err = HTTPRequestEntityTooLarge(1, 2, text="big", headers={"X-A": "1"})
    assert err.text == "big"
    assert err.headers["X-A"] == "1"


def test_unavailable_for_legal_reasons() -> None:
    err = HTTPUnavailableForLegalReasons(
        "https://example.com/blocker", text="court order"
    )
    assert err.status == 451
    assert err.link == URL("https://example.com/blocker")
    assert err.headers["Link"] == '<https://example.com/blocker>; rel="blocked-by"'
    assert err.text == "court order"


def test_unavailable_for_legal_reasons_without_link() -> None:
    err = HTTPUnavailableForLegalReasons(None)
    assert err.link is None
    assert "Link" not in err.headers


def test_unavailable_for_legal_reasons_link_url() -> None:
    err = HTTPUnavailableForLegalReasons(link=URL("http://a.example/x"))
    assert err.link == URL("http://a.example/x")


# --- cookies ----------------------------------------------------------------


def test_set_cookie() -> None:
    err = HTTPFound("/")
    err.set_cookie("name", "value", max_age=10, httponly=True, samesite="Lax")
    morsel = err.cookies["name"]
    assert morsel.value == "value"
    assert morsel["max-age"] == 10
    assert morsel["path"] == "/"
    assert morsel["httponly"] is True
    assert morsel["samesite"] == "Lax"
    assert "Set-Cookie: name=value" in err.cookies.output()


def test_set_cookie_converts_value() -> None:
    err = HTTPOk()
    err.set_cookie("n", 5)  # type: ignore[arg-type]
    assert err.cookies["n"].value == "5"


def test_set_cookie_all_attributes() -> None:
    err = HTTPOk()
    err.set_cookie(
        "n",
        "v",
        expires="Thu, 01 Jan 2037 00:00:00 GMT",
        domain="example.com",
        path="/p",
        secure=True,
        version="1",
    )
    out = err.cookies.output()
    assert "Domain=example.com" in out
    assert "Path=/p" in out
    assert "Secure" in out
    assert "expires=Thu, 01 Jan 2037 00:00:00 GMT" in out


def test_set_cookie_attribute_with_line_break_refused() -> None:
    with pytest.raises(ValueError, match="cookie"):
        HTTPOk().set_cookie("n", "v", domain="a\r\nb")


def test_del_cookie() -> None:
    err = HTTPOk()
    err.set_cookie("n", "v")
    err.del_cookie("n", domain="example.com")
    morsel = err.cookies["n"]
    assert morsel.value == ""
    assert morsel["max-age"] == 0
    assert morsel["expires"] == "Thu, 01 Jan 1970 00:00:00 GMT"
    assert morsel["domain"] == "example.com"
    err.set_cookie("n", "again")
    assert err.cookies["n"].value == "again"
    assert err.cookies["n"]["max-age"] == ""


# --- pickling ---------------------------------------------------------------


@pytest.mark.parametrize(("name", "status", "base"), DOCUMENTED)
def test_pickle_round_trip(name: str, status: int, base: str) -> None:
    kwargs: dict[str, object] = {"headers": {"X-A": "1"}, "reason": "Why"}
    err = _make(name, base, **kwargs)
    copy = pickle.loads(pickle.dumps(err))
    assert type(copy) is type(err)
    assert copy.status == status
    assert copy.reason == "Why"
    assert copy.text == err.text
    assert copy.headers == err.headers
    if isinstance(err, HTTPMove):
        assert isinstance(copy, HTTPMove)
        assert copy.location == err.location
    if isinstance(err, HTTPMethodNotAllowed):
        assert isinstance(copy, HTTPMethodNotAllowed)
        assert copy.allowed_methods == err.allowed_methods
