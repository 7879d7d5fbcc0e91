"""The size and count limits of the HTTP/1.1 parsers, on every path.

Each limit is tried at its value (accepted) and one byte or field over it
(refused), fed whole, split in two everywhere (small limits) and one byte at
a time.  Line sizes count the bytes of a line without its CRLF.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any, NamedTuple

import pytest

from aiohttp_core.http_exceptions import (
    HttpProcessingError,
    LineTooLong,
    TooManyHeaders,
)
from aiohttp_core.http_messages import MessageEnd

# ``parser_mod`` (conftest.py) gives each parser twin in turn.


class Case(NamedTuple):
    """A message whose limited part has a given size (or count)."""

    response: bool
    # Builds the message for a size; the limited line or count equals size.
    build: Callable[[int], bytes]
    # The parser keyword that sets the limit, and its default.
    option: str
    default: int
    error: type[HttpProcessingError]
    code: int


def request_line(size: int) -> bytes:
    # "GET /" + target + " HTTP/1.1" is 14 bytes plus the target padding.
    return b"GET /" + b"a" * (size - 14) + b" HTTP/1.1\r\n\r\n"


def status_line(size: int) -> bytes:
    return b"HTTP/1.1 200 " + b"r" * (size - 13) + b"\r\nContent-Length: 0\r\n\r\n"


def request_field(size: int) -> bytes:
    return b"GET / HTTP/1.1\r\nA: 1\r\nX: " + b"v" * (size - 3) + b"\r\nB: 2\r\n\r\n"


def response_field(size: int) -> bytes:
    field = b"X-Name" + b"n" * (size - 9) + b": v"
    return b"HTTP/1.1 204 No Content\r\n" + field + b"\r\n\r\n"


def trailer_field(size: int) -> bytes:
    head = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nz\r\n0\r\n"
    return head + b"T: 1\r\nX: " + b"v" * (size - 3) + b"\r\n\r\n"


def chunk_line(size: int) -> bytes:
    # "1;" + extension name: the whole chunk-size line, extensions included.
    head = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
    return head + b"1;" + b"e" * (size - 2) + b"\r\nz\r\n0\r\n\r\n"


def last_chunk_line(size: int) -> bytes:
    head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nz\r\n"
    return head + b"0;" + b"e" * (size - 2) + b"\r\n\r\n"


def request_fields(count: int) -> bytes:
    fields = b"".join(b"X-%d: v\r\n" % i for i in range(count))
    return b"GET / HTTP/1.1\r\n" + fields + b"\r\n"


def response_fields(count: int) -> bytes:
    fields = b"".join(b"X-%d: v\r\n" % i for i in range(count))
    return b"HTTP/1.1 304 Not Modified\r\n" + fields + b"\r\n"


def trailer_fields(count: int) -> bytes:
    head = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nz\r\n0\r\n"
    return head + b"".join(b"X-%d: v\r\n" % i for i in range(count)) + b"\r\n"


CASES = {
    "request-line": Case(False, request_line, "max_line_size", 8190, LineTooLong, 414),
    "status-line": Case(True, status_line, "max_line_size", 8190, LineTooLong, 431),
    "request-field": Case(
        False, request_field, "max_field_size", 8190, LineTooLong, 431
    ),
    "response-field": Case(
        True, response_field, "max_field_size", 8190, LineTooLong, 431
    ),
    "trailer-field": Case(
        False, trailer_field, "max_field_size", 8190, LineTooLong, 431
    ),
    "chunk-line": Case(False, chunk_line, "max_line_size", 8190, LineTooLong, 400),
    "last-chunk-line": Case(
        True, last_chunk_line, "max_line_size", 8190, LineTooLong, 400
    ),
    "request-fields": Case(
        False, request_fields, "max_headers", 128, TooManyHeaders, 431
    ),
    "response-fields": Case(
        True, response_fields, "max_headers", 128, TooManyHeaders, 431
    ),
    "trailer-fields": Case(
        False, trailer_fields, "max_headers", 128, TooManyHeaders, 431
    ),
}

SMALL = {"max_line_size": 40, "max_field_size": 30, "max_headers": 3}


def make_parser(parser_mod: ModuleType, case: Case, limit: int | None) -> Any:
    kwargs = {} if limit is None else {case.option: limit}
    cls = (
        parser_mod.HttpResponseParser if case.response else parser_mod.HttpRequestParser
    )
    return cls(**kwargs)


def fragmentations(data: bytes, every_split: bool) -> Iterator[list[bytes]]:
    yield [data]
    yield [data[i : i + 1] for i in range(len(data))]
    if every_split:
        for i in range(1, len(data)):
            yield [data[:i], data[i:]]


def feed(parser: Any, parts: list[bytes]) -> list[Any]:
    events: list[Any] = []
    for part in parts:
        events += parser.feed_data(part)
    return events


@pytest.mark.parametrize("limit", [None, "small"], ids=["default", "small"])
@pytest.mark.parametrize("name", list(CASES))
def test_at_the_limit_is_accepted(
    parser_mod: ModuleType, name: str, limit: str | None
) -> None:
    case = CASES[name]
    value = case.default if limit is None else SMALL[case.option]
    data = case.build(value)
    for parts in fragmentations(data, limit is not None):
        events = feed(
            make_parser(parser_mod, case, None if limit is None else value), parts
        )
        assert isinstance(events[-1], MessageEnd)


@pytest.mark.parametrize("limit", [None, "small"], ids=["default", "small"])
@pytest.mark.parametrize("name", list(CASES))
def test_over_the_limit_is_refused(
    parser_mod: ModuleType, name: str, limit: str | None
) -> None:
    case = CASES[name]
    value = case.default if limit is None else SMALL[case.option]
    data = case.build(value + 1)
    for parts in fragmentations(data, limit is not None):
        parser = make_parser(parser_mod, case, None if limit is None else value)
        with pytest.raises(HttpProcessingError) as info:
            feed(parser, parts)
        assert type(info.value) is case.error
        assert info.value.code == case.code


LINE_CASES = [name for name, case in CASES.items() if case.error is LineTooLong]


@pytest.mark.parametrize("name", LINE_CASES)
def test_long_line_refused_before_its_end(parser_mod: ModuleType, name: str) -> None:
    """A peer cannot make the parser buffer a line without end."""
    case = CASES[name]
    value = SMALL[case.option]
    data = case.build(value + 1)
    for cut in range(len(data) + 1):
        try:
            make_parser(parser_mod, case, value).feed_data(data[:cut])
        except LineTooLong:
            break
    # The first refused prefix ends inside the long line, before its CRLF.
    assert data[cut - 1 : cut] not in (b"\r", b"\n")
    assert data[cut : cut + 2] == b"\r\n"


@pytest.mark.parametrize("name", LINE_CASES)
def test_line_at_limit_waits_for_its_crlf(parser_mod: ModuleType, name: str) -> None:
    """A line exactly at its limit may still get its CR, then its LF."""
    case = CASES[name]
    value = SMALL[case.option]
    data = case.build(value)
    parser = make_parser(parser_mod, case, value)
    events: list[Any] = []
    for byte in range(len(data)):
        events += parser.feed_data(data[byte : byte + 1])
    assert isinstance(events[-1], MessageEnd)


def test_header_limit_is_per_line_not_per_block(parser_mod: ModuleType) -> None:
    parser = parser_mod.HttpRequestParser(max_field_size=10, max_line_size=20)
    data = (
        b"GET / HTTP/1.1\r\n"
        + b"".join(b"X%d: 123456\r\n" % i for i in range(9))
        + b"\r\n"
    )
    assert len(parser.feed_data(data)) == 2


def test_field_lines_may_exceed_the_line_limit(parser_mod: ModuleType) -> None:
    parser = parser_mod.HttpRequestParser(max_line_size=20, max_field_size=100)
    events = parser.feed_data(b"GET / HTTP/1.1\r\nX: " + b"v" * 90 + b"\r\n\r\n")
    assert len(events) == 2


def test_trailer_count_is_separate_from_header_count(parser_mod: ModuleType) -> None:
    parser = parser_mod.HttpRequestParser(max_headers=3)
    head = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nA: 1\r\nB: 2\r\n\r\n"
    events = parser.feed_data(head + b"0\r\nX: 1\r\nY: 2\r\nZ: 3\r\n\r\n")
    assert len(events[0].headers) == 3
    assert len(events[-1].trailers) == 3


def test_many_empty_lines_before_a_request_are_not_buffered(
    parser_mod: ModuleType,
) -> None:
    parser = parser_mod.HttpRequestParser(max_line_size=20)
    for _ in range(100):
        assert parser.feed_data(b"\r\n" * 50) == []
    assert len(parser.feed_data(b"GET / HTTP/1.1\r\n\r\n")) == 2


@pytest.mark.parametrize("option", ["max_line_size", "max_field_size", "max_headers"])
@pytest.mark.parametrize(
    ("value", "error"),
    [(-1, ValueError), (2**63, ValueError), (8190.0, TypeError), ("8190", TypeError)],
)
def test_bad_limit_is_refused_at_once(
    parser_mod: ModuleType, option: str, value: Any, error: type[Exception]
) -> None:
    """A limit that is no int from 0 to sys.maxsize is the caller's mistake."""
    for cls in (parser_mod.HttpRequestParser, parser_mod.HttpResponseParser):
        with pytest.raises(error, match=option):
            cls(**{option: value})


@pytest.mark.parametrize("option", ["max_line_size", "max_field_size", "max_headers"])
def test_zero_limits_are_allowed(parser_mod: ModuleType, option: str) -> None:
    parser = parser_mod.HttpRequestParser(**{option: 0})
    with pytest.raises((LineTooLong, TooManyHeaders)):
        parser.feed_data(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
