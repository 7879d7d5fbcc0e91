"""Conditional requests (RFC 9110 section 13): evaluating the preconditions.

Sans-I/O: the functions take the request's method and header fields and the
validators of the selected representation (a strong entity tag and the
Last-Modified time in whole seconds) and say what to answer.

RFC 9110 section 13.2.2 fixes the order:

1. If-Match, when present, else If-Unmodified-Since: false -> 412.
2. If-None-Match, when present: false -> 304 for GET and HEAD, else 412;
   else If-Modified-Since (GET and HEAD only): false -> 304.
3. If-Range, with a Range field on a GET: false -> ignore the Range field.

A date field that is not a valid HTTP-date, or that is sent twice, is
ignored (13.1.3, 13.1.4).  If-Match uses the strong comparison of entity
tags, If-None-Match the weak one (8.8.3.2).
"""

from __future__ import annotations

import enum
from typing import Final

from multidict import MultiMapping

from aiohttp_core import hdrs
from aiohttp_core.etag import ETAG_ANY, ETag, parse_etag, parse_etag_list
from aiohttp_core.helpers import parse_http_date

__all__ = ("Precondition", "evaluate_preconditions", "if_range_allows")

_SAFE_METHODS: Final = frozenset({hdrs.METH_GET, hdrs.METH_HEAD})


class Precondition(enum.Enum):
    """What the preconditions of a request call for."""

    #: Go on and send the representation (or its ranges).
    PROCEED = "proceed"
    #: Answer 304 Not Modified.
    NOT_MODIFIED = "not-modified"
    #: Answer 412 Precondition Failed.
    FAILED = "failed"


def _strong_match(tags: tuple[ETag, ...], etag: ETag) -> bool:
    if etag.is_weak:
        return False
    return any(not tag.is_weak and tag.value == etag.value for tag in tags)


def _weak_match(tags: tuple[ETag, ...], etag: ETag) -> bool:
    return any(tag.value == etag.value for tag in tags)


def _tag_list(headers: MultiMapping[str], name: str) -> tuple[ETag, ...] | None:
    """The tags of a list field (all its lines joined), None if absent."""
    fields = headers.getall(name, ())
    if not fields:
        return None
    return parse_etag_list(", ".join(fields))


def _date(headers: MultiMapping[str], name: str) -> int | None:
    """A date field in POSIX seconds; None if absent, invalid or repeated."""
    fields = headers.getall(name, ())
    if len(fields) != 1:
        return None
    date = parse_http_date(fields[0])
    return None if date is None else int(date.timestamp())


def evaluate_preconditions(
    method: str, headers: MultiMapping[str], etag: ETag, last_modified: int
) -> Precondition:
    """Evaluate If-Match, If-Unmodified-Since, If-None-Match, If-Modified-Since.

    ``last_modified`` is the Last-Modified time sent, in POSIX seconds.
    """
    if_match = _tag_list(headers, hdrs.IF_MATCH)
    if if_match is not None:
        if not (
            any(tag.value == ETAG_ANY for tag in if_match)
            or _strong_match(if_match, etag)
        ):
            return Precondition.FAILED
    else:
        unmodified_since = _date(headers, hdrs.IF_UNMODIFIED_SINCE)
        if unmodified_since is not None and last_modified > unmodified_since:
            return Precondition.FAILED
    safe = method in _SAFE_METHODS
    if_none_match = _tag_list(headers, hdrs.IF_NONE_MATCH)
    if if_none_match is not None:
        if any(tag.value == ETAG_ANY for tag in if_none_match) or _weak_match(
            if_none_match, etag
        ):
            return Precondition.NOT_MODIFIED if safe else Precondition.FAILED
    elif safe:
        modified_since = _date(headers, hdrs.IF_MODIFIED_SINCE)
        if modified_since is not None and last_modified <= modified_since:
            return Precondition.NOT_MODIFIED
    return Precondition.PROCEED


def if_range_allows(headers: MultiMapping[str], etag: ETag, last_modified: int) -> bool:
    """Tell whether the Range field may be honoured, as If-Range says.

    True without If-Range.  An entity tag must match strongly (a weak one
    never does); a date must equal Last-Modified exactly (13.1.5).
    """
    fields = headers.getall(hdrs.IF_RANGE, ())
    if not fields:
        return True
    if len(fields) != 1:
        return False
    value = fields[0].strip(" \t")
    # 13.1.5: an entity-tag starts with DQUOTE or W/, a date never does.
    if value.startswith(('"', "W/")):
        tag = parse_etag(value)
        return tag is not None and _strong_match((tag,), etag)
    date = parse_http_date(value)
    return date is not None and int(date.timestamp()) == last_modified
