"""How the session follows a redirect (RFC 9110 15.4).

Each hop after a 3xx is a new request: its URL is the ``Location`` resolved
against the previous URL; 303 (and 301/302 after POST) turn the request into
a GET without body; a body already streamed cannot be sent again; and
credentials are not carried to another origin.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from aiohttp_core import hdrs
from aiohttp_core.payload import Payload

from .exceptions import (
    InvalidUrlRedirectClientError,
    NonHttpUrlRedirectClientError,
    RedirectClientError,
)
from .request import HTTP_SCHEMES, check_host

__all__ = (
    "BODY_FIELDS",
    "CREDENTIAL_FIELDS",
    "REDIRECT_STATUSES",
    "drop_fields",
    "location",
    "redirect_url",
    "replayed_body",
    "turns_into_get",
)

REDIRECT_STATUSES: Final = frozenset({301, 302, 303, 307, 308})
# Fields that carry credentials: never sent on to another origin.
CREDENTIAL_FIELDS: Final = (hdrs.AUTHORIZATION, hdrs.COOKIE, hdrs.PROXY_AUTHORIZATION)
# Fields that describe a body: dropped with the body when the method turns GET.
BODY_FIELDS: Final = (
    hdrs.CONTENT_LENGTH,
    hdrs.CONTENT_TYPE,
    hdrs.CONTENT_ENCODING,
    hdrs.TRANSFER_ENCODING,
)


def location(headers: CIMultiDictProxy[str]) -> str | None:
    """Where a 3xx points (``Location``, or the obsolete ``URI``), if anywhere."""
    return headers.get(hdrs.LOCATION) or headers.get(hdrs.URI)


def redirect_url(url: URL, location: str, *, requote: bool) -> URL:
    """The absolute URL of ``location`` relative to ``url``; only HTTP(S)/WS(S)."""
    try:
        target = URL(location, encoded=not requote)
    except ValueError as exc:
        raise InvalidUrlRedirectClientError(
            location,
            "Server attempted redirecting to a location that does not look like a URL",
        ) from exc
    if target.scheme and target.scheme not in HTTP_SCHEMES:
        raise NonHttpUrlRedirectClientError(location)
    if not target.scheme:
        target = url.join(target)
    check_host(target, redirect=True)
    return target


def turns_into_get(status: int, method: str) -> bool:
    """True when the next hop is a GET without body (RFC 9110 15.4.2-4)."""
    return (status == 303 and method != hdrs.METH_HEAD) or (
        status in (301, 302) and method == hdrs.METH_POST
    )


def replayed_body(body: Payload, status: int, next_url: URL) -> Payload:
    """``body`` to send again to ``next_url``; a streamed one cannot be."""
    if body.consumed:
        raise RedirectClientError(
            f"Cannot follow the {status} redirect to {next_url}: the request "
            "body was streamed and cannot be sent again"
        )
    return body


def drop_fields(headers: CIMultiDict[str], names: Iterable[str]) -> None:
    """Remove every field named in ``names`` from ``headers``."""
    for name in names:
        headers.popall(name, None)
