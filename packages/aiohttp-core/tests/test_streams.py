"""Tests of StreamReader, EmptyStreamReader and DataQueue."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import time
from collections.abc import Iterator

import pytest

from aiohttp_core.base_protocol import BaseProtocol
from aiohttp_core.streams import (
    EMPTY_PAYLOAD,
    DataQueue,
    EmptyStreamReader,
    EofStream,
    StreamReader,
)


class RecordingTransport(asyncio.Transport):
    """A transport that only records pause/resume calls."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []
        self._reading = True

    def pause_reading(self) -> None:
        self.calls.append("pause")
        self._reading = False

    def resume_reading(self) -> None:
        self.calls.append("resume")
        self._reading = True

    def is_reading(self) -> bool:
        return self._reading


def make_stream(
    limit: int = 2**16, **kwargs: object
) -> tuple[StreamReader, RecordingTransport]:
    loop = asyncio.get_running_loop()
    protocol = BaseProtocol(loop)
    transport = RecordingTransport()
    protocol.connection_made(transport)
    stream = StreamReader(protocol, limit, loop=loop, **kwargs)  # type: ignore[arg-type]
    return stream, transport


def feed_bytewise(stream: StreamReader, data: bytes) -> None:
    for i in range(len(data)):
        stream.feed_data(data[i : i + 1])


async def feed_later(stream: StreamReader, *pieces: bytes, eof: bool = True) -> None:
    """Feed each piece on its own loop iteration, so readers really wait."""
    for piece in pieces:
        await asyncio.sleep(0)
        stream.feed_data(piece)
    await asyncio.sleep(0)
    if eof:
        stream.feed_eof()


# -- construction and helpers ---------------------------------------------


async def test_limits() -> None:
    stream, _ = make_stream(limit=100)
    assert stream.get_read_buffer_limits() == (100, 200)


@pytest.mark.parametrize("limit", [0, -1])
async def test_limit_must_be_positive(limit: int) -> None:
    with pytest.raises(ValueError, match="limit"):
        make_stream(limit=limit)


async def test_repr() -> None:
    stream, _ = make_stream(limit=10)
    assert repr(stream) == "<StreamReader low=10 high=20>"
    stream.feed_data(b"abc")
    stream.feed_eof()
    assert repr(stream) == "<StreamReader 3 bytes eof low=10 high=20>"
    stream, _ = make_stream()
    stream.set_exception(ValueError("boom"))
    assert repr(stream) == "<StreamReader e=ValueError('boom')>"


async def test_repr_while_waiting() -> None:
    stream, _ = make_stream()
    task = asyncio.create_task(stream.read())
    await asyncio.sleep(0)
    assert repr(stream) == "<StreamReader waiting>"
    stream.feed_eof()
    assert await task == b""


async def test_total_bytes() -> None:
    stream, _ = make_stream()
    assert stream.total_bytes == 0
    stream.feed_data(b"abc")
    stream.feed_data(b"")
    stream.feed_data(b"de")
    await stream.read(4)
    assert stream.total_bytes == 5


async def test_is_eof_and_at_eof() -> None:
    stream, _ = make_stream()
    assert not stream.is_eof()
    assert not stream.at_eof()
    stream.feed_data(b"ab")
    stream.feed_eof()
    assert stream.is_eof()
    assert not stream.at_eof()
    assert await stream.read() == b"ab"
    assert stream.at_eof()


async def test_feed_data_after_eof_is_refused() -> None:
    stream, _ = make_stream()
    stream.feed_eof()
    with pytest.raises(RuntimeError, match="after feed_eof"):
        stream.feed_data(b"x")


# -- read / readany -------------------------------------------------------


async def test_read_all() -> None:
    stream, _ = make_stream()
    stream.feed_data(b"hello ")
    stream.feed_data(b"world")
    stream.feed_eof()
    assert await stream.read() == b"hello world"
    assert await stream.read() == b""


async def test_read_all_waits_for_eof() -> None:
    stream, _ = make_stream()
    feeder = asyncio.create_task(feed_later(stream, b"a", b"b", b"c"))
    assert await stream.read(-1) == b"abc"
    await feeder


async def test_read_n_returns_what_is_there() -> None:
    stream, _ = make_stream()
    stream.feed_data(b"abc")
    stream.feed_data(b"defg")
    assert await stream.read(2) == b"ab"
    assert await stream.read(3) == b"cde"
    assert await stream.read(10) == b"fg"


async def test_read_zero() -> None:
    stream, _ = make_stream()
    assert await stream.read(0) == b""


async def test_read_waits() -> None:
    stream, _ = make_stream()
    task = asyncio.create_task(stream.read(10))
    await asyncio.sleep(0)
    assert not task.done()
    stream.feed_data(b"data")
    assert await task == b"data"


async def test_read_at_eof() -> None:
    stream, _ = make_stream()
    stream.feed_eof()
    assert await stream.read(5) == b""
    assert await stream.readany() == b""


async def test_read_not_woken_by_chunk_end_alone() -> None:
    stream, _ = make_stream()
    stream.begin_http_chunk_receiving()
    stream.feed_data(b"a")
    stream.end_http_chunk_receiving()
    assert await stream.read(1) == b"a"
    task = asyncio.create_task(stream.read(1))
    await asyncio.sleep(0)
    stream.feed_data(b"b")
    stream.end_http_chunk_receiving()
    assert await task == b"b"


async def test_readany() -> None:
    stream, _ = make_stream()
    stream.feed_data(b"ab")
    stream.feed_data(b"cd")
    assert await stream.readany() == b"abcd"
    task = asyncio.create_task(stream.readany())
    await asyncio.sleep(0)
    stream.feed_data(b"e")
    assert await task == b"e"


# -- readexactly ----------------------------------------------------------


async def test_readexactly() -> None:
    stream, _ = make_stream()
    stream.feed_data(b"abc")
    stream.feed_data(b"defgh")
    assert await stream.readexactly(5) == b"abcde"
    assert await stream.readexactly(0) == b""
    assert await stream.readexactly(3) == b"fgh"


async def test_readexactly_waits_for_bytes_fed_one_at_a_time() -> None:
    stream, _ = make_stream()
    feeder = asyncio.create_task(
        feed_later(stream, *[bytes([b]) for b in b"0123456789"])
    )
    assert await stream.readexactly(10) == b"0123456789"
    await feeder


async def test_readexactly_incomplete() -> None:
    stream, _ = make_stream()
    feeder = asyncio.create_task(feed_later(stream, b"ab", b"c"))
    with pytest.raises(asyncio.IncompleteReadError) as info:
        await stream.readexactly(5)
    assert info.value.partial == b"abc"
    assert info.value.expected == 5
    await feeder


async def test_readexactly_negative() -> None:
    stream, _ = make_stream()
    with pytest.raises(ValueError, match="less than zero"):
        await stream.readexactly(-1)


async def test_readexactly_is_linear_in_single_byte_pieces() -> None:
    # A quadratic join of 200k one-byte pieces would take minutes.
    size = 200_000
    stream, _ = make_stream(limit=size)
    feed_bytewise(stream, bytes(size))
    start = time.perf_counter()
    assert await stream.readexactly(size) == bytes(size)
    assert time.perf_counter() - start < 5


# -- readline / readuntil -------------------------------------------------


async def test_readline() -> None:
    stream, _ = make_stream()
    stream.feed_data(b"line1\nli")
    stream.feed_data(b"ne2\nlast")
    stream.feed_eof()
    assert await stream.readline() == b"line1\n"
    assert await stream.readline() == b"line2\n"
    assert await stream.readline() == b"last"
    assert await stream.readline() == b""


async def test_readline_waits() -> None:
    stream, _ = make_stream()
    feeder = asyncio.create_task(feed_later(stream, b"ab", b"c", b"\nrest"))
    assert await stream.readline() == b"abc\n"
    await feeder
    assert await stream.read() == b"rest"


async def test_readline_at_limit() -> None:
    stream, _ = make_stream(limit=10)
    stream.feed_data(b"123456789\n")
    assert await stream.readline() == b"123456789\n"


async def test_readline_one_byte_over_limit() -> None:
    stream, _ = make_stream(limit=10)
    stream.feed_data(b"1234567890\n")
    with pytest.raises(ValueError, match="Chunk too big"):
        await stream.readline()


async def test_readline_over_limit_fed_byte_by_byte() -> None:
    stream, _ = make_stream(limit=10)
    feeder = asyncio.create_task(
        feed_later(stream, *[bytes([b]) for b in b"1234567890\n"])
    )
    with pytest.raises(ValueError, match="Chunk too big"):
        await stream.readline()
    feeder.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await feeder


async def test_readline_without_newline_over_limit() -> None:
    # The limit bounds memory even when no separator ever comes.
    stream, _ = make_stream(limit=10)
    stream.feed_data(b"x" * 11)
    with pytest.raises(ValueError, match="Chunk too big"):
        await stream.readline()


async def test_readuntil_multibyte_separator() -> None:
    stream, _ = make_stream()
    stream.feed_data(b"a\r\nb\r")
    stream.feed_data(b"\nc")
    stream.feed_eof()
    assert await stream.readuntil(b"\r\n") == b"a\r\n"
    assert await stream.readuntil(b"\r\n") == b"b\r\n"
    assert await stream.readuntil(b"\r\n") == b"c"
    assert await stream.readuntil(b"\r\n") == b""


@pytest.mark.parametrize("separator", [b"\n", b"\r\n", b"--boundary--"])
async def test_readuntil_fed_one_byte_at_a_time(separator: bytes) -> None:
    body = b"first" + separator + b"second" + separator + b"tail"
    stream, _ = make_stream()
    feed_bytewise(stream, body)
    stream.feed_eof()
    assert await stream.readuntil(separator) == b"first" + separator
    assert await stream.readuntil(separator) == b"second" + separator
    assert await stream.readuntil(separator) == b"tail"


async def test_readuntil_waits_for_bytes_one_at_a_time() -> None:
    stream, _ = make_stream()
    feeder = asyncio.create_task(feed_later(stream, *[bytes([b]) for b in b"ab||cd"]))
    assert await stream.readuntil(b"||") == b"ab||"
    await feeder
    assert await stream.read() == b"cd"


async def test_readuntil_separator_spans_three_pieces() -> None:
    stream, _ = make_stream()
    for piece in (b"xx<", b"-", b">yy"):
        stream.feed_data(piece)
    assert await stream.readuntil(b"<->") == b"xx<->"
    assert await stream.read(2) == b"yy"


async def test_readuntil_partial_separator_then_restart() -> None:
    stream, _ = make_stream()
    for piece in (b"a<", b"-<", b"->b"):
        stream.feed_data(piece)
    assert await stream.readuntil(b"<->") == b"a<-<->"


async def test_readuntil_is_linear_in_single_byte_pieces() -> None:
    size = 200_000
    stream, _ = make_stream(limit=size + 2)
    feed_bytewise(stream, b"x" * size + b"\r\n")
    start = time.perf_counter()
    assert await stream.readuntil(b"\r\n") == b"x" * size + b"\r\n"
    assert time.perf_counter() - start < 5


async def test_readuntil_empty_separator() -> None:
    stream, _ = make_stream()
    with pytest.raises(ValueError, match="Separator"):
        await stream.readuntil(b"")


async def test_readuntil_limit() -> None:
    stream, _ = make_stream(limit=8)
    stream.feed_data(b"123456\r\n")
    stream.feed_data(b"1234567\r\n")
    assert await stream.readuntil(b"\r\n") == b"123456\r\n"
    with pytest.raises(ValueError, match="Chunk too big"):
        await stream.readuntil(b"\r\n")


# -- readchunk ------------------------------------------------------------


async def test_readchunk_not_chunked() -> None:
    stream, _ = make_stream()
    stream.feed_data(b"ab")
    stream.feed_data(b"cd")
    stream.feed_eof()
    assert await stream.readchunk() == (b"ab", False)
    assert await stream.readchunk() == (b"cd", False)
    assert await stream.readchunk() == (b"", False)


async def test_readchunk_chunked() -> None:
    stream, _ = make_stream()
    stream.begin_http_chunk_receiving()
    stream.feed_data(b"a")
    stream.feed_data(b"b")
    stream.end_http_chunk_receiving()
    stream.begin_http_chunk_receiving()
    stream.feed_data(b"cde")
    stream.end_http_chunk_receiving()
    stream.feed_eof()
    assert await stream.readchunk() == (b"ab", True)
    assert await stream.readchunk() == (b"cde", True)
    assert await stream.readchunk() == (b"", False)


async def test_readchunk_chunk_end_wakes_reader() -> None:
    stream, _ = make_stream()
    stream.begin_http_chunk_receiving()
    stream.feed_data(b"abc")
    assert await stream.readchunk() == (b"abc", False)
    task = asyncio.create_task(stream.readchunk())
    await asyncio.sleep(0)
    assert not task.done()
    stream.end_http_chunk_receiving()
    assert await task == (b"", True)


async def test_readchunk_ignores_empty_chunks() -> None:
    stream, _ = make_stream()
    stream.begin_http_chunk_receiving()
    stream.end_http_chunk_receiving()
    stream.feed_data(b"x")
    stream.end_http_chunk_receiving()
    stream.end_http_chunk_receiving()
    stream.feed_eof()
    assert await stream.readchunk() == (b"x", True)
    assert await stream.readchunk() == (b"", False)


async def test_readchunk_after_other_reads_skips_passed_boundaries() -> None:
    stream, _ = make_stream()
    stream.begin_http_chunk_receiving()
    for piece in (b"ab", b"cd", b"ef"):
        stream.feed_data(piece)
        stream.end_http_chunk_receiving()
    assert await stream.read(3) == b"abc"
    assert await stream.readchunk() == (b"d", True)
    assert await stream.readchunk() == (b"ef", True)


async def test_readchunk_boundary_after_reading_it_exactly() -> None:
    stream, _ = make_stream()
    stream.begin_http_chunk_receiving()
    stream.feed_data(b"ab")
    stream.end_http_chunk_receiving()
    assert await stream.read(2) == b"ab"
    assert await stream.readchunk() == (b"", True)


async def test_begin_http_chunk_receiving_is_idempotent() -> None:
    stream, _ = make_stream()
    stream.begin_http_chunk_receiving()
    stream.feed_data(b"a")
    stream.end_http_chunk_receiving()
    stream.begin_http_chunk_receiving()
    stream.feed_data(b"b")
    stream.end_http_chunk_receiving()
    assert await stream.readchunk() == (b"a", True)
    assert await stream.readchunk() == (b"b", True)


async def test_chunk_receiving_misuse() -> None:
    stream, _ = make_stream()
    with pytest.raises(RuntimeError, match="before begin"):
        stream.end_http_chunk_receiving()
    stream.feed_data(b"x")
    with pytest.raises(RuntimeError, match="after data"):
        stream.begin_http_chunk_receiving()


# -- iteration ------------------------------------------------------------


async def test_iterate_lines() -> None:
    stream, _ = make_stream()
    feeder = asyncio.create_task(feed_later(stream, b"one\ntw", b"o\n", b"three"))
    assert [line async for line in stream] == [b"one\n", b"two\n", b"three"]
    await feeder


async def test_iter_chunked() -> None:
    stream, _ = make_stream()
    feeder = asyncio.create_task(feed_later(stream, b"abcde", b"fg"))
    assert [c async for c in stream.iter_chunked(2)] == [b"ab", b"cd", b"e", b"fg"]
    await feeder


async def test_iter_chunked_needs_positive_size() -> None:
    stream, _ = make_stream()
    with pytest.raises(ValueError, match="positive"):
        stream.iter_chunked(0)


async def test_iter_any() -> None:
    stream, _ = make_stream()
    feeder = asyncio.create_task(feed_later(stream, b"abc", b"de"))
    assert [c async for c in stream.iter_any()] == [b"abc", b"de"]
    await feeder


async def test_iter_chunks() -> None:
    stream, _ = make_stream()
    stream.begin_http_chunk_receiving()
    stream.feed_data(b"ab")
    stream.end_http_chunk_receiving()
    stream.feed_data(b"c")
    stream.feed_data(b"d")
    stream.end_http_chunk_receiving()
    stream.feed_eof()
    assert [c async for c in stream.iter_chunks()] == [(b"ab", True), (b"cd", True)]


async def test_iter_chunks_rebuilds_http_chunks() -> None:
    stream, _ = make_stream()
    stream.begin_http_chunk_receiving()
    stream.feed_data(b"ab")
    assert await stream.readchunk() == (b"ab", False)
    stream.feed_data(b"c")
    stream.end_http_chunk_receiving()
    stream.feed_data(b"d")
    stream.end_http_chunk_receiving()
    stream.feed_eof()
    buffer = b"ab"
    chunks = []
    async for data, end_of_http_chunk in stream.iter_chunks():
        buffer += data
        if end_of_http_chunk:
            chunks.append(buffer)
            buffer = b""
    assert chunks == [b"abc", b"d"]


# -- exceptions -----------------------------------------------------------


async def test_exception() -> None:
    stream, _ = make_stream()
    assert stream.exception() is None
    exc = ValueError("broken")
    stream.feed_data(b"buffered")
    stream.set_exception(exc)
    assert stream.exception() is exc
    for call in (
        stream.read,
        stream.readany,
        stream.readline,
        stream.readuntil,
        stream.readchunk,
        lambda: stream.readexactly(2),
    ):
        with pytest.raises(ValueError, match="broken"):
            await call()
    with pytest.raises(ValueError, match="broken"):
        stream.read_nowait()


async def test_set_exception_wakes_reader() -> None:
    stream, _ = make_stream()
    task = asyncio.create_task(stream.readline())
    await asyncio.sleep(0)
    stream.set_exception(ConnectionResetError("gone"))
    with pytest.raises(ConnectionResetError, match="gone"):
        await task


async def test_set_exception_wakes_wait_eof() -> None:
    stream, _ = make_stream()
    task = asyncio.create_task(stream.wait_eof())
    await asyncio.sleep(0)
    stream.set_exception(ConnectionResetError("gone"))
    with pytest.raises(ConnectionResetError):
        await task


async def test_set_exception_cause() -> None:
    stream, _ = make_stream()
    cause = KeyError("inner")
    exc = RuntimeError("outer")
    stream.set_exception(exc, cause)
    assert exc.__cause__ is cause
    other = RuntimeError("no cause")
    other.__cause__ = cause
    stream.set_exception(other, None)
    assert other.__cause__ is None
    kept = RuntimeError("kept")
    kept.__cause__ = cause
    stream.set_exception(kept)
    assert kept.__cause__ is cause


async def test_data_after_exception_is_dropped() -> None:
    stream, transport = make_stream(limit=2)
    stream.feed_data(b"12345")
    assert transport.calls == ["pause"]
    stream.set_exception(ValueError())
    assert transport.calls == ["pause", "resume"]
    stream.feed_data(b"more")
    assert "4 bytes" not in repr(stream)
    assert stream.total_bytes == 5


# -- read_nowait / unread_data --------------------------------------------


async def test_read_nowait() -> None:
    stream, _ = make_stream()
    assert stream.read_nowait() == b""
    stream.feed_data(b"abc")
    stream.feed_data(b"def")
    assert stream.read_nowait(4) == b"abcd"
    assert stream.read_nowait() == b"ef"
    assert stream.read_nowait() == b""


async def test_read_nowait_while_waiting() -> None:
    stream, _ = make_stream()
    task = asyncio.create_task(stream.read())
    await asyncio.sleep(0)
    with pytest.raises(RuntimeError, match="waiting"):
        stream.read_nowait()
    stream.feed_eof()
    await task


async def test_unread_data() -> None:
    stream, _ = make_stream()
    stream.feed_data(b"line1\nline2")
    line = await stream.readline()
    stream.unread_data(line)
    stream.unread_data(b"")
    assert await stream.read(3) == b"lin"
    stream.unread_data(b"LIN")
    stream.feed_eof()
    assert await stream.read() == b"LINe1\nline2"


async def test_unread_data_after_partial_piece() -> None:
    stream, _ = make_stream()
    stream.feed_data(b"abcdef")
    assert await stream.read(2) == b"ab"
    stream.unread_data(b"XY")
    stream.feed_eof()
    assert await stream.read() == b"XYcdef"


async def test_unread_data_keeps_chunk_boundaries() -> None:
    stream, _ = make_stream()
    stream.begin_http_chunk_receiving()
    stream.feed_data(b"abcd")
    stream.end_http_chunk_receiving()
    data = await stream.read(2)
    stream.unread_data(data)
    assert await stream.readchunk() == (b"abcd", True)


async def test_unread_data_does_not_wake_reader() -> None:
    stream, _ = make_stream()
    task = asyncio.create_task(stream.read())
    await asyncio.sleep(0)
    stream.unread_data(b"x")
    await asyncio.sleep(0)
    assert not task.done()
    stream.feed_eof()
    assert await task == b"x"


# -- eof ------------------------------------------------------------------


async def test_wait_eof() -> None:
    stream, _ = make_stream()
    task = asyncio.create_task(stream.wait_eof())
    await asyncio.sleep(0)
    assert not task.done()
    stream.feed_data(b"data")
    await asyncio.sleep(0)
    assert not task.done()
    stream.feed_eof()
    await task
    assert await stream.read() == b"data"
    await stream.wait_eof()


async def test_wait_eof_twice_concurrently() -> None:
    stream, _ = make_stream()
    task = asyncio.create_task(stream.wait_eof())
    await asyncio.sleep(0)
    with pytest.raises(RuntimeError, match="wait_eof"):
        await stream.wait_eof()
    stream.feed_eof()
    await task


async def test_on_eof() -> None:
    stream, _ = make_stream()
    calls: list[str] = []
    stream.on_eof(lambda: calls.append("first"))
    assert calls == []
    stream.feed_eof()
    assert calls == ["first"]
    stream.on_eof(lambda: calls.append("late"))
    assert calls == ["first", "late"]


async def test_on_eof_callback_error_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    stream, _ = make_stream()
    calls: list[int] = []

    def bad() -> None:
        raise ValueError("callback failed")

    stream.on_eof(bad)
    stream.on_eof(lambda: calls.append(1))
    with caplog.at_level(logging.ERROR, logger="aiohttp.internal"):
        stream.feed_eof()
        stream.on_eof(bad)
    assert calls == [1]
    assert [r.message for r in caplog.records] == ["Exception in eof callback"] * 2


async def test_on_eof_not_called_after_exception() -> None:
    stream, _ = make_stream()
    calls: list[int] = []
    stream.on_eof(lambda: calls.append(1))
    stream.set_exception(ValueError())
    stream.feed_eof()
    assert calls == []


# -- waiting --------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["read", "readany", "readline", "readchunk", "readexactly"]
)
async def test_only_one_waiter(name: str) -> None:
    stream, _ = make_stream()

    async def call() -> object:
        method = getattr(stream, name)
        return await (method(1) if name == "readexactly" else method())

    first = asyncio.create_task(call())
    await asyncio.sleep(0)
    with pytest.raises(RuntimeError, match="already waiting"):
        await call()
    stream.feed_data(b"x\n")
    stream.feed_eof()
    await first


async def test_cancelled_read_leaves_stream_usable() -> None:
    stream, _ = make_stream()
    task = asyncio.create_task(stream.read())
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    stream.feed_data(b"ok")
    assert await stream.read(2) == b"ok"


async def test_wait_runs_inside_timer() -> None:
    events: list[str] = []

    @contextlib.contextmanager
    def timer() -> Iterator[None]:
        events.append("enter")
        try:
            yield
        finally:
            events.append("exit")

    stream, _ = make_stream(timer=timer)
    stream.feed_data(b"ready")
    assert await stream.read(5) == b"ready"
    assert events == []
    task = asyncio.create_task(stream.read(1))
    await asyncio.sleep(0)
    assert events == ["enter"]
    stream.feed_data(b"x")
    assert await task == b"x"
    assert events == ["enter", "exit"]


async def test_timer_can_time_out_a_read() -> None:
    loop = asyncio.get_running_loop()

    @contextlib.contextmanager
    def timer() -> Iterator[None]:
        task = asyncio.current_task()
        assert task is not None
        handle = loop.call_later(0.01, task.cancel)
        try:
            yield
        except asyncio.CancelledError:
            raise TimeoutError from None
        finally:
            handle.cancel()

    stream, _ = make_stream(timer=timer)
    with pytest.raises(TimeoutError):
        await stream.read()


# -- flow control ---------------------------------------------------------


async def test_pauses_above_high_water_and_resumes_below_low() -> None:
    stream, transport = make_stream(limit=10)
    stream.feed_data(b"x" * 20)
    assert transport.calls == []
    stream.feed_data(b"x")
    assert transport.calls == ["pause"]
    stream.feed_data(b"x" * 5)
    assert transport.calls == ["pause"]
    await stream.read(16)
    assert transport.calls == ["pause"]
    await stream.read(1)
    assert transport.calls == ["pause", "resume"]


async def test_eof_resumes_reading() -> None:
    stream, transport = make_stream(limit=1)
    stream.feed_data(b"abc")
    assert transport.calls == ["pause"]
    stream.feed_eof()
    assert transport.calls == ["pause", "resume"]
    assert await stream.read() == b"abc"


async def test_readline_resumes_reading() -> None:
    stream, transport = make_stream(limit=4)
    stream.feed_data(b"ab\ncd\nef\n")
    assert transport.calls == ["pause"]
    assert await stream.readline() == b"ab\n"
    assert transport.calls == ["pause"]
    assert await stream.readline() == b"cd\n"
    assert transport.calls == ["pause", "resume"]


async def test_pause_does_not_wait_without_a_waiting_reader() -> None:
    stream, transport = make_stream(limit=10)
    reader = asyncio.create_task(stream.read(5))
    await asyncio.sleep(0)
    stream.feed_data(b"x" * 5)
    assert await reader == b"x" * 5
    # The reader ran: data it does not wait for pauses at once.
    stream.feed_data(b"x" * 21)
    assert transport.calls == ["pause"]


@pytest.mark.parametrize(("left", "calls"), [(20, []), (21, ["pause"])])
async def test_pause_waits_for_the_woken_reader(left: int, calls: list[str]) -> None:
    stream, transport = make_stream(limit=10)
    reader = asyncio.create_task(stream.read(30 - left))
    await asyncio.sleep(0)
    stream.feed_data(b"x" * 30)
    # The reader runs before the transport can read again: the pause is
    # decided once it did.
    assert transport.calls == []
    assert await reader == b"x" * (30 - left)
    await asyncio.sleep(0)
    assert transport.calls == calls
    assert stream._size == left


async def test_pause_waits_for_the_reader_over_several_feeds() -> None:
    stream, transport = make_stream(limit=10)
    reader = asyncio.create_task(stream.readany())
    await asyncio.sleep(0)
    for _ in range(4):
        stream.feed_data(b"x" * 8)
    assert transport.calls == []
    assert await reader == b"x" * 32
    await asyncio.sleep(0)
    assert transport.calls == []


async def test_no_deferred_pause_after_eof() -> None:
    stream, transport = make_stream(limit=10)
    reader = asyncio.create_task(stream.read(1))
    await asyncio.sleep(0)
    stream.feed_data(b"x" * 30)
    stream.feed_eof()
    assert await reader == b"x"
    await asyncio.sleep(0)
    assert transport.calls == []
    assert await stream.read() == b"x" * 29


async def test_no_deferred_pause_after_an_exception() -> None:
    stream, transport = make_stream(limit=10)
    reader = asyncio.create_task(stream.read(1))
    await asyncio.sleep(0)
    stream.feed_data(b"x" * 30)
    stream.set_exception(ValueError("boom"))
    with pytest.raises(ValueError, match="boom"):
        await reader
    await asyncio.sleep(0)
    assert transport.calls == []


async def test_cancelled_reader_does_not_defer_the_pause() -> None:
    stream, transport = make_stream(limit=10)
    reader = asyncio.create_task(stream.read(1))
    await asyncio.sleep(0)
    reader.cancel()
    with pytest.raises(asyncio.CancelledError):
        await reader
    stream.feed_data(b"x" * 21)
    assert transport.calls == ["pause"]


class CountingProtocol(BaseProtocol):
    def __init__(self, loop: asyncio.AbstractEventLoop, limit: int) -> None:
        super().__init__(loop)
        self.stream = StreamReader(self, limit, loop=loop)
        self.pauses = 0

    def pause_reading(self) -> None:
        self.pauses += 1
        super().pause_reading()

    def data_received(self, data: bytes) -> None:
        self.stream.feed_data(data)

    def eof_received(self) -> None:
        self.stream.feed_eof()


async def test_a_reader_that_keeps_up_never_pauses_the_transport() -> None:
    loop = asyncio.get_running_loop()
    limit = 2**12
    rsock, wsock = socket.socketpair()
    wsock.setblocking(False)
    protocol = CountingProtocol(loop, limit)
    transport, _ = await loop.create_connection(lambda: protocol, sock=rsock)
    payload = bytes(range(256)) * (8 * 2**10)

    async def receive() -> bytes:
        return b"".join([chunk async for chunk in protocol.stream.iter_chunked(limit)])

    async def send() -> None:
        await loop.sock_sendall(wsock, payload)
        wsock.shutdown(socket.SHUT_WR)

    reader = asyncio.create_task(receive())
    await asyncio.sleep(0)
    sender = asyncio.create_task(send())
    try:
        assert await reader == payload
        await sender
        # Reads far above the high-water mark came, but each one found the
        # reader waiting and it drained them before the transport read again.
        assert protocol.stream.total_bytes > 2 * limit
        assert protocol.pauses == 0
    finally:
        reader.cancel()
        sender.cancel()
        transport.close()
        wsock.close()


class ReaderProtocol(BaseProtocol):
    def __init__(self, loop: asyncio.AbstractEventLoop, limit: int) -> None:
        super().__init__(loop)
        self.stream = StreamReader(self, limit, loop=loop)

    def data_received(self, data: bytes) -> None:
        self.stream.feed_data(data)

    def eof_received(self) -> None:
        self.stream.feed_eof()


async def test_flow_control_on_a_real_socket() -> None:
    loop = asyncio.get_running_loop()
    limit = 2**14
    rsock, wsock = socket.socketpair()
    wsock.setblocking(False)
    protocol = ReaderProtocol(loop, limit)
    transport, _ = await loop.create_connection(lambda: protocol, sock=rsock)
    stream = protocol.stream
    payload = bytes(range(256)) * (4 * 2**10)

    async def send() -> None:
        await loop.sock_sendall(wsock, payload)
        wsock.shutdown(socket.SHUT_WR)

    sender = asyncio.create_task(send())
    try:
        for _ in range(500):
            if protocol.reading_paused:
                break
            await asyncio.sleep(0.001)
        assert protocol.reading_paused
        assert not transport.is_reading()
        # The transport reads at most 256 KiB at a time, so the buffer stops
        # growing within one read past the high-water mark.
        buffered = stream._size
        assert 2 * limit < buffered <= 2 * limit + 256 * 2**10
        await asyncio.sleep(0.02)
        assert stream._size == buffered

        received = [await stream.read(buffered - limit)]
        assert protocol.reading_paused
        received.append(await stream.read(1))
        assert not protocol.reading_paused
        assert transport.is_reading()

        received.append(await stream.read())
        assert b"".join(received) == payload
        await sender
    finally:
        sender.cancel()
        transport.close()
        wsock.close()


# -- EmptyStreamReader ----------------------------------------------------


async def test_empty_payload_reads() -> None:
    empty = EmptyStreamReader()
    assert isinstance(EMPTY_PAYLOAD, StreamReader)
    assert await empty.read() == b""
    assert await empty.read(10) == b""
    assert await empty.readany() == b""
    assert await empty.readline() == b""
    assert await empty.readuntil(b"--") == b""
    assert await empty.readexactly(0) == b""
    assert await empty.readchunk() == (b"", False)
    assert await empty.readchunk() == (b"", False)
    assert empty.read_nowait() == b""
    assert empty.read_nowait(3) == b""


async def test_empty_payload_errors() -> None:
    with pytest.raises(asyncio.IncompleteReadError) as info:
        await EMPTY_PAYLOAD.readexactly(3)
    assert info.value.partial == b""
    with pytest.raises(ValueError, match="less than zero"):
        await EMPTY_PAYLOAD.readexactly(-1)
    with pytest.raises(ValueError, match="Separator"):
        await EMPTY_PAYLOAD.readuntil(b"")
    with pytest.raises(RuntimeError, match="cannot hold data"):
        EMPTY_PAYLOAD.feed_data(b"x")
    with pytest.raises(RuntimeError, match="cannot hold data"):
        EMPTY_PAYLOAD.unread_data(b"x")


async def test_empty_payload_state() -> None:
    assert EMPTY_PAYLOAD.is_eof()
    assert EMPTY_PAYLOAD.at_eof()
    await EMPTY_PAYLOAD.wait_eof()
    assert EMPTY_PAYLOAD.exception() is None
    EMPTY_PAYLOAD.set_exception(ValueError())
    assert EMPTY_PAYLOAD.exception() is None
    assert await EMPTY_PAYLOAD.read() == b""
    EMPTY_PAYLOAD.feed_data(b"")
    EMPTY_PAYLOAD.unread_data(b"")
    EMPTY_PAYLOAD.feed_eof()
    EMPTY_PAYLOAD.begin_http_chunk_receiving()
    EMPTY_PAYLOAD.end_http_chunk_receiving()
    assert EMPTY_PAYLOAD.total_bytes == 0
    assert EMPTY_PAYLOAD.get_read_buffer_limits() == (0, 0)
    assert repr(EMPTY_PAYLOAD) == "<EmptyStreamReader>"


async def test_empty_payload_on_eof(caplog: pytest.LogCaptureFixture) -> None:
    calls: list[int] = []
    EMPTY_PAYLOAD.on_eof(lambda: calls.append(1))
    assert calls == [1]

    def bad() -> None:
        raise ValueError

    with caplog.at_level(logging.ERROR, logger="aiohttp.internal"):
        EMPTY_PAYLOAD.on_eof(bad)
    assert caplog.records[0].message == "Exception in eof callback"


async def test_empty_payload_iteration() -> None:
    assert [x async for x in EMPTY_PAYLOAD] == []
    assert [x async for x in EMPTY_PAYLOAD.iter_chunked(4)] == []
    assert [x async for x in EMPTY_PAYLOAD.iter_any()] == []
    assert [x async for x in EMPTY_PAYLOAD.iter_chunks()] == []


# -- DataQueue ------------------------------------------------------------


async def test_data_queue_read() -> None:
    queue: DataQueue[str] = DataQueue(asyncio.get_running_loop())
    queue.feed_data("a")
    queue.feed_data("b")
    assert len(queue) == 2
    assert await queue.read() == "a"
    assert await queue.read() == "b"
    task = asyncio.create_task(queue.read())
    await asyncio.sleep(0)
    assert not task.done()
    queue.feed_data("c")
    assert await task == "c"


async def test_data_queue_eof() -> None:
    queue: DataQueue[int] = DataQueue(asyncio.get_running_loop())
    assert not queue.is_eof()
    queue.feed_data(1)
    queue.feed_eof()
    assert queue.is_eof()
    assert not queue.at_eof()
    assert await queue.read() == 1
    assert queue.at_eof()
    with pytest.raises(EofStream):
        await queue.read()
    with pytest.raises(RuntimeError, match="after feed_eof"):
        queue.feed_data(2)


async def test_data_queue_eof_wakes_reader() -> None:
    queue: DataQueue[int] = DataQueue(asyncio.get_running_loop())
    task = asyncio.create_task(queue.read())
    await asyncio.sleep(0)
    queue.feed_eof()
    with pytest.raises(EofStream):
        await task


async def test_data_queue_exception() -> None:
    queue: DataQueue[int] = DataQueue(asyncio.get_running_loop())
    assert queue.exception() is None
    queue.feed_data(1)
    cause = OSError("socket")
    exc = ValueError("broken")
    queue.set_exception(exc, cause)
    assert queue.exception() is exc
    assert exc.__cause__ is cause
    assert queue.is_eof()
    queue.feed_data(2)
    assert await queue.read() == 1
    with pytest.raises(ValueError, match="broken"):
        await queue.read()


async def test_data_queue_exception_wakes_reader() -> None:
    queue: DataQueue[int] = DataQueue(asyncio.get_running_loop())
    task = asyncio.create_task(queue.read())
    await asyncio.sleep(0)
    queue.set_exception(ConnectionResetError())
    with pytest.raises(ConnectionResetError):
        await task


async def test_data_queue_only_one_waiter() -> None:
    queue: DataQueue[int] = DataQueue(asyncio.get_running_loop())
    task = asyncio.create_task(queue.read())
    await asyncio.sleep(0)
    with pytest.raises(RuntimeError, match="waiting"):
        await queue.read()
    queue.feed_data(5)
    assert await task == 5


async def test_data_queue_cancelled_read() -> None:
    queue: DataQueue[int] = DataQueue(asyncio.get_running_loop())
    task = asyncio.create_task(queue.read())
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    queue.feed_data(7)
    assert await queue.read() == 7


async def test_data_queue_iteration() -> None:
    queue: DataQueue[bytes] = DataQueue(asyncio.get_running_loop())

    async def produce() -> None:
        for item in (b"", b"x", b"y"):
            await asyncio.sleep(0)
            queue.feed_data(item)
        queue.feed_eof()

    producer = asyncio.create_task(produce())
    # Falsy items do not end the iteration; only the end of the queue does.
    assert [item async for item in queue] == [b"", b"x", b"y"]
    await producer


async def test_data_queue_repr() -> None:
    queue: DataQueue[int] = DataQueue(asyncio.get_running_loop())
    queue.feed_data(1)
    assert repr(queue) == "<DataQueue 1 items>"
    queue.set_exception(ValueError("x"))
    assert repr(queue) == "<DataQueue 1 items eof e=ValueError('x')>"
