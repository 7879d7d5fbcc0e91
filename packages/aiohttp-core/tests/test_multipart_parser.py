"""Tests of the sans-I/O multipart framing (MultipartParser)."""

from __future__ import annotations

import time

import pytest

from aiohttp_core.http_exceptions import (
    BadHttpMessage,
    InvalidHeader,
    LineTooLong,
    TooManyHeaders,
)
from aiohttp_core.multipart_errors import BadBoundary, UnterminatedMultipart
from aiohttp_core.multipart_parser import (
    BOUNDARY_RE,
    END,
    NEED_DATA,
    PART_END,
    MultipartParser,
    PartHead,
)

BODY = (
    b"preamble\r\n"
    b"--xyz\r\n"
    b"Content-Type: text/plain\r\n"
    b"X-Empty:\r\n"
    b"\r\n"
    b"first\r\nline\r\n"
    b"--xyz  \t\r\n"
    b"\r\n"
    b"second\r\n"
    b"--xyz--\r\n"
    b"epilogue\r\n--xyz\r\nnot a part"
)


def collect(parser: MultipartParser, pieces: list[bytes]) -> list[object]:
    """Drive a parser over ``pieces``; events with data merged per part."""
    events: list[object] = []
    feed = iter(pieces)
    data = bytearray()
    while True:
        result = parser.read_body(1000) if parser.in_body else parser.read_head()
        if result is NEED_DATA:
            piece = next(feed, None)
            if piece is None:
                parser.feed_eof()
            else:
                parser.feed_data(piece)
            continue
        if isinstance(result, bytes):
            assert result
            data += result
            continue
        if result is PART_END:
            events.append(bytes(data))
            data.clear()
        elif isinstance(result, PartHead):
            events.append(list(result.headers.items()))
        events.append(result if not isinstance(result, PartHead) else "head")
        if result is END:
            return events


def split(body: bytes, size: int) -> list[bytes]:
    return [body[i : i + size] for i in range(0, len(body), size)]


@pytest.mark.parametrize("size", [1, 2, 3, 7, 64, 10_000])
def test_parts_whatever_the_fragmentation(size: int) -> None:
    events = collect(MultipartParser(b"--xyz"), split(BODY, size))
    assert events == [
        [("Content-Type", "text/plain"), ("X-Empty", "")],
        "head",
        b"first\r\nline",
        PART_END,
        [],
        "head",
        b"second",
        PART_END,
        END,
    ]


def test_body_starting_with_delimiter_and_no_epilogue() -> None:
    events = collect(MultipartParser(b"--b"), [b"--b\r\n\r\ndata\r\n--b--"])
    assert events == [[], "head", b"data", PART_END, END]


def test_empty_multipart_close_delimiter_only() -> None:
    assert collect(MultipartParser(b"--b"), [b"--b--"]) == [END]


def test_raw_headers_kept() -> None:
    parser = MultipartParser(b"--b")
    parser.feed_data(b"--b\r\nA: 1\r\nb: two words \r\n\r\n")
    head = parser.read_head()
    assert isinstance(head, PartHead)
    assert head.raw_headers == ((b"A", b"1"), (b"b", b"two words"))
    assert head.headers["B"] == "two words"


def test_non_ascii_header_values_are_utf8_with_surrogateescape() -> None:
    parser = MultipartParser(b"--b")
    parser.feed_data(b'--b\r\nX: "caf\xc3\xa9" \xff\r\n\r\n')
    head = parser.read_head()
    assert isinstance(head, PartHead)
    assert head.headers["X"] == '"café" \udcff'


def test_delimiter_lookalike_inside_data() -> None:
    body = b"--b\r\n\r\n\r\n--bX is not it\r\n-b\r\n--\r\n--b--"
    with pytest.raises(BadBoundary, match="Invalid data after boundary"):
        collect(MultipartParser(b"--b"), [body])
    # "--b" not at a line start and partial delimiters are data.
    body = b"--b\r\n\r\nx--b \r\n--c\r\r\n-\r\n--b--"
    events = collect(MultipartParser(b"--b"), split(body, 1))
    assert events[2] == b"x--b \r\n--c\r\r\n-"


def test_data_handed_out_before_the_delimiter_arrives() -> None:
    parser = MultipartParser(b"--boundary")
    parser.feed_data(b"--boundary\r\n\r\nabcdef\r\n--bou")
    assert isinstance(parser.read_head(), PartHead)
    # Everything but the possible start of a delimiter is available.
    assert parser.read_body(100) == b"abcdef"
    assert parser.read_body(100) is NEED_DATA
    parser.feed_data(b"nce")
    assert parser.read_body(100) == b"\r\n--bounce"


def test_read_body_respects_max_size_and_part_end_ahead() -> None:
    parser = MultipartParser(b"--b")
    parser.feed_data(b"--b\r\n\r\n" + b"x" * 10 + b"\r\n--b--")
    parser.read_head()
    assert parser.read_body(4) == b"xxxx"
    assert not parser.part_end_ahead()
    assert parser.read_body(4) == b"xxxx"
    assert parser.read_body(4) == b"xx"
    assert parser.part_end_ahead()
    assert parser.read_body(4) is PART_END
    assert parser.read_head() is END
    assert parser.at_end


def test_whole_buffer_returned_without_copy() -> None:
    parser = MultipartParser(b"--b", in_body=True)
    chunk = b"y" * 1000
    parser.feed_data(chunk)
    assert parser.read_body(10_000) is chunk


def test_in_body_parser_reads_a_lone_part() -> None:
    parser = MultipartParser(b"--:", in_body=True)
    parser.feed_data(b"Hello, world!\r\n--:\r\n")
    assert parser.read_body(100) == b"Hello, world!"
    assert parser.read_body(100) is PART_END


@pytest.mark.parametrize(
    "boundary",
    [
        "a",
        "x" * 70,
        "----WebKitFormBoundary7MA4YWxkTrZu0gW",
        "simple boundary",
        "'()+_,-./:=?",
        "=_Part_0_1234.5678",
    ],
)
def test_valid_boundaries(boundary: str) -> None:
    assert BOUNDARY_RE.fullmatch(boundary)
    MultipartParser(b"--" + boundary.encode())


@pytest.mark.parametrize(
    "boundary",
    ["", "x" * 71, "trailing ", "a\r\nb", "a;b", 'a"b', "caf\xe9", "a\x00", "a*b"],
)
def test_invalid_boundaries(boundary: str) -> None:
    assert not BOUNDARY_RE.fullmatch(boundary)
    with pytest.raises(BadBoundary):
        MultipartParser(b"--" + boundary.encode("latin-1"))


def test_dash_boundary_must_start_with_dashes() -> None:
    with pytest.raises(BadBoundary):
        MultipartParser(b"xyz")


@pytest.mark.parametrize(
    ("body", "error", "match"),
    [
        (b"no delimiter at all", BadBoundary, "starting boundary"),
        (b"--b\r\nA: 1\r\n", UnterminatedMultipart, "header block"),
        (b"--b\r\n\r\ndata", UnterminatedMultipart, "inside a part"),
        (b"--b\r\n\r\ndata\r\n--b", UnterminatedMultipart, "after a boundary"),
        (b"--b\r\n\r\ndata\r\n--b\r", UnterminatedMultipart, "after a boundary"),
        (b"--b\r\n\r\ndata\r\n--b-", UnterminatedMultipart, "after a boundary"),
        (b"--b\r\n\r\ndata\r\n--b-x", BadBoundary, "Invalid data after"),
        (b"--b\rx", BadBoundary, "Invalid data after"),
        (b"--b\n\r\n", BadBoundary, "Invalid data after"),
    ],
)
@pytest.mark.parametrize("size", [1, 1000])
def test_truncated_and_malformed(
    body: bytes, error: type[Exception], match: str, size: int
) -> None:
    with pytest.raises(error, match=match):
        collect(MultipartParser(b"--b"), split(body, size))


@pytest.mark.parametrize(
    ("line", "error"),
    [
        (b" folded: value", BadHttpMessage),
        (b"\tfolded", BadHttpMessage),
        (b"Name : value", InvalidHeader),
        (b"Name\t: value", InvalidHeader),
        (b"no colon", InvalidHeader),
        (b": no name", InvalidHeader),
        (b"Na(me: value", InvalidHeader),
        (b"Name: val\x00ue", InvalidHeader),
        (b"Name: val\rue", BadHttpMessage),
        (b"Name: val\x7fue", InvalidHeader),
    ],
)
@pytest.mark.parametrize("size", [1, 1000])
def test_header_grammar(line: bytes, error: type[Exception], size: int) -> None:
    body = b"--b\r\nOk: 1\r\n" + line + b"\r\n\r\n\r\n--b--"
    with pytest.raises(error):
        collect(MultipartParser(b"--b"), split(body, size))


@pytest.mark.parametrize("size", [1, 1000])
def test_bare_lf_in_header_block(size: int) -> None:
    body = b"--b\r\nA: 1\nB: 2\r\n\r\n\r\n--b--"
    with pytest.raises(BadHttpMessage, match="Bare LF"):
        collect(MultipartParser(b"--b"), split(body, size))


@pytest.mark.parametrize("size", [1, 100_000])
def test_max_field_size(size: int) -> None:
    limit = 100
    at_limit = b"X: " + b"v" * (limit - 3)
    assert len(at_limit) == limit
    body = b"--b\r\n" + at_limit + b"\r\n\r\n\r\n--b--"
    events = collect(MultipartParser(b"--b", max_field_size=limit), split(body, size))
    assert events[0] == [("X", "v" * (limit - 3))]
    body = b"--b\r\n" + at_limit + b"v\r\n\r\n\r\n--b--"
    with pytest.raises(LineTooLong):
        collect(MultipartParser(b"--b", max_field_size=limit), split(body, size))


def test_incomplete_header_line_refused_as_soon_as_too_long() -> None:
    parser = MultipartParser(b"--b", max_field_size=10)
    parser.feed_data(b"--b\r\nX: 1234567")
    assert parser.read_head() is NEED_DATA
    parser.feed_data(b"\r")  # ten bytes and the first half of a CRLF
    assert parser.read_head() is NEED_DATA
    parser.feed_data(b"8")
    with pytest.raises(LineTooLong):
        parser.read_head()
    # The parser stays failed.
    with pytest.raises(LineTooLong):
        parser.read_head()


@pytest.mark.parametrize("size", [1, 100_000])
def test_max_headers(size: int) -> None:
    fields = b"".join(b"H%d: v\r\n" % i for i in range(5))
    body = b"--b\r\n" + fields + b"\r\n\r\n--b--"
    events = collect(MultipartParser(b"--b", max_headers=5), split(body, size))
    assert len(events[0]) == 5  # type: ignore[arg-type]
    body = b"--b\r\n" + fields + b"H5: v\r\n\r\n\r\n--b--"
    with pytest.raises(TooManyHeaders):
        collect(MultipartParser(b"--b", max_headers=5), split(body, size))


def test_transport_padding_bounded() -> None:
    parser = MultipartParser(b"--b", max_field_size=10)
    parser.feed_data(b"--b" + b" " * 11)
    with pytest.raises(LineTooLong):
        parser.read_head()


def test_epilogue_and_preamble_are_dropped() -> None:
    parser = MultipartParser(b"--b")
    parser.feed_data(b"x" * 100_000)
    assert parser.read_head() is NEED_DATA
    assert "buffered=0" in repr(parser)
    parser.feed_data(b"\r\n--b--")
    assert parser.read_head() is END
    parser.feed_data(b"more epilogue" * 1000)
    assert "buffered=0" in repr(parser)
    parser.feed_eof()
    assert parser.read_head() is END


def test_misuse() -> None:
    parser = MultipartParser(b"--b")
    with pytest.raises(RuntimeError):
        parser.read_body(10)
    parser.feed_data(b"--b\r\n\r\n")
    parser.read_head()
    with pytest.raises(RuntimeError):
        parser.read_head()
    parser.feed_eof()
    with pytest.raises(RuntimeError):
        parser.feed_data(b"x")


def test_byte_at_a_time_is_linear() -> None:
    # A quadratic search over one byte at a time would take minutes here.
    boundary = b"--" + b"b" * 70
    data = (b"\r" + b"\r\n-" * 50 + b"x" * 200) * 400
    body = boundary + b"\r\n\r\n" + data + b"\r\n" + boundary + b"--"
    parser = MultipartParser(boundary)
    start = time.perf_counter()
    got = bytearray()
    pos = 0
    assert parser.read_head() is NEED_DATA
    while True:
        result = parser.read_head() if not parser.in_body else parser.read_body(100)
        if result is NEED_DATA:
            parser.feed_data(body[pos : pos + 1])
            pos += 1
        elif isinstance(result, bytes):
            got += result
        elif result is END:
            break
    assert bytes(got) == data
    assert time.perf_counter() - start < 10
