"""Tests of HttpReceiver and the lazily decompressing body stream."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import struct
import zlib
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from multidict import CIMultiDict, CIMultiDictProxy

from aiohttp_core.base_protocol import BaseProtocol
from aiohttp_core.compression import get_decompressor
from aiohttp_core.http_exceptions import (
    BadStatusLine,
    ContentEncodingError,
    ContentLengthError,
    DecompressSizeError,
    TransferEncodingError,
)
from aiohttp_core.http_messages import (
    CHUNK_END,
    BodyChunk,
    HttpVersion11,
    MessageEnd,
    ParserEvent,
    ProtocolSwitch,
    RawResponseMessage,
)
from aiohttp_core.http_parser import HttpRequestParser, HttpResponseParser
from aiohttp_core.http_receiver import DecompressingStreamReader, HttpReceiver
from aiohttp_core.streams import EMPTY_PAYLOAD, StreamReader

EMPTY_HEADERS: CIMultiDictProxy[str] = CIMultiDictProxy(CIMultiDict())
END = MessageEnd(EMPTY_HEADERS, ())
MiB = 2**20


class PayloadError(Exception):
    """Stands for the client's ClientPayloadError."""


class RecordingTransport(asyncio.Transport):
    """A transport that only records pause/resume calls."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []

    def pause_reading(self) -> None:
        self.calls.append("pause")

    def resume_reading(self) -> None:
        self.calls.append("resume")


class ScriptedParser:
    """Returns one scripted event list per feed, whatever the bytes."""

    def __init__(
        self,
        *feeds: Sequence[ParserEvent] | Exception,
        eof: Sequence[ParserEvent] | Exception = (),
    ) -> None:
        self.feeds = list(feeds)
        self.eof = eof

    def feed_data(self, data: bytes) -> Sequence[ParserEvent]:
        step = self.feeds.pop(0)
        if isinstance(step, Exception):
            raise step
        return step

    def feed_eof(self) -> Sequence[ParserEvent]:
        if isinstance(self.eof, Exception):
            raise self.eof
        return self.eof


def head(
    *, compression: str | None = None, chunked: bool = False, code: int = 200
) -> RawResponseMessage:
    return RawResponseMessage(
        HttpVersion11, code, "OK", EMPTY_HEADERS, (), False, compression, False, chunked
    )


def make_receiver(
    parser: Any, limit: int = 2**16, **kwargs: Any
) -> tuple[HttpReceiver[Any], RecordingTransport]:
    loop = asyncio.get_running_loop()
    protocol = BaseProtocol(loop)
    transport = RecordingTransport()
    protocol.connection_made(transport)
    receiver: HttpReceiver[Any] = HttpReceiver(
        parser, protocol, loop=loop, limit=limit, **kwargs
    )
    return receiver, transport


def gzip_bomb(mib: int, *, complete: bool = False) -> bytes:
    """A gzip stream of ``mib`` MiB of zeros, about 1 KiB per MiB.

    After a full flush the compressor's state no longer depends on the data
    before it, so each further MiB of zeros compresses to the same bytes:
    compressing three MiB is enough to build any size.  Unless ``complete``,
    the stream has no end (final block, CRC and size): the tests reading it
    stop long before.
    """
    zeros = bytes(MiB)
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    first = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    again = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    if compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH) != again:
        raise AssertionError("full-flush segments are not identical")
    bomb = first + again * (mib - 1)
    if complete:
        size = mib * MiB
        crc = 0
        for _ in range(mib):
            crc = zlib.crc32(zeros, crc)
        # An empty final block with fixed Huffman codes, then the trailer.
        bomb += b"\x03\x00" + struct.pack("<II", crc, size & 0xFFFFFFFF)
    return bomb


def slices(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


# -- messages and body events ---------------------------------------------


async def test_head_followed_by_end_gets_empty_payload() -> None:
    message = head()
    receiver, _ = make_receiver(ScriptedParser([message, END]))
    messages, upgraded, tail = receiver.feed_data(b"...")
    assert messages == [(message, EMPTY_PAYLOAD)]
    assert (upgraded, tail) == (False, b"")
    assert receiver.payload is None


async def test_body_across_feeds() -> None:
    message = head()
    parser = ScriptedParser(
        [message, BodyChunk(b"hel")], [BodyChunk(b"lo"), BodyChunk(b"!"), END]
    )
    receiver, _ = make_receiver(parser)
    messages, _, _ = receiver.feed_data(b"")
    ((got, stream),) = messages
    assert got is message
    assert type(stream) is StreamReader
    assert receiver.payload is stream
    assert not stream.is_eof()
    assert receiver.feed_data(b"") == ([], False, b"")
    assert stream.is_eof()
    assert receiver.payload is None
    assert await stream.read() == b"hello!"


async def test_pipelined_messages() -> None:
    first, second, third = head(), head(code=201), head(code=204)
    parser = ScriptedParser(
        [first, BodyChunk(b"a"), END, second, END, third, BodyChunk(b"c")]
    )
    receiver, _ = make_receiver(parser)
    messages, _, _ = receiver.feed_data(b"")
    assert [m for m, _ in messages] == [first, second, third]
    assert await messages[0][1].read() == b"a"
    assert messages[1][1] is EMPTY_PAYLOAD
    assert receiver.payload is messages[2][1]


async def test_chunk_boundaries() -> None:
    message = head(chunked=True)
    parser = ScriptedParser(
        [message, BodyChunk(b"ab"), CHUNK_END, BodyChunk(b"c")],
        [BodyChunk(b"d"), CHUNK_END, END],
    )
    receiver, _ = make_receiver(parser)
    ((_, stream),) = receiver.feed_data(b"")[0]
    receiver.feed_data(b"")
    assert [c async for c in stream.iter_chunks()] == [(b"ab", True), (b"cd", True)]


async def test_protocol_switch() -> None:
    message = head(code=101)
    parser = ScriptedParser([message, END, ProtocolSwitch(b"tail")])
    receiver, _ = make_receiver(parser)
    assert receiver.feed_data(b"") == ([(message, EMPTY_PAYLOAD)], True, b"tail")
    assert receiver.upgraded
    # Later bytes belong to the new protocol; the parser is not asked.
    assert receiver.feed_data(b"frames") == ([], True, b"frames")
    assert receiver.feed_eof() == []


async def test_repr() -> None:
    receiver, _ = make_receiver(ScriptedParser([head(), END, ProtocolSwitch(b"")]))
    assert repr(receiver) == "<HttpReceiver open payload=None>"
    receiver.feed_data(b"")
    assert repr(receiver) == "<HttpReceiver upgraded payload=None>"


async def test_flow_control_through_receiver() -> None:
    parser = ScriptedParser([head(), BodyChunk(b"x" * 20)], [BodyChunk(b"x")])
    receiver, transport = make_receiver(parser, limit=10)
    ((_, stream),) = receiver.feed_data(b"")[0]
    assert transport.calls == []
    receiver.feed_data(b"")
    assert transport.calls == ["pause"]
    assert stream.get_read_buffer_limits() == (10, 20)
    await stream.read(12)
    assert transport.calls == ["pause", "resume"]


async def test_timer_reaches_streams() -> None:
    entered: list[bool] = []

    @contextlib.contextmanager
    def timer() -> Iterator[None]:
        entered.append(True)
        yield

    parser = ScriptedParser([head()], [BodyChunk(b"x"), END])
    receiver, _ = make_receiver(parser, timer=timer)
    ((_, stream),) = receiver.feed_data(b"")[0]
    task = asyncio.create_task(stream.read())
    await asyncio.sleep(0)
    receiver.feed_data(b"")
    assert await task == b"x"
    assert entered == [True]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"limit": 0}, "limit"), ({"max_decompressed_size": -1}, "max_decompressed")],
)
async def test_bad_arguments(kwargs: dict[str, int], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        make_receiver(ScriptedParser(), **kwargs)


# -- errors ---------------------------------------------------------------


async def test_parser_error_in_body_goes_to_stream_and_caller() -> None:
    error = TransferEncodingError("bad chunk")
    parser = ScriptedParser([head(chunked=True), BodyChunk(b"ab")], error)
    receiver, _ = make_receiver(parser)
    ((_, stream),) = receiver.feed_data(b"")[0]
    with pytest.raises(TransferEncodingError) as info:
        receiver.feed_data(b"")
    assert info.value is error
    assert stream.exception() is error
    with pytest.raises(TransferEncodingError):
        await stream.read()
    assert receiver.payload is None
    # The connection is done for; closing it must not raise again.
    assert receiver.feed_eof() == []


async def test_parser_error_wrapped_in_payload_exception() -> None:
    error = TransferEncodingError("bad chunk")
    parser = ScriptedParser([head(chunked=True)], error)
    receiver, _ = make_receiver(parser, payload_exception=PayloadError)
    ((_, stream),) = receiver.feed_data(b"")[0]
    task = asyncio.create_task(stream.read())
    await asyncio.sleep(0)
    with pytest.raises(TransferEncodingError):
        receiver.feed_data(b"")
    with pytest.raises(PayloadError) as info:
        await task
    assert info.value.__cause__ is error
    assert "bad chunk" in str(info.value)


async def test_parser_error_in_head_just_propagates() -> None:
    parser = ScriptedParser([head(), BodyChunk(b"ok"), END], BadStatusLine(b"junk"))
    receiver, _ = make_receiver(parser, payload_exception=PayloadError)
    ((_, stream),) = receiver.feed_data(b"")[0]
    with pytest.raises(BadStatusLine):
        receiver.feed_data(b"")
    assert stream.exception() is None
    assert await stream.read() == b"ok"


async def test_feed_eof_finishes_body_read_until_eof() -> None:
    parser = ScriptedParser([head(), BodyChunk(b"all")], eof=[BodyChunk(b"!"), END])
    receiver, _ = make_receiver(parser)
    ((_, stream),) = receiver.feed_data(b"")[0]
    assert receiver.feed_eof() == []
    assert await stream.read() == b"all!"


async def test_feed_eof_truncated_body() -> None:
    error = ContentLengthError("Not enough data")
    parser = ScriptedParser([head(), BodyChunk(b"par")], eof=error)
    receiver, _ = make_receiver(parser, payload_exception=PayloadError)
    ((_, stream),) = receiver.feed_data(b"")[0]
    with pytest.raises(ContentLengthError):
        receiver.feed_eof()
    with pytest.raises(PayloadError) as info:
        await stream.read()
    assert info.value.__cause__ is error


@pytest.mark.parametrize(
    ("chunked", "expected"),
    [(False, ContentLengthError), (True, TransferEncodingError)],
)
async def test_feed_eof_when_parser_leaves_body_open(
    chunked: bool, expected: type[Exception]
) -> None:
    parser = ScriptedParser([head(chunked=chunked), BodyChunk(b"x")], eof=[])
    receiver, _ = make_receiver(parser)
    ((_, stream),) = receiver.feed_data(b"")[0]
    with pytest.raises(expected):
        receiver.feed_eof()
    with pytest.raises(expected):
        await stream.read()


@pytest.mark.parametrize(
    "events",
    [
        [BodyChunk(b"x")],
        [CHUNK_END],
        [END],
        [head(), BodyChunk(b"x"), head()],
    ],
)
async def test_parser_contract_violations(events: list[ParserEvent]) -> None:
    receiver, _ = make_receiver(ScriptedParser(events))
    with pytest.raises(RuntimeError, match="the parser"):
        receiver.feed_data(b"")


# -- decompression --------------------------------------------------------


async def test_gzip_body() -> None:
    body = b"compressed text " * 1000
    data = gzip.compress(body)
    parser = ScriptedParser(
        [head(compression="gzip")],
        *([BodyChunk(p)] for p in slices(data, 100)),
        [END],
    )
    receiver, _ = make_receiver(parser, limit=1000)
    ((_, stream),) = receiver.feed_data(b"")[0]
    assert isinstance(stream, DecompressingStreamReader)
    for _ in range(len(parser.feeds)):
        receiver.feed_data(b"")
    assert await stream.read() == body
    assert stream.at_eof()
    assert stream.total_bytes == len(body)


async def test_gzip_body_fed_one_byte_at_a_time_while_reading() -> None:
    body = b"0123456789" * 50
    data = gzip.compress(body)
    parser = ScriptedParser(
        [head(compression="gzip")], *([BodyChunk(bytes([b]))] for b in data), [END]
    )
    receiver, _ = make_receiver(parser, limit=16)
    ((_, stream),) = receiver.feed_data(b"")[0]

    async def feed() -> None:
        for _ in range(len(parser.feeds)):
            await asyncio.sleep(0)
            receiver.feed_data(b"")

    feeder = asyncio.create_task(feed())
    lines = [await stream.readexactly(10) for _ in range(50)]
    assert b"".join(lines) == body
    assert await stream.read() == b""
    await feeder


async def test_deflate_body_and_line_reading() -> None:
    body = b"".join(b"line %d\n" % i for i in range(200))
    parser = ScriptedParser(
        [head(compression="deflate"), BodyChunk(zlib.compress(body)), END]
    )
    receiver, _ = make_receiver(parser, limit=64)
    ((_, stream),) = receiver.feed_data(b"")[0]
    assert [line async for line in stream] == body.splitlines(keepends=True)


async def test_multi_member_gzip() -> None:
    data = gzip.compress(b"first ") + gzip.compress(b"second")
    parser = ScriptedParser([head(compression="gzip"), BodyChunk(data), END])
    receiver, _ = make_receiver(parser)
    ((_, stream),) = receiver.feed_data(b"")[0]
    assert await stream.read() == b"first second"


async def test_auto_decompress_off_gives_raw_bytes() -> None:
    data = gzip.compress(b"raw")
    parser = ScriptedParser([head(compression="gzip"), BodyChunk(data), END])
    receiver, _ = make_receiver(parser, auto_decompress=False)
    ((_, stream),) = receiver.feed_data(b"")[0]
    assert type(stream) is StreamReader
    assert await stream.read() == data


async def test_compressed_message_without_body_gets_empty_payload() -> None:
    message = head(compression="br")
    receiver, _ = make_receiver(ScriptedParser([message, END]))
    assert receiver.feed_data(b"")[0] == [(message, EMPTY_PAYLOAD)]


async def test_empty_compressed_body() -> None:
    parser = ScriptedParser([head(compression="gzip", chunked=True)], [END])
    receiver, _ = make_receiver(parser)
    ((_, stream),) = receiver.feed_data(b"")[0]
    receiver.feed_data(b"")
    assert await stream.read() == b""
    assert await stream.readchunk() == (b"", False)


async def test_chunk_boundaries_of_compressed_body() -> None:
    compressor = zlib.compressobj(wbits=31)
    first = compressor.compress(b"hello ") + compressor.flush(zlib.Z_SYNC_FLUSH)
    second = compressor.compress(b"world") + compressor.flush()
    parser = ScriptedParser(
        [head(compression="gzip", chunked=True)],
        [BodyChunk(first[:5]), BodyChunk(first[5:]), CHUNK_END],
        [BodyChunk(second), CHUNK_END, END],
    )
    receiver, _ = make_receiver(parser)
    ((_, stream),) = receiver.feed_data(b"")[0]
    receiver.feed_data(b"")
    receiver.feed_data(b"")
    assert [c async for c in stream.iter_chunks()] == [
        (b"hello ", True),
        (b"world", True),
    ]


async def test_chunk_end_wakes_compressed_readchunk() -> None:
    compressor = zlib.compressobj(wbits=31)
    first = compressor.compress(b"part") + compressor.flush(zlib.Z_SYNC_FLUSH)
    parser = ScriptedParser(
        [head(compression="gzip", chunked=True), BodyChunk(first)], [CHUNK_END]
    )
    receiver, _ = make_receiver(parser)
    ((_, stream),) = receiver.feed_data(b"")[0]
    assert await stream.readchunk() == (b"part", False)
    task = asyncio.create_task(stream.readchunk())
    await asyncio.sleep(0)
    assert not task.done()
    receiver.feed_data(b"")
    assert await task == (b"", True)


@pytest.mark.parametrize("wrapper", [None, PayloadError])
async def test_corrupt_compressed_body(wrapper: type[Exception] | None) -> None:
    parser = ScriptedParser(
        [head(compression="deflate"), BodyChunk(b"\xff this is not deflate"), END]
    )
    receiver, _ = make_receiver(parser, payload_exception=wrapper)
    ((_, stream),) = receiver.feed_data(b"")[0]
    with pytest.raises(wrapper or ContentEncodingError) as info:
        await stream.read()
    if wrapper is not None:
        assert isinstance(info.value.__cause__, ContentEncodingError)
    assert stream.exception() is info.value


async def test_truncated_compressed_body() -> None:
    data = gzip.compress(b"x" * 1000)[:-6]
    parser = ScriptedParser([head(compression="gzip"), BodyChunk(data), END])
    receiver, _ = make_receiver(parser)
    ((_, stream),) = receiver.feed_data(b"")[0]
    with pytest.raises(ContentEncodingError, match="truncated"):
        await stream.read()


async def test_unsupported_encoding_fails_only_the_body() -> None:
    message = head(compression="bogus")
    parser = ScriptedParser([message, BodyChunk(b"data")], [BodyChunk(b"more"), END])
    receiver, _ = make_receiver(parser, payload_exception=PayloadError)
    ((got, stream),) = receiver.feed_data(b"")[0]
    assert got is message
    receiver.feed_data(b"")
    assert receiver.payload is None
    with pytest.raises(PayloadError) as info:
        await stream.read()
    assert isinstance(info.value.__cause__, ContentEncodingError)
    assert "bogus" in str(info.value)


class StuckDecompressor:
    """Claims to hold output but never gives any."""

    needs_input = False
    eof = False

    def decompress(self, data: bytes, max_length: int) -> bytes:
        return b""

    def flush(self) -> bytes:
        return b""


async def test_decoder_without_progress_fails_instead_of_spinning() -> None:
    loop = asyncio.get_running_loop()
    stream = DecompressingStreamReader(
        BaseProtocol(loop), 10, StuckDecompressor(), loop=loop
    )
    stream.feed_data(b"x")
    with pytest.raises(ContentEncodingError, match="no progress"):
        await stream.read(1)


async def test_decompressing_stream_state() -> None:
    data = gzip.compress(b"abc\ndef\n" * 100)
    parser = ScriptedParser([head(compression="gzip"), BodyChunk(data)], [END])
    receiver, _ = make_receiver(parser, limit=8)
    ((_, stream),) = receiver.feed_data(b"")[0]
    calls: list[int] = []
    stream.on_eof(lambda: calls.append(1))
    assert repr(stream) == (
        f"<DecompressingStreamReader {len(data)} compressed bytes low=8 high=16>"
    )
    waiter = asyncio.create_task(stream.wait_eof())
    await asyncio.sleep(0)
    assert not waiter.done()
    assert stream.read_nowait(3) == b"abc"
    assert await stream.readline() == b"\n"
    receiver.feed_data(b"")
    await waiter
    assert calls == [1]
    # The transfer is over, the decoding is not.
    assert stream.is_eof()
    assert not stream.at_eof()
    assert "input eof" in repr(stream)
    assert await stream.readuntil(b"def\n") == b"def\n"
    assert len(await stream.read()) == 8 * 99
    assert stream.at_eof()
    with pytest.raises(RuntimeError, match="after feed_eof"):
        stream.feed_data(b"x")


async def test_compressed_input_counts_for_flow_control() -> None:
    body = bytes(range(256)) * 64
    data = gzip.compress(body)
    pieces = slices(data, 10)
    assert len(pieces) > 5
    parser = ScriptedParser(
        [head(compression="gzip")], *([BodyChunk(p)] for p in pieces), [END]
    )
    receiver, transport = make_receiver(parser, limit=10)
    ((_, stream),) = receiver.feed_data(b"")[0]
    receiver.feed_data(b"")
    receiver.feed_data(b"")
    assert transport.calls == []
    for _ in pieces[2:]:
        receiver.feed_data(b"")
    assert transport.calls == ["pause"]
    assert stream.total_bytes == 0
    received = [await stream.read(1)]
    # Reading decoded bytes alone does not resume: the compressed input kept
    # for later still counts.
    assert transport.calls == ["pause"]
    while transport.calls == ["pause"]:
        received.append(await stream.readany())
    assert stream._flow_size() < 10
    receiver.feed_data(b"")
    received.append(await stream.read())
    assert b"".join(received) == body


@pytest.mark.parametrize(("drain", "calls"), [(True, []), (False, ["pause"])])
async def test_compressed_pause_waits_for_the_woken_reader(
    drain: bool, calls: list[str]
) -> None:
    body = bytes(range(256)) * 64
    data = gzip.compress(body)
    assert len(data) > 20
    parser = ScriptedParser([head(compression="gzip")], [BodyChunk(data)])
    receiver, transport = make_receiver(parser, limit=10)
    ((_, stream),) = receiver.feed_data(b"")[0]

    async def read() -> bytes:
        received = [await stream.readany()]
        while drain and sum(map(len, received)) < len(body):
            received.append(await stream.readany())
        return b"".join(received)

    reader = asyncio.create_task(read())
    await asyncio.sleep(0)
    receiver.feed_data(b"")
    assert transport.calls == []
    received = await reader
    await asyncio.sleep(0)
    assert transport.calls == calls
    assert body.startswith(received)
    assert (received == body) is drain


async def test_failed_compressed_stream_drops_input_and_resumes() -> None:
    parser = ScriptedParser(
        [head(compression="deflate"), BodyChunk(b"\xff" * 30)], [BodyChunk(b"\xff")]
    )
    receiver, transport = make_receiver(parser, limit=10)
    ((_, stream),) = receiver.feed_data(b"")[0]
    assert transport.calls == ["pause"]
    with pytest.raises(ContentEncodingError):
        await stream.read()
    assert transport.calls == ["pause", "resume"]
    receiver.feed_data(b"")
    assert "compressed" not in repr(stream)


# -- decompression bombs and caps -----------------------------------------


async def test_gzip_bomb_is_decoded_only_as_far_as_it_is_read() -> None:
    limit = 2**16
    bomb = gzip_bomb(1024)  # 1 GiB of zeros
    assert len(bomb) < 2 * MiB
    pieces = slices(bomb, 2**16)
    parser = ScriptedParser(
        [head(compression="gzip")], *([BodyChunk(p)] for p in pieces)
    )
    receiver, transport = make_receiver(parser, limit=limit)
    ((_, stream),) = receiver.feed_data(b"")[0]
    for _ in pieces:
        receiver.feed_data(b"")
    assert stream.total_bytes == 0
    assert transport.calls == ["pause"]

    consumed = 0
    while consumed < 4 * MiB:
        data = await stream.read(10_000)
        assert data == bytes(len(data))
        consumed += len(data)
        assert stream._size <= limit
    assert stream.total_bytes <= consumed + limit
    # Still paused: a megabyte of compressed input is waiting to be read.
    assert transport.calls == ["pause"]


async def test_gzip_bomb_through_the_real_parser() -> None:
    limit = 2**14
    mib = 64
    bomb = gzip_bomb(mib, complete=True)
    wire = (
        b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n"
        b"Content-Length: %d\r\n\r\n" % len(bomb)
    ) + bomb
    receiver, _ = make_receiver(HttpResponseParser(), limit=limit)
    messages = []
    for piece in slices(wire, 4096):
        messages += receiver.feed_data(piece)[0]
    ((message, stream),) = messages
    assert message.compression == "gzip"
    assert stream.is_eof()
    consumed = 0
    async for data in stream.iter_chunked(MiB):
        consumed += len(data)
        assert stream._size <= limit
        if consumed >= 2 * MiB:
            break
    assert stream.total_bytes <= consumed + limit


async def test_gzip_bomb_decodes_completely_when_read_to_the_end() -> None:
    # Proves the bomb is a valid gzip stream, so the lazy tests above are
    # reading real data rather than stopping at a decoding error.
    mib = 8
    bomb = gzip_bomb(mib, complete=True)
    parser = ScriptedParser([head(compression="gzip"), BodyChunk(bomb), END])
    receiver, _ = make_receiver(parser)
    ((_, stream),) = receiver.feed_data(b"")[0]
    total = 0
    async for data in stream.iter_any():
        assert stream._size == 0
        assert len(data) <= 2**16
        total += len(data)
    assert total == mib * MiB
    assert stream.exception() is None


async def test_max_decompressed_size_on_a_bomb() -> None:
    bomb = gzip_bomb(1024)
    parser = ScriptedParser([head(compression="gzip"), BodyChunk(bomb)])
    receiver, _ = make_receiver(
        parser, max_decompressed_size=MiB, payload_exception=PayloadError
    )
    ((_, stream),) = receiver.feed_data(b"")[0]
    with pytest.raises(PayloadError) as info:
        await stream.read()
    assert isinstance(info.value.__cause__, DecompressSizeError)
    assert stream.total_bytes <= MiB


SIZE_BODY = bytes(range(256)) * 12  # 3072 bytes


@pytest.mark.parametrize("bytewise", [False, True])
@pytest.mark.parametrize(
    ("cap", "ok"),
    [
        (len(SIZE_BODY) + 1, True),  # body one byte under the cap
        (len(SIZE_BODY), True),  # body exactly at the cap
        (len(SIZE_BODY) - 1, False),  # body one byte over the cap
    ],
)
async def test_max_decompressed_size(cap: int, ok: bool, bytewise: bool) -> None:
    data = gzip.compress(SIZE_BODY)
    pieces = [bytes([b]) for b in data] if bytewise else [data]
    parser = ScriptedParser(
        [head(compression="gzip")], *([BodyChunk(p)] for p in pieces), [END]
    )
    receiver, _ = make_receiver(parser, limit=100, max_decompressed_size=cap)
    ((_, stream),) = receiver.feed_data(b"")[0]
    for _ in pieces:
        receiver.feed_data(b"")
    receiver.feed_data(b"")
    if ok:
        assert await stream.read() == SIZE_BODY
    else:
        with pytest.raises(DecompressSizeError, match=str(cap)):
            await stream.read()


async def test_max_decompressed_size_zero_allows_empty_bodies() -> None:
    parser = ScriptedParser(
        [head(compression="gzip"), BodyChunk(gzip.compress(b"")), END]
    )
    receiver, _ = make_receiver(parser, max_decompressed_size=0)
    ((_, stream),) = receiver.feed_data(b"")[0]
    assert await stream.read() == b""


async def test_real_decompressor_interface() -> None:
    # The lazy stream relies on these promises of compression.py.
    decompressor = get_decompressor("gzip")
    data = gzip.compress(bytes(1000))
    assert decompressor.needs_input
    out = decompressor.decompress(data, 100)
    assert len(out) == 100
    assert not decompressor.needs_input
    while not decompressor.needs_input:
        out += decompressor.decompress(b"", 100)
    assert out == bytes(1000)
    assert decompressor.eof
    assert decompressor.flush() == b""


# -- with the real parser -------------------------------------------------


async def test_real_parser_pipelined_requests() -> None:
    receiver, _ = make_receiver(HttpRequestParser())
    messages, upgraded, _ = receiver.feed_data(
        b"POST /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"
        b"GET /b HTTP/1.1\r\n\r\n"
        b"POST /c HTTP/1.1\r\nContent-Length: 4\r\n\r\nde"
    )
    assert not upgraded
    assert [m.path for m, _ in messages] == ["/a", "/b", "/c"]
    assert await messages[0][1].read() == b"abc"
    assert messages[1][1] is EMPTY_PAYLOAD
    receiver.feed_data(b"fg")
    assert await messages[2][1].read() == b"defg"


async def test_real_parser_chunked_response() -> None:
    receiver, _ = make_receiver(HttpResponseParser())
    wire = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
    )
    messages = []
    for i in range(len(wire)):
        messages += receiver.feed_data(wire[i : i + 1])[0]
    ((_, stream),) = messages
    assert [c async for c in stream.iter_chunks()] == [(b"abc", True), (b"de", True)]


async def test_real_parser_chunked_gzip_response() -> None:
    body = b"chunked and compressed " * 100
    data = gzip.compress(body)
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in slices(data, 50))
    wire = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
        b"Content-Encoding: gzip\r\n\r\n" + chunks + b"0\r\n\r\n"
    )
    receiver, _ = make_receiver(HttpResponseParser(), limit=128)
    ((_, stream),) = receiver.feed_data(wire)[0]
    assert await stream.read() == body


async def test_real_parser_upgrade() -> None:
    receiver, _ = make_receiver(HttpResponseParser())
    messages, upgraded, tail = receiver.feed_data(
        b"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
        b"Upgrade: websocket\r\n\r\n\x81\x00"
    )
    assert [(m.code, s) for m, s in messages] == [(101, EMPTY_PAYLOAD)]
    assert (upgraded, tail) == (True, b"\x81\x00")


async def test_real_parser_bad_chunk_mid_body() -> None:
    receiver, _ = make_receiver(HttpResponseParser(), payload_exception=PayloadError)
    ((_, stream),) = receiver.feed_data(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n"
    )[0]
    with pytest.raises(TransferEncodingError):
        receiver.feed_data(b"zz\r\n")
    with pytest.raises(PayloadError) as info:
        await stream.read()
    assert isinstance(info.value.__cause__, TransferEncodingError)


async def test_real_parser_body_cut_by_eof() -> None:
    receiver, _ = make_receiver(HttpResponseParser(), payload_exception=PayloadError)
    ((_, stream),) = receiver.feed_data(
        b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"
    )[0]
    with pytest.raises(ContentLengthError):
        receiver.feed_eof()
    with pytest.raises(PayloadError) as info:
        await stream.read()
    assert isinstance(info.value.__cause__, ContentLengthError)


async def test_real_parser_body_until_eof() -> None:
    receiver, _ = make_receiver(HttpResponseParser())
    ((_, stream),) = receiver.feed_data(b"HTTP/1.1 200 OK\r\n\r\nsome")[0]
    receiver.feed_data(b" body")
    assert receiver.feed_eof() == []
    assert await stream.read() == b"some body"
