"""HTTP errors and special statuses that a web handler raises.

Each class carries one HTTP status.  Raising an instance from a handler (or a
middleware) makes the server answer with that status, the exception's headers,
cookies and text.  Since 4.0 an ``HTTPException`` is a plain exception, not a
``Response``: it has no body other than ``text``, and cannot be returned.
"""

from __future__ import annotations

from collections.abc import Iterable
from http import HTTPStatus
from http.cookies import Morsel, SimpleCookie
from typing import Any, ClassVar, Final

from multidict import CIMultiDict
from yarl import URL

from aiohttp_core import hdrs
from aiohttp_core.typedefs import LooseHeaders, StrOrURL

__all__ = (
    "HTTPAccepted",
    "HTTPBadGateway",
    "HTTPBadRequest",
    "HTTPClientError",
    "HTTPConflict",
    "HTTPCreated",
    "HTTPError",
    "HTTPException",
    "HTTPExpectationFailed",
    "HTTPFailedDependency",
    "HTTPForbidden",
    "HTTPFound",
    "HTTPGatewayTimeout",
    "HTTPGone",
    "HTTPInsufficientStorage",
    "HTTPInternalServerError",
    "HTTPLengthRequired",
    "HTTPMethodNotAllowed",
    "HTTPMisdirectedRequest",
    "HTTPMove",
    "HTTPMovedPermanently",
    "HTTPMultipleChoices",
    "HTTPNetworkAuthenticationRequired",
    "HTTPNoContent",
    "HTTPNonAuthoritativeInformation",
    "HTTPNotAcceptable",
    "HTTPNotExtended",
    "HTTPNotFound",
    "HTTPNotImplemented",
    "HTTPNotModified",
    "HTTPOk",
    "HTTPPartialContent",
    "HTTPPaymentRequired",
    "HTTPPermanentRedirect",
    "HTTPPreconditionFailed",
    "HTTPPreconditionRequired",
    "HTTPProxyAuthenticationRequired",
    "HTTPRedirection",
    "HTTPRequestEntityTooLarge",
    "HTTPRequestHeaderFieldsTooLarge",
    "HTTPRequestRangeNotSatisfiable",
    "HTTPRequestTimeout",
    "HTTPRequestURITooLong",
    "HTTPResetContent",
    "HTTPSeeOther",
    "HTTPServerError",
    "HTTPServiceUnavailable",
    "HTTPSuccessful",
    "HTTPTemporaryRedirect",
    "HTTPTooManyRequests",
    "HTTPUnauthorized",
    "HTTPUnavailableForLegalReasons",
    "HTTPUnprocessableEntity",
    "HTTPUnsupportedMediaType",
    "HTTPUpgradeRequired",
    "HTTPUseProxy",
    "HTTPVariantAlsoNegotiates",
    "HTTPVersionNotSupported",
)

# CR and LF would end a header line early (response splitting); NUL is
# refused by every sane peer.  Checked when the value is given, so the error
# points at the caller rather than at the writer much later.
_FORBIDDEN_IN_HEADER: Final = frozenset("\r\n\x00")

# What a browser needs to drop a cookie now (RFC 6265 5.2.1/5.2.2).
_COOKIE_EPOCH: Final = "Thu, 01 Jan 1970 00:00:00 GMT"


def _check_header_value(what: str, value: str) -> str:
    if not _FORBIDDEN_IN_HEADER.isdisjoint(value):
        raise ValueError(f"{what} must not contain CR, LF or NUL: {value!r}")
    return value


def _default_reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


class HTTPException(Exception):
    """The base of every HTTP status raised by a web handler."""

    #: The HTTP status; set by every concrete subclass.
    status_code: ClassVar[int] = -1
    #: True for statuses whose responses never carry a body.
    empty_body: ClassVar[bool] = False

    def __init__(
        self,
        *,
        headers: LooseHeaders | None = None,
        reason: str | None = None,
        text: str | None = None,
        content_type: str | None = None,
    ) -> None:
        if self.status_code < 100 or self.status_code > 999:
            raise TypeError(
                f"{type(self).__name__} has no HTTP status: raise one of its "
                "subclasses, or give your subclass a status_code"
            )
        if reason is None:
            reason = _default_reason(self.status_code)
        else:
            _check_header_value("reason", reason)
        if self.empty_body:
            if text is not None:
                raise ValueError(
                    f"HTTP status {self.status_code} has no body: text is not allowed"
                )
        elif text is None:
            text = f"{self.status_code}: {reason}"
        real_headers: CIMultiDict[str] = CIMultiDict()
        if headers is not None:
            for name, value in CIMultiDict(headers).items():
                _check_header_value(f"header {name!r}", value)
                _check_header_value("header name", name)
                real_headers.add(name, value)
        if content_type is not None:
            real_headers[hdrs.CONTENT_TYPE] = _check_header_value(
                "content_type", content_type
            )
        elif text is not None and hdrs.CONTENT_TYPE not in real_headers:
            real_headers[hdrs.CONTENT_TYPE] = "text/plain"
        super().__init__(reason)
        self._reason = reason
        self._text = text
        self._headers = real_headers
        self._cookies: SimpleCookie = SimpleCookie()

    @property
    def status(self) -> int:
        """The HTTP status code."""
        return self.status_code

    @property
    def reason(self) -> str:
        """The HTTP reason phrase."""
        return self._reason

    @property
    def text(self) -> str | None:
        """The body text, or None for a status without body."""
        return self._text

    @property
    def headers(self) -> CIMultiDict[str]:
        """The headers of the response to send (mutable)."""
        return self._headers

    @property
    def content_type(self) -> str | None:
        """The Content-Type of the body, None when there is no body."""
        return self._headers.get(hdrs.CONTENT_TYPE)

    @property
    def cookies(self) -> SimpleCookie:
        """The outgoing cookies."""
        return self._cookies

    def set_cookie(
        self,
        name: str,
        value: str,
        *,
        expires: str | None = None,
        domain: str | None = None,
        max_age: int | str | None = None,
        path: str = "/",
        secure: bool | None = None,
        httponly: bool | None = None,
        version: str | None = None,
        samesite: str | None = None,
    ) -> None:
        """Set an outgoing cookie, with its attributes."""
        # Each call defines the whole cookie: no attribute of an earlier call
        # (such as the Max-Age=0 of a deletion) survives.
        self._cookies.pop(name, None)
        self._cookies[name] = str(value)
        morsel: Morsel[str] = self._cookies[name]
        attributes: dict[str, Any] = {
            "expires": expires,
            "domain": domain,
            "max-age": max_age,
            "path": path,
            "secure": secure,
            "httponly": httponly,
            "version": version,
            "samesite": samesite,
        }
        for key, attr in attributes.items():
            if attr is None:
                continue
            if isinstance(attr, str):
                _check_header_value(f"cookie {key}", attr)
            morsel[key] = attr

    def del_cookie(
        self, name: str, *, path: str = "/", domain: str | None = None
    ) -> None:
        """Ask the client to delete a cookie."""
        self.set_cookie(
            name, "", max_age=0, expires=_COOKIE_EPOCH, path=path, domain=domain
        )

    def __str__(self) -> str:
        return self._reason

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.status_code} {self._reason}>"

    def _kwargs(self) -> dict[str, Any]:
        headers = self._headers
        return {"headers": headers, "reason": self._reason, "text": self._text}

    def __reduce__(self) -> tuple[Any, ...]:
        # The keyword-only constructor defeats Exception's default pickling.
        return (_rebuild, (type(self), self._args(), self._kwargs()))

    def _args(self) -> tuple[Any, ...]:
        return ()


def _rebuild(
    cls: type[HTTPException], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> HTTPException:
    return cls(*args, **kwargs)


class HTTPError(HTTPException):
    """The base of 4xx and 5xx statuses."""


class HTTPRedirection(HTTPException):
    """The base of 3xx statuses."""


class HTTPSuccessful(HTTPException):
    """The base of 2xx statuses."""


class HTTPOk(HTTPSuccessful):
    """200 OK."""

    status_code = 200


class HTTPCreated(HTTPSuccessful):
    """201 Created."""

    status_code = 201


class HTTPAccepted(HTTPSuccessful):
    """202 Accepted."""

    status_code = 202


class HTTPNonAuthoritativeInformation(HTTPSuccessful):
    """203 Non-Authoritative Information."""

    status_code = 203


class HTTPNoContent(HTTPSuccessful):
    """204 No Content (no body)."""

    status_code = 204
    empty_body = True


class HTTPResetContent(HTTPSuccessful):
    """205 Reset Content (no body, RFC 9110 15.3.6)."""

    status_code = 205
    empty_body = True


class HTTPPartialContent(HTTPSuccessful):
    """206 Partial Content."""

    status_code = 206


class HTTPMove(HTTPRedirection):
    """The base of redirections that carry a Location header."""

    def __init__(
        self,
        location: StrOrURL,
        *,
        headers: LooseHeaders | None = None,
        reason: str | None = None,
        text: str | None = None,
        content_type: str | None = None,
    ) -> None:
        if not location:
            raise ValueError("HTTP redirects need a location to redirect to.")
        text_location = _check_header_value("location", str(location))
        super().__init__(
            headers=headers, reason=reason, text=text, content_type=content_type
        )
        self._headers[hdrs.LOCATION] = text_location
        self._location = URL(location)

    @property
    def location(self) -> URL:
        """Where the client is sent."""
        return self._location

    def _args(self) -> tuple[Any, ...]:
        return (self._location,)


class HTTPMultipleChoices(HTTPMove):
    """300 Multiple Choices."""

    status_code = 300


class HTTPMovedPermanently(HTTPMove):
    """301 Moved Permanently."""

    status_code = 301


class HTTPFound(HTTPMove):
    """302 Found."""

    status_code = 302


class HTTPSeeOther(HTTPMove):
    """303 See Other."""

    status_code = 303


class HTTPNotModified(HTTPRedirection):
    """304 Not Modified (no body)."""

    status_code = 304
    empty_body = True


class HTTPUseProxy(HTTPMove):
    """305 Use Proxy."""

    status_code = 305


class HTTPTemporaryRedirect(HTTPMove):
    """307 Temporary Redirect."""

    status_code = 307


class HTTPPermanentRedirect(HTTPMove):
    """308 Permanent Redirect."""

    status_code = 308


class HTTPClientError(HTTPError):
    """The base of 4xx statuses."""


class HTTPBadRequest(HTTPClientError):
    """400 Bad Request."""

    status_code = 400


class HTTPUnauthorized(HTTPClientError):
    """401 Unauthorized."""

    status_code = 401


class HTTPPaymentRequired(HTTPClientError):
    """402 Payment Required."""

    status_code = 402


class HTTPForbidden(HTTPClientError):
    """403 Forbidden."""

    status_code = 403


class HTTPNotFound(HTTPClientError):
    """404 Not Found."""

    status_code = 404


class HTTPMethodNotAllowed(HTTPClientError):
    """405 Method Not Allowed, with the Allow header listing what is allowed."""

    status_code = 405

    def __init__(
        self,
        method: str,
        allowed_methods: Iterable[str],
        *,
        headers: LooseHeaders | None = None,
        reason: str | None = None,
        text: str | None = None,
        content_type: str | None = None,
    ) -> None:
        allowed = frozenset(allowed_methods)
        allow = _check_header_value("allowed methods", ",".join(sorted(allowed)))
        super().__init__(
            headers=headers, reason=reason, text=text, content_type=content_type
        )
        self._headers[hdrs.ALLOW] = allow
        self._allowed_methods = allowed
        self._method = method

    @property
    def allowed_methods(self) -> frozenset[str]:
        """The methods the resource accepts."""
        return self._allowed_methods

    @property
    def method(self) -> str:
        """The method that was refused."""
        return self._method

    def _args(self) -> tuple[Any, ...]:
        return (self._method, self._allowed_methods)


class HTTPNotAcceptable(HTTPClientError):
    """406 Not Acceptable."""

    status_code = 406


class HTTPProxyAuthenticationRequired(HTTPClientError):
    """407 Proxy Authentication Required."""

    status_code = 407


class HTTPRequestTimeout(HTTPClientError):
    """408 Request Timeout."""

    status_code = 408


class HTTPConflict(HTTPClientError):
    """409 Conflict."""

    status_code = 409


class HTTPGone(HTTPClientError):
    """410 Gone."""

    status_code = 410


class HTTPLengthRequired(HTTPClientError):
    """411 Length Required."""

    status_code = 411


class HTTPPreconditionFailed(HTTPClientError):
    """412 Precondition Failed."""

    status_code = 412


class HTTPRequestEntityTooLarge(HTTPClientError):
    """413 Request Entity Too Large: the body passed ``client_max_size``."""

    status_code = 413

    def __init__(self, max_size: int, actual_size: int, **kwargs: Any) -> None:
        kwargs.setdefault(
            "text",
            f"Maximum request body size {max_size} exceeded, "
            f"actual body size {actual_size}",
        )
        super().__init__(**kwargs)
        self._max_size = max_size
        self._actual_size = actual_size

    @property
    def max_size(self) -> int:
        """The largest body allowed."""
        return self._max_size

    @property
    def actual_size(self) -> int:
        """The size received (at least; reading stops past the limit)."""
        return self._actual_size

    def _args(self) -> tuple[Any, ...]:
        return (self._max_size, self._actual_size)


class HTTPRequestURITooLong(HTTPClientError):
    """414 URI Too Long."""

    status_code = 414


class HTTPUnsupportedMediaType(HTTPClientError):
    """415 Unsupported Media Type."""

    status_code = 415


class HTTPRequestRangeNotSatisfiable(HTTPClientError):
    """416 Range Not Satisfiable."""

    status_code = 416


class HTTPExpectationFailed(HTTPClientError):
    """417 Expectation Failed."""

    status_code = 417


class HTTPMisdirectedRequest(HTTPClientError):
    """421 Misdirected Request."""

    status_code = 421


class HTTPUnprocessableEntity(HTTPClientError):
    """422 Unprocessable Entity."""

    status_code = 422


class HTTPFailedDependency(HTTPClientError):
    """424 Failed Dependency."""

    status_code = 424


class HTTPUpgradeRequired(HTTPClientError):
    """426 Upgrade Required."""

    status_code = 426


class HTTPPreconditionRequired(HTTPClientError):
    """428 Precondition Required."""

    status_code = 428


class HTTPTooManyRequests(HTTPClientError):
    """429 Too Many Requests."""

    status_code = 429


class HTTPRequestHeaderFieldsTooLarge(HTTPClientError):
    """431 Request Header Fields Too Large."""

    status_code = 431


class HTTPUnavailableForLegalReasons(HTTPClientError):
    """451 Unavailable For Legal Reasons, linking to who blocks (RFC 7725)."""

    status_code = 451

    def __init__(
        self,
        link: StrOrURL | None,
        *,
        headers: LooseHeaders | None = None,
        reason: str | None = None,
        text: str | None = None,
        content_type: str | None = None,
    ) -> None:
        super().__init__(
            headers=headers, reason=reason, text=text, content_type=content_type
        )
        self._link: URL | None = None
        if link:
            self._link = URL(link)
            target = _check_header_value("link", str(self._link))
            self._headers[hdrs.LINK] = f'<{target}>; rel="blocked-by"'

    @property
    def link(self) -> URL | None:
        """The entity implementing the blockage, or None."""
        return self._link

    def _args(self) -> tuple[Any, ...]:
        return (self._link,)


class HTTPServerError(HTTPError):
    """The base of 5xx statuses."""


class HTTPInternalServerError(HTTPServerError):
    """500 Internal Server Error."""

    status_code = 500


class HTTPNotImplemented(HTTPServerError):
    """501 Not Implemented."""

    status_code = 501


class HTTPBadGateway(HTTPServerError):
    """502 Bad Gateway."""

    status_code = 502


class HTTPServiceUnavailable(HTTPServerError):
    """503 Service Unavailable."""

    status_code = 503


class HTTPGatewayTimeout(HTTPServerError):
    """504 Gateway Timeout."""

    status_code = 504


class HTTPVersionNotSupported(HTTPServerError):
    """505 HTTP Version Not Supported."""

    status_code = 505


class HTTPVariantAlsoNegotiates(HTTPServerError):
    """506 Variant Also Negotiates."""

    status_code = 506


class HTTPInsufficientStorage(HTTPServerError):
    """507 Insufficient Storage."""

    status_code = 507


class HTTPNotExtended(HTTPServerError):
    """510 Not Extended."""

    status_code = 510


class HTTPNetworkAuthenticationRequired(HTTPServerError):
    """511 Network Authentication Required."""

    status_code = 511
