"""Small shared helpers, and the names users import from ``aiohttp.helpers``."""

from __future__ import annotations

import asyncio
import enum
import ipaddress
import re
import time
from datetime import datetime, timezone
from typing import Final, TypeVar

from propcache.api import under_cached_property as reify

from . import hdrs
from .basic_auth import BasicAuth
from .content_disposition import (
    ContentDisposition,
    content_disposition_filename,
    content_disposition_header,
    parse_content_disposition,
)
from .etag import (
    ETAG_ANY,
    ETAGC,
    ETAGC_RE,
    QUOTED_ETAG_RE,
    ETag,
    format_etag,
    parse_etag,
    parse_etag_list,
    validate_etag_value,
)
from .mimetype import MimeType, parse_content_type, parse_mimetype

__all__ = (
    "EMPTY_BODY_STATUS_CODES",
    "ETAGC",
    "ETAGC_RE",
    "ETAG_ANY",
    "QUOTED_ETAG_RE",
    "BasicAuth",
    "ContentDisposition",
    "ETag",
    "MimeType",
    "Sentinel",
    "content_disposition_filename",
    "content_disposition_header",
    "format_etag",
    "http_date",
    "is_ip_address",
    "must_be_empty_body",
    "noop",
    "parse_content_disposition",
    "parse_content_type",
    "parse_etag",
    "parse_etag_list",
    "parse_http_date",
    "parse_mimetype",
    "reify",
    "sentinel",
    "set_exception",
    "set_result",
    "should_remove_content_length",
    "validate_etag_value",
)

_T = TypeVar("_T")


class Sentinel(enum.Enum):
    """The type of ``sentinel``: "no value given" where None is a valid value."""

    sentinel = "sentinel"

    def __repr__(self) -> str:
        return "sentinel"


sentinel: Final = Sentinel.sentinel
# The name aiohttp code uses in annotations such as ``int | _SENTINEL``.
_SENTINEL = Sentinel


def noop(*args: object, **kwargs: object) -> None:
    """Do nothing, whatever the arguments."""


def set_result(fut: asyncio.Future[_T], result: _T) -> None:
    """Set the result of *fut* unless it is already done (or cancelled)."""
    if not fut.done():
        fut.set_result(result)


def set_exception(
    fut: asyncio.Future[_T],
    exc: BaseException,
    exc_cause: BaseException | Sentinel | None = sentinel,
) -> None:
    """Set *exc* on *fut* unless it is done, chaining it to *exc_cause* if given."""
    if fut.done():
        return
    if exc_cause is not sentinel and exc_cause is not exc:
        exc.__cause__ = exc_cause
    fut.set_exception(exc)


# Hosts as yarl hands them over: IPv4 dotted quads or IPv6 without brackets,
# the latter with an optional zone ID (RFC 6874).  Checked before ipaddress
# so that no non-ASCII digit ever reaches int().
_IP_ADDRESS_CANDIDATE_RE: Final = re.compile(
    r"[0-9A-Fa-f:.]+(?:%[A-Za-z0-9._~\-]+)?", re.ASCII
)


def is_ip_address(host: str | None) -> bool:
    """Tell whether *host* is an IPv4 or IPv6 address literal (ASCII only)."""
    if not host or not _IP_ADDRESS_CANDIDATE_RE.fullmatch(host):
        return False
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


# RFC 9110 5.6.7:
#   HTTP-date    = IMF-fixdate / obs-date
#   IMF-fixdate  = day-name "," SP date1 SP time-of-day SP GMT
#   date1        = day SP month SP year     ; e.g., 02 Jun 1982
#   obs-date     = rfc850-date / asctime-date
#   rfc850-date  = day-name-l "," SP date2 SP time-of-day SP GMT
#   date2        = day "-" month "-" 2DIGIT ; e.g., 02-Jun-82
#   asctime-date = day-name SP date3 SP time-of-day SP year
#   date3        = month SP ( 2DIGIT / ( SP DIGIT ) ) ; e.g., Jun  2
#   time-of-day  = hour ":" minute ":" second
# The names are case-sensitive in the grammar; we accept any ASCII case, as
# 5.6.7 encourages recipients to be robust.  The weekday is not checked
# against the date.
_DAY_NAMES: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTH_NAMES: Final = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun",
    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
)  # fmt: skip
_MONTHS: Final = {name.lower(): number for number, name in enumerate(_MONTH_NAMES, 1)}
_DAY_NAME: Final = r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
_DAY_NAME_L: Final = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_MONTH: Final = r"(?P<month>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
_TIME_OF_DAY: Final = r"(?P<hour>[0-9]{2}):(?P<minute>[0-9]{2}):(?P<second>[0-9]{2})"
IMF_FIXDATE_RE: Final = re.compile(
    rf"{_DAY_NAME}, (?P<day>[0-9]{{2}}) {_MONTH} (?P<year>[0-9]{{4}}) "
    rf"{_TIME_OF_DAY} GMT",
    re.ASCII | re.IGNORECASE,
)
RFC850_DATE_RE: Final = re.compile(
    rf"{_DAY_NAME_L}, (?P<day>[0-9]{{2}})-{_MONTH}-(?P<year>[0-9]{{2}}) "
    rf"{_TIME_OF_DAY} GMT",
    re.ASCII | re.IGNORECASE,
)
ASCTIME_DATE_RE: Final = re.compile(
    rf"{_DAY_NAME} {_MONTH} (?P<day>[0-9]{{2}}| [0-9]) {_TIME_OF_DAY} "
    r"(?P<year>[0-9]{4})",
    re.ASCII | re.IGNORECASE,
)


def _full_year(two_digits: int) -> int:
    # RFC 9110 5.6.7: a two-digit year more than 50 years in the future is
    # the most recent past year with the same last two digits.
    this_year = datetime.now(timezone.utc).year
    year = this_year - this_year % 100 + two_digits
    return year - 100 if year > this_year + 50 else year


def parse_http_date(value: str | None) -> datetime | None:
    """Parse an HTTP-date in any of its three forms into an aware UTC datetime.

    None when *value* is None or not an HTTP-date.
    """
    if not value:
        return None
    value = value.strip(" \t")
    match = IMF_FIXDATE_RE.fullmatch(value) or ASCTIME_DATE_RE.fullmatch(value)
    year_digits = 4
    if match is None:
        match = RFC850_DATE_RE.fullmatch(value)
        year_digits = 2
        if match is None:
            return None
    year = int(match["year"])
    if year_digits == 2:
        year = _full_year(year)
    # datetime has no leap second; 23:59:60 is kept as 23:59:59.
    second = min(int(match["second"]), 59)
    try:
        return datetime(
            year,
            _MONTHS[match["month"].lower()],
            int(match["day"]),
            int(match["hour"]),
            int(match["minute"]),
            second,
            tzinfo=timezone.utc,
        )
    except ValueError:
        return None


def http_date(value: float | datetime) -> str:
    """Format a POSIX timestamp or a datetime as an IMF-fixdate (RFC 9110 5.6.7).

    A naive datetime is taken to be in UTC.
    """
    t = value.utctimetuple() if isinstance(value, datetime) else time.gmtime(value)
    return (
        f"{_DAY_NAMES[t.tm_wday]}, {t.tm_mday:02d} {_MONTH_NAMES[t.tm_mon - 1]} "
        f"{t.tm_year:04d} {t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} GMT"
    )


#: Status codes whose responses never have a body (RFC 9110 15.2, 15.3.5, 15.4.5).
EMPTY_BODY_STATUS_CODES: Final = frozenset({204, 304, *range(100, 200)})
# RFC 9110 8.6: Content-Length is forbidden in 1xx and 204 responses; it may
# be sent with 304 (the length the 200 would have had).
_NO_LENGTH_STATUS_CODES: Final = frozenset({204, *range(100, 200)})


def must_be_empty_body(method: str, code: int) -> bool:
    """Tell whether a response to *method* with status *code* has no body.

    Methods are case-sensitive (RFC 9110 9.1): only ``HEAD`` and ``CONNECT``
    spelled that way count.
    """
    return (
        method == hdrs.METH_HEAD
        or code in EMPTY_BODY_STATUS_CODES
        or (method == hdrs.METH_CONNECT and 200 <= code < 300)
    )


def should_remove_content_length(method: str, code: int) -> bool:
    """Tell whether a response must not carry Content-Length (RFC 9110 8.6)."""
    return code in _NO_LENGTH_STATUS_CODES or (
        method == hdrs.METH_CONNECT and 200 <= code < 300
    )
