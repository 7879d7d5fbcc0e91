"""Bad multipart input and the reader's limits: each fails fast and precisely."""

from __future__ import annotations

import asyncio
import base64
import gzip
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from multidict import CIMultiDict, CIMultiDictProxy

from aiohttp_core.base_protocol import BaseProtocol
from aiohttp_core.http_exceptions import (
    BadHttpMessage,
    ContentLengthError,
    DecompressSizeError,
    InvalidHeader,
    LineTooLong,
    TooManyHeaders,
)
from aiohttp_core.multipart import (
    BadBoundary,
    BadTransferEncoding,
    BodyPartReader,
    MultipartError,
    MultipartReader,
    NestingTooDeep,
    TooManyParts,
    UnterminatedMultipart,
)
from aiohttp_core.streams import StreamReader

MODES = ["whole", "bytewise"]


@pytest.fixture
async def feeders() -> AsyncIterator[list[asyncio.Task[None]]]:
    tasks: list[asyncio.Task[None]] = []
    yield tasks
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def open_body(body: bytes, mode: str, tasks: list[asyncio.Task[None]]) -> StreamReader:
    loop = asyncio.get_running_loop()
    stream = StreamReader(BaseProtocol(loop), 2**16, loop=loop)
    if mode == "whole":
        stream.feed_data(body)
        stream.feed_eof()
        return stream

    async def feed() -> None:
        for i in range(len(body)):
            stream.feed_data(body[i : i + 1])
            await asyncio.sleep(0)
        stream.feed_eof()

    tasks.append(asyncio.create_task(feed()))
    return stream


def headers_for(content_type: str) -> CIMultiDictProxy[str]:
    return CIMultiDictProxy(CIMultiDict({"Content-Type": content_type}))


async def consume(reader: MultipartReader, *, decode: bool = False) -> int:
    """Read every part, nested ones too; return how many data parts there were."""
    count = 0
    async for part in reader:
        if isinstance(part, MultipartReader):
            count += await consume(part, decode=decode)
        else:
            await part.read(decode=decode)
            count += 1
    return count


async def parse(
    body: bytes,
    mode: str,
    tasks: list[asyncio.Task[None]],
    boundary: str = "b",
    *,
    decode: bool = False,
    **limits: Any,
) -> int:
    reader = MultipartReader(
        headers_for(f"multipart/mixed; boundary={boundary}"),
        open_body(body, mode, tasks),
        **limits,
    )
    return await consume(reader, decode=decode)


def parts(*blocks: bytes, boundary: bytes = b"b") -> bytes:
    """A body with one part per (headers + CRLF + data) block."""
    dash = b"--" + boundary
    return b"".join(dash + b"\r\n" + block + b"\r\n" for block in blocks) + dash + b"--"


# Boundary parameter.


@pytest.mark.parametrize(
    ("content_type", "error"),
    [
        ("multipart/mixed", BadBoundary),
        ("multipart/mixed; boundary=", BadBoundary),
        ("multipart/mixed; boundary=" + "x" * 71, BadBoundary),
        ('multipart/mixed; boundary="trailing "', BadBoundary),
        ("multipart/mixed; boundary=a*b", BadBoundary),
        ('multipart/mixed; boundary="a\\"b"', BadBoundary),
        ("text/plain; boundary=b", MultipartError),
    ],
)
async def test_bad_boundary_parameter(
    content_type: str, error: type[Exception]
) -> None:
    with pytest.raises(error):
        MultipartReader(headers_for(content_type), StreamReader.__new__(StreamReader))


async def test_missing_content_type() -> None:
    with pytest.raises(MultipartError, match="content type expected"):
        MultipartReader(
            CIMultiDictProxy(CIMultiDict()), StreamReader.__new__(StreamReader)
        )


@pytest.mark.parametrize("mode", MODES)
async def test_boundary_of_70_characters(
    mode: str, feeders: list[asyncio.Task[None]]
) -> None:
    boundary = "'()+_,-./:=? " * 5 + "abcde"
    assert len(boundary) == 70
    body = parts(b"\r\nx", boundary=boundary.encode())
    content_type = f'multipart/mixed; boundary="{boundary}"'
    reader = MultipartReader(headers_for(content_type), open_body(body, mode, feeders))
    assert await consume(reader) == 1


def test_limits_must_be_sane() -> None:
    stream = StreamReader.__new__(StreamReader)
    headers = headers_for("multipart/mixed; boundary=b")
    with pytest.raises(ValueError, match="limits"):
        MultipartReader(headers, stream, max_parts=0)
    with pytest.raises(ValueError, match="limits"):
        MultipartReader(headers, stream, max_nesting=-1)
    with pytest.raises(ValueError, match="max_decompressed_size"):
        MultipartReader(headers, stream, max_decompressed_size=-1)


# Framing.


@pytest.mark.parametrize("mode", MODES)
async def test_missing_start_delimiter(
    mode: str, feeders: list[asyncio.Task[None]]
) -> None:
    with pytest.raises(BadBoundary, match="starting boundary"):
        await parse(b"--c\r\n\r\nx\r\n--c--", mode, feeders)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "body",
    [
        b"--b\r\n\r\nno closing delimiter",
        b"--b\r\n\r\nfirst\r\n--b\r\n\r\nsecond",
        b"--b\r\nContent-Type: text/plain\r\n",
        b"--b\r\n\r\nx\r\n--b",
    ],
)
async def test_unterminated_part(
    body: bytes, mode: str, feeders: list[asyncio.Task[None]]
) -> None:
    start = time.perf_counter()
    with pytest.raises(UnterminatedMultipart):
        await parse(body, mode, feeders)
    assert time.perf_counter() - start < 5


@pytest.mark.parametrize("mode", MODES)
async def test_junk_after_delimiter(
    mode: str, feeders: list[asyncio.Task[None]]
) -> None:
    with pytest.raises(BadBoundary, match="Invalid data after boundary"):
        await parse(b"--b\r\n\r\nx\r\n--bogus\r\n\r\n--b--", mode, feeders)


# Header block.


@pytest.mark.parametrize("mode", MODES)
async def test_header_line_at_and_over_max_field_size(
    mode: str, feeders: list[asyncio.Task[None]]
) -> None:
    line = b"X-Long: " + b"v" * 92
    assert len(line) == 100
    assert (
        await parse(parts(line + b"\r\n\r\n"), mode, feeders, max_field_size=100) == 1
    )
    with pytest.raises(LineTooLong):
        await parse(parts(line + b"v\r\n\r\n"), mode, feeders, max_field_size=100)


@pytest.mark.parametrize("mode", MODES)
async def test_endless_header_line(
    mode: str, feeders: list[asyncio.Task[None]]
) -> None:
    body = b"--b\r\nX: " + b"v" * 100_000
    with pytest.raises(LineTooLong):
        await parse(body, "whole", feeders, max_field_size=8190)
    with pytest.raises(LineTooLong):
        await parse(body[:300], mode, feeders, max_field_size=200)


@pytest.mark.parametrize("mode", MODES)
async def test_max_headers(mode: str, feeders: list[asyncio.Task[None]]) -> None:
    fields = b"".join(b"X-%d: v\r\n" % i for i in range(4))
    assert await parse(parts(fields + b"\r\n"), mode, feeders, max_headers=4) == 1
    with pytest.raises(TooManyHeaders):
        await parse(parts(fields + b"X-9: v\r\n\r\n"), mode, feeders, max_headers=4)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("line", "error"),
    [
        (b" obs-fold", BadHttpMessage),
        (b"Name : space before colon", InvalidHeader),
        (b"Name: nul \x00 inside", InvalidHeader),
        (b"Name: cr \r inside", BadHttpMessage),
        (b"Name: bare lf\n", BadHttpMessage),
    ],
)
async def test_header_grammar(
    line: bytes, error: type[Exception], mode: str, feeders: list[asyncio.Task[None]]
) -> None:
    with pytest.raises(error):
        await parse(parts(b"A: 1\r\n" + line + b"\r\n\r\n"), mode, feeders)


# Part bodies.


@pytest.mark.parametrize("mode", MODES)
async def test_truncated_base64(mode: str, feeders: list[asyncio.Task[None]]) -> None:
    encoded = base64.b64encode(b"some bytes!")[:-3]
    block = b"Content-Transfer-Encoding: base64\r\n\r\n" + encoded
    with pytest.raises(BadTransferEncoding, match="Truncated"):
        await parse(parts(block), mode, feeders, decode=True)
    whole = b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.b64encode(b"ok")
    assert await parse(parts(whole), mode, feeders, decode=True) == 1


@pytest.mark.parametrize("mode", MODES)
async def test_content_length_longer_than_data(
    mode: str, feeders: list[asyncio.Task[None]]
) -> None:
    block = b"Content-Length: 11\r\n\r\n0123456789"
    with pytest.raises(ContentLengthError, match="Content-Length said 11"):
        await parse(parts(block), mode, feeders)
    # ... and the body ends before a delimiter comes.
    with pytest.raises(UnterminatedMultipart):
        await parse(b"--b\r\nContent-Length: 11\r\n\r\n0123456789", mode, feeders)


@pytest.mark.parametrize("mode", MODES)
async def test_content_length_shorter_than_data(
    mode: str, feeders: list[asyncio.Task[None]]
) -> None:
    with pytest.raises(ContentLengthError, match="longer than its Content-Length"):
        await parse(parts(b"Content-Length: 9\r\n\r\n0123456789"), mode, feeders)
    assert (
        await parse(parts(b"Content-Length: 10\r\n\r\n0123456789"), mode, feeders) == 1
    )


@pytest.mark.parametrize("value", [b"-1", b"1e3", b"0x10", b"", b"9" * 25])
async def test_invalid_content_length(
    value: bytes, feeders: list[asyncio.Task[None]]
) -> None:
    with pytest.raises(ContentLengthError):
        await parse(parts(b"Content-Length: " + value + b"\r\n\r\nx"), "whole", feeders)


@pytest.mark.parametrize("mode", MODES)
async def test_decompressed_size_cap(
    mode: str, feeders: list[asyncio.Task[None]]
) -> None:
    cap = 50_000
    for size, ok in ((cap, True), (cap + 1, False)):
        block = b"Content-Encoding: gzip\r\n\r\n" + gzip.compress(b"a" * size)
        if ok:
            assert (
                await parse(
                    parts(block), mode, feeders, decode=True, max_decompressed_size=cap
                )
                == 1
            )
        else:
            with pytest.raises(DecompressSizeError):
                await parse(
                    parts(block), mode, feeders, decode=True, max_decompressed_size=cap
                )


async def test_decompression_bomb_with_default_cap(
    feeders: list[asyncio.Task[None]],
) -> None:
    bomb = gzip.compress(b"\0" * (2**25 + 1), compresslevel=9)
    block = b"Content-Encoding: gzip\r\n\r\n" + bomb
    with pytest.raises(DecompressSizeError):
        await parse(parts(block), "whole", feeders, decode=True)


# Counting parts and nesting.


@pytest.mark.parametrize("mode", MODES)
async def test_max_parts(mode: str, feeders: list[asyncio.Task[None]]) -> None:
    five = parts(*[b"\r\n"] * 5)
    assert await parse(five, mode, feeders, max_parts=5) == 5
    with pytest.raises(TooManyParts) as info:
        await parse(parts(*[b"\r\n"] * 6), mode, feeders, max_parts=5)
    assert info.value.code == 413


async def test_max_parts_default_allows_a_thousand(
    feeders: list[asyncio.Task[None]],
) -> None:
    assert await parse(parts(*[b"\r\nv"] * 1000), "whole", feeders) == 1000
    with pytest.raises(TooManyParts):
        await parse(parts(*[b"\r\nv"] * 1001), "whole", feeders)


class EndlessEmptyParts:
    """A peer sending empty parts forever."""

    def __init__(self) -> None:
        self.sent = 0

    async def read(self, n: int = -1) -> bytes:
        self.sent += 1
        if self.sent == 1:
            return b"--b\r\n"
        return b"\r\n\r\n--b\r\n" * 100


async def test_endless_stream_of_empty_parts() -> None:
    stream = EndlessEmptyParts()
    reader = MultipartReader(headers_for("multipart/mixed; boundary=b"), stream)
    start = time.perf_counter()
    with pytest.raises(TooManyParts):
        await consume(reader)
    assert time.perf_counter() - start < 5
    assert stream.sent < 20


def nested_body(depth: int) -> bytes:
    """A part of text inside ``depth`` nested multipart parts."""
    inner = parts(b"\r\nleaf", boundary=b"b%d" % depth)
    for level in range(depth, 0, -1):
        header = b"Content-Type: multipart/mixed; boundary=b%d\r\n\r\n" % level
        inner = parts(header + inner, boundary=b"b%d" % (level - 1))
    return inner


@pytest.mark.parametrize("mode", MODES)
async def test_max_nesting(mode: str, feeders: list[asyncio.Task[None]]) -> None:
    body = nested_body(3)
    assert await parse(body, mode, feeders, boundary="b0", max_nesting=3) == 1
    with pytest.raises(NestingTooDeep):
        await parse(body, mode, feeders, boundary="b0", max_nesting=2)
    with pytest.raises(NestingTooDeep):
        await parse(nested_body(1), mode, feeders, boundary="b0", max_nesting=0)


async def test_nested_parts_count_against_max_parts(
    feeders: list[asyncio.Task[None]],
) -> None:
    # Two parts: the nested multipart and its leaf.
    body = nested_body(1)
    assert await parse(body, "whole", feeders, boundary="b0", max_parts=2) == 1
    with pytest.raises(TooManyParts):
        await parse(body, "whole", feeders, boundary="b0", max_parts=1)


async def test_deep_nesting_is_refused_before_reading_it(
    feeders: list[asyncio.Task[None]],
) -> None:
    body = nested_body(200)
    start = time.perf_counter()
    with pytest.raises(NestingTooDeep):
        await parse(body, "whole", feeders, boundary="b0")
    assert time.perf_counter() - start < 5


async def test_unterminated_nested_multipart(feeders: list[asyncio.Task[None]]) -> None:
    inner = b"--i\r\n\r\nleaf"  # no closing delimiter before the outer one
    body = parts(b"Content-Type: multipart/mixed; boundary=i\r\n\r\n" + inner)
    with pytest.raises(UnterminatedMultipart):
        await parse(body, "whole", feeders)


@pytest.mark.parametrize(
    ("value", "match"),
    [(b"x" * 41, "too long"), (b"base64", "Unknown charset"), (b"nope", "Unknown")],
)
async def test_bad_charset_part(
    value: bytes, match: str, feeders: list[asyncio.Task[None]]
) -> None:
    block = b'Content-Disposition: form-data; name="_charset_"\r\n\r\n' + value
    reader = MultipartReader(
        headers_for("multipart/form-data; boundary=b"),
        open_body(parts(block, b"\r\nx"), "whole", feeders),
    )
    with pytest.raises(MultipartError, match=match):
        await reader.next()


async def test_errors_are_bad_http_messages_and_value_errors(
    feeders: list[asyncio.Task[None]],
) -> None:
    with pytest.raises(BadHttpMessage) as info:
        await parse(b"--b\r\n\r\n", "whole", feeders)
    assert isinstance(info.value, ValueError)
    assert info.value.code == 400


async def test_part_reader_after_failure(feeders: list[asyncio.Task[None]]) -> None:
    reader = MultipartReader(
        headers_for("multipart/mixed; boundary=b"),
        open_body(b"--b\r\n\r\ndata", "whole", feeders),
    )
    part = await reader.next()
    assert isinstance(part, BodyPartReader)
    with pytest.raises(UnterminatedMultipart):
        await part.read()
    with pytest.raises(UnterminatedMultipart):
        await reader.next()
