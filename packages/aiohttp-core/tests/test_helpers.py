"""Tests of the shared helpers and of the aiohttp.helpers names."""

from __future__ import annotations

import asyncio
import enum
from datetime import datetime, timedelta, timezone

import pytest

from aiohttp_core import basic_auth, content_disposition, etag, helpers, mimetype
from aiohttp_core.helpers import (
    Sentinel,
    http_date,
    is_ip_address,
    must_be_empty_body,
    noop,
    parse_http_date,
    reify,
    sentinel,
    set_exception,
    set_result,
    should_remove_content_length,
)

UTC = timezone.utc


class _Cached:
    def __init__(self) -> None:
        self._cache: dict[str, object] = {}
        self.calls = 0

    @reify
    def value(self) -> int:
        self.calls += 1
        return 42


class _SlottedCached:
    __slots__ = ("_cache", "calls")

    def __init__(self) -> None:
        self._cache: dict[str, object] = {}
        self.calls = 0

    @reify
    def value(self) -> int:
        self.calls += 1
        return 42


@pytest.mark.parametrize("cls", [_Cached, _SlottedCached])
def test_reify_computes_once(cls: type[_Cached | _SlottedCached]) -> None:
    obj = cls()
    assert obj.value == 42
    assert obj.value == 42
    assert obj.calls == 1
    assert obj._cache == {"value": 42}


def test_reify_is_read_only() -> None:
    obj = _Cached()
    with pytest.raises(AttributeError):
        obj.value = 1


def test_sentinel() -> None:
    assert isinstance(sentinel, Sentinel)
    assert isinstance(sentinel, enum.Enum)
    assert sentinel is Sentinel.sentinel
    assert repr(sentinel) == "sentinel"
    assert sentinel is not None


def test_noop() -> None:
    noop()
    noop(1, 2, a=3)


async def test_set_result() -> None:
    fut: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    set_result(fut, 1)
    set_result(fut, 2)
    assert fut.result() == 1


async def test_set_result_on_cancelled() -> None:
    fut: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    fut.cancel()
    set_result(fut, 1)
    assert fut.cancelled()


async def test_set_exception_ignores_done() -> None:
    fut: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    fut.set_result(1)
    set_exception(fut, RuntimeError("late"))
    assert fut.result() == 1


async def test_set_exception_without_cause() -> None:
    fut: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    exc = RuntimeError("boom")
    set_exception(fut, exc)
    assert fut.exception() is exc
    assert exc.__cause__ is None


async def test_set_exception_with_cause() -> None:
    fut: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    cause = OSError("reset")
    exc = RuntimeError("boom")
    set_exception(fut, exc, cause)
    assert fut.exception() is exc
    assert exc.__cause__ is cause


async def test_set_exception_not_its_own_cause() -> None:
    fut: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    exc = RuntimeError("boom")
    set_exception(fut, exc, exc)
    assert exc.__cause__ is None


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", True),
        ("0.0.0.0", True),
        ("255.255.255.255", True),
        ("::1", True),
        ("::", True),
        ("2001:db8::1", True),
        ("2001:DB8::1", True),
        ("::ffff:192.0.2.1", True),
        ("fe80::1%eth0", True),
        ("", False),
        (None, False),
        ("localhost", False),
        ("example.com", False),
        ("1.2.3", False),
        ("256.1.1.1", False),
        ("01.2.3.4", False),
        ("1.2.3.4 ", False),
        ("[::1]", False),
        ("1.2.3.4%eth0", False),
        ("\u0661\u0662\u0667.0.0.1", False),  # ARABIC-INDIC DIGITs
        ("\uff11.2.3.4", False),  # FULLWIDTH DIGIT ONE
        ("2001:db8::g", False),
    ],
)
def test_is_ip_address(host: str | None, expected: bool) -> None:
    assert is_ip_address(host) is expected


_NOV_6_1994 = datetime(1994, 11, 6, 8, 49, 37, tzinfo=UTC)


@pytest.mark.parametrize(
    "value",
    [
        "Sun, 06 Nov 1994 08:49:37 GMT",
        "Sunday, 06-Nov-94 08:49:37 GMT",
        "Sun Nov  6 08:49:37 1994",
        "Sun Nov 06 08:49:37 1994",
        "sun, 06 nov 1994 08:49:37 gmt",
        "SUNDAY, 06-NOV-94 08:49:37 GMT",
        "  Sun, 06 Nov 1994 08:49:37 GMT\t",
        "Mon, 06 Nov 1994 08:49:37 GMT",  # the weekday is not checked
    ],
)
def test_parse_http_date(value: str) -> None:
    parsed = parse_http_date(value)
    assert parsed == _NOV_6_1994
    assert parsed is not None
    assert parsed.tzinfo is UTC


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "yesterday",
        "1994-11-06T08:49:37Z",
        "Sun, 06 Nov 1994 08:49:37 UTC",
        "Sun, 06 Nov 1994 08:49:37 +0000",
        "Sun, 6 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 94 08:49:37 GMT",
        "Sun,  06 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 8:49:37 GMT",
        "Sun, 31 Feb 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 24:00:00 GMT",
        "Sun, 06 Nov 1994 08:60:00 GMT",
        "Sun, 00 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 0000 08:49:37 GMT",
        "Sun, 06 Foo 1994 08:49:37 GMT",
        "Xyz, 06 Nov 1994 08:49:37 GMT",
        "Sun, \u0660\u0666 Nov 1994 08:49:37 GMT",  # ARABIC-INDIC DIGITs
        "Sun, 06 Nov 1994 08:49:37 GMT junk",
        "Sunday, 06-Nov-1994 08:49:37 GMT",
        "Sun, 06-Nov-94 08:49:37 GMT",
        "Sun Nov 6 08:49:37 1994",
        "Sun Nov  6 08:49:37 1994 GMT",
    ],
)
def test_parse_http_date_garbage(value: str | None) -> None:
    assert parse_http_date(value) is None


def test_parse_http_date_leap_second() -> None:
    assert parse_http_date("Sat, 31 Dec 2016 23:59:60 GMT") == datetime(
        2016, 12, 31, 23, 59, 59, tzinfo=UTC
    )


def test_parse_http_date_rfc850_year_window() -> None:
    this_year = datetime.now(UTC).year

    def year_of(two_digits: int) -> int:
        parsed = parse_http_date(f"Monday, 01-Jan-{two_digits:02d} 00:00:00 GMT")
        assert parsed is not None
        return parsed.year

    assert year_of(this_year % 100) == this_year
    assert year_of((this_year + 50) % 100) == this_year + 50
    assert year_of((this_year + 51) % 100) == this_year + 51 - 100


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "Thu, 01 Jan 1970 00:00:00 GMT"),
        (784111777, "Sun, 06 Nov 1994 08:49:37 GMT"),
        (784111777.9, "Sun, 06 Nov 1994 08:49:37 GMT"),
        (_NOV_6_1994, "Sun, 06 Nov 1994 08:49:37 GMT"),
        (_NOV_6_1994.replace(tzinfo=None), "Sun, 06 Nov 1994 08:49:37 GMT"),
        (
            _NOV_6_1994.astimezone(timezone(timedelta(hours=-5))),
            "Sun, 06 Nov 1994 08:49:37 GMT",
        ),
        (datetime(2024, 2, 29, 23, 5, 1, tzinfo=UTC), "Thu, 29 Feb 2024 23:05:01 GMT"),
    ],
)
def test_http_date(value: float | datetime, expected: str) -> None:
    assert http_date(value) == expected


@pytest.mark.parametrize("ts", [0, 1, 951782400, 1700000000, 4102444800])
def test_http_date_round_trip(ts: int) -> None:
    assert parse_http_date(http_date(ts)) == datetime.fromtimestamp(ts, UTC)


@pytest.mark.parametrize(
    ("method", "code", "empty", "no_length"),
    [
        ("GET", 200, False, False),
        ("POST", 201, False, False),
        ("GET", 404, False, False),
        ("HEAD", 200, True, False),
        ("HEAD", 404, True, False),
        ("GET", 100, True, True),
        ("GET", 101, True, True),
        ("GET", 199, True, True),
        ("GET", 204, True, True),
        ("GET", 304, True, False),
        ("CONNECT", 200, True, True),
        ("CONNECT", 299, True, True),
        ("CONNECT", 407, False, False),
        ("connect", 200, False, False),  # methods are case-sensitive
        ("head", 200, False, False),
    ],
)
def test_empty_body_and_content_length(
    method: str, code: int, empty: bool, no_length: bool
) -> None:
    assert must_be_empty_body(method, code) is empty
    assert should_remove_content_length(method, code) is no_length


@pytest.mark.parametrize(
    ("name", "module"),
    [
        ("BasicAuth", basic_auth),
        ("ETag", etag),
        ("ETAG_ANY", etag),
        ("parse_etag_list", etag),
        ("ContentDisposition", content_disposition),
        ("content_disposition_header", content_disposition),
        ("parse_content_disposition", content_disposition),
        ("MimeType", mimetype),
        ("parse_mimetype", mimetype),
        ("parse_content_type", mimetype),
    ],
)
def test_reexports(name: str, module: object) -> None:
    assert getattr(helpers, name) is getattr(module, name)


def test_all_names_exist() -> None:
    for name in helpers.__all__:
        assert hasattr(helpers, name), name
