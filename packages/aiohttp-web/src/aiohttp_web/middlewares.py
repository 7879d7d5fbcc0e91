"""Ready-made middlewares: path normalization, and the legacy decorator."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from typing import TYPE_CHECKING, Final, TypeVar

from yarl import URL

from .abc import Handler
from .exceptions import HTTPMove, HTTPPermanentRedirect

if TYPE_CHECKING:
    from .app import Middleware
    from .request import Request
    from .response import StreamResponse

__all__ = ("middleware", "normalize_path_middleware")

_F = TypeVar("_F")

_SLASHES_RE: Final = re.compile(r"//+")


def middleware(f: _F) -> _F:
    """Mark ``f`` as a middleware (deprecated: every middleware is one now)."""
    warnings.warn(
        "The middleware decorator is deprecated since 4.0: its behaviour is "
        "the default, simply remove the decorator",
        DeprecationWarning,
        stacklevel=2,
    )
    return f


def _candidate_paths(
    path: str, append_slash: bool, remove_slash: bool, merge_slashes: bool
) -> Iterator[str]:
    # The documented order: merged, then slash added or removed, then both.
    if merge_slashes:
        yield _SLASHES_RE.sub("/", path)
    if append_slash and not path.endswith("/"):
        yield path + "/"
    if remove_slash and path.endswith("/"):
        yield path[:-1]
    if merge_slashes and append_slash:
        yield _SLASHES_RE.sub("/", path + "/")
    if merge_slashes and remove_slash and path.endswith("/"):
        yield _SLASHES_RE.sub("/", path)[:-1]


def _local_location(path: str) -> str:
    """Make ``path`` safe as a Location: it must stay on this site.

    ``//host/x`` is a network-path reference, and browsers read ``\\`` as
    ``/``, so ``/\\host`` is one too.  Leading slashes collapse to one and
    backslashes are sent percent-encoded, which the router decodes back to
    the same path it just resolved.
    """
    return "/" + path.lstrip("/").replace("\\", "%5C")


async def _resolves(request: Request, path: str) -> bool:
    alt_request = request.clone(rel_url=URL.build(path=path, encoded=True))
    alt_request._match_info = None  # as for any request the router sees
    match_info = await request.app.router.resolve(alt_request)
    return match_info.http_exception is None


def normalize_path_middleware(
    *,
    append_slash: bool = True,
    remove_slash: bool = False,
    merge_slashes: bool = True,
    redirect_class: type[HTTPMove] = HTTPPermanentRedirect,
) -> Middleware:
    """Make a middleware redirecting unmatched paths to their normalized form.

    It merges repeated slashes and adds (or removes) a trailing slash, and
    redirects with ``redirect_class`` to the first such path that a route
    serves.  The redirect never leaves the site.
    """
    if append_slash and remove_slash:
        # Documented as AssertionError; raised explicitly so -O keeps it.
        raise AssertionError("Cannot both remove and append slash")

    async def normalize_path(request: Request, handler: Handler) -> StreamResponse:
        if request.match_info.http_exception is not None:
            rel_url = request.rel_url
            path = rel_url.raw_path
            tried = {path}
            for candidate in _candidate_paths(
                path, append_slash, remove_slash, merge_slashes
            ):
                location = _local_location(candidate)
                if location in tried:
                    continue
                tried.add(location)
                if await _resolves(request, location):
                    query = rel_url.raw_query_string
                    raise redirect_class(f"{location}?{query}" if query else location)
        return await handler(request)

    return normalize_path
