"""The frame reader, both twins: messages, fragmentation, limits, bad input.

Every case is fed whole and byte by byte: the result must not depend on
how the bytes were split.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

import pytest

from aiohttp_ws import (
    NO_STATUS_RECEIVED,
    DeflateParams,
    WebSocketError,
    WebSocketWriter,
    WSCloseCode,
    WSMessage,
    WSMsgType,
    build_frame,
    close_payload,
)
from aiohttp_ws.reader import WebSocketReaderPy

MASK = b"\x12\x34\x56\x78"
DEFLATE = DeflateParams()

Reader = type[WebSocketReaderPy]


def cframe(opcode: int, payload: bytes, **kwargs: object) -> bytes:
    """A client frame (masked)."""
    return build_frame(opcode, payload, mask=MASK, **kwargs)  # type: ignore[arg-type]


def compressed(data: bytes) -> bytes:
    comp = zlib.compressobj(wbits=-15)
    out = comp.compress(data) + comp.flush(zlib.Z_SYNC_FLUSH)
    assert out.endswith(b"\x00\x00\xff\xff")
    return out[:-4]


def splits(data: bytes) -> Iterator[list[bytes]]:
    yield [data]
    yield [data[i : i + 1] for i in range(len(data))]


def feed_all(reader: WebSocketReaderPy, chunks: list[bytes]) -> list[WSMessage]:
    out: list[WSMessage] = []
    for chunk in chunks:
        out += reader.feed_data(chunk)
        if out and out[-1].type is WSMsgType.ERROR:
            break
    return out


def read(reader_cls: Reader, data: bytes, **kwargs: object) -> list[list[WSMessage]]:
    """The messages of ``data``, fed whole and byte by byte (must agree)."""
    options = {"is_server": True, **kwargs}
    results = []
    for chunks in splits(data):
        reader = reader_cls(**options)  # type: ignore[arg-type]
        results.append(feed_all(reader, chunks))
    return results


def read_one_way(reader_cls: Reader, data: bytes, **kwargs: object) -> list[WSMessage]:
    whole, bytewise = read(reader_cls, data, **kwargs)
    assert [m.type for m in whole] == [m.type for m in bytewise]
    if whole and whole[-1].type is WSMsgType.ERROR:
        assert whole[-1].data.code == bytewise[-1].data.code
        return whole
    assert whole == bytewise
    return whole


def error_code(messages: list[WSMessage]) -> int:
    last = messages[-1]
    assert last.type is WSMsgType.ERROR, messages
    assert isinstance(last.data, WebSocketError)
    return last.data.code


# -- good input -------------------------------------------------------------


@pytest.mark.parametrize("size", [0, 1, 125, 126, 65535, 65536, 70000])
def test_lengths(reader_cls: Reader, size: int) -> None:
    payload = bytes(range(256)) * (size // 256 + 1)
    payload = payload[:size]
    out = read_one_way(reader_cls, cframe(WSMsgType.BINARY, payload))
    assert out == [WSMessage(WSMsgType.BINARY, payload, None)]


def test_text_and_control_frames(reader_cls: Reader) -> None:
    data = (
        cframe(WSMsgType.TEXT, "h\u00e9llo \U0001f600".encode())
        + cframe(WSMsgType.PING, b"ping")
        + cframe(WSMsgType.PONG, b"pong")
        + cframe(WSMsgType.CLOSE, close_payload(1000, "bye \u00e9"))
    )
    assert read_one_way(reader_cls, data) == [
        WSMessage(WSMsgType.TEXT, "h\u00e9llo \U0001f600", None),
        WSMessage(WSMsgType.PING, b"ping", None),
        WSMessage(WSMsgType.PONG, b"pong", None),
        WSMessage(WSMsgType.CLOSE, 1000, "bye \u00e9"),
    ]


def test_fragments_with_control_frames_between(reader_cls: Reader) -> None:
    text = "\u00e9t\u00e9".encode()  # a 2-byte character split over frames
    data = (
        cframe(WSMsgType.TEXT, text[:1], fin=False)
        + cframe(WSMsgType.PING, b"1")
        + cframe(WSMsgType.CONTINUATION, text[1:4], fin=False)
        + cframe(WSMsgType.PONG, b"2")
        + cframe(WSMsgType.CONTINUATION, text[4:])
        + cframe(WSMsgType.BINARY, b"ab", fin=False)
        + cframe(WSMsgType.CONTINUATION, b"")
    )
    assert read_one_way(reader_cls, data) == [
        WSMessage(WSMsgType.PING, b"1", None),
        WSMessage(WSMsgType.PONG, b"2", None),
        WSMessage(WSMsgType.TEXT, "\u00e9t\u00e9", None),
        WSMessage(WSMsgType.BINARY, b"ab", None),
    ]


def test_close_without_payload(reader_cls: Reader) -> None:
    out = read_one_way(reader_cls, cframe(WSMsgType.CLOSE, b""))
    assert out == [WSMessage(WSMsgType.CLOSE, NO_STATUS_RECEIVED, "")]


@pytest.mark.parametrize("code", [1000, 1003, 1007, 1011, 1014, 3000, 4999])
def test_valid_close_codes(reader_cls: Reader, code: int) -> None:
    out = read_one_way(reader_cls, cframe(WSMsgType.CLOSE, close_payload(code)))
    assert out == [WSMessage(WSMsgType.CLOSE, code, "")]


def test_bytes_after_close_are_ignored(reader_cls: Reader) -> None:
    reader = reader_cls(is_server=True)
    out = reader.feed_data(
        cframe(WSMsgType.CLOSE, close_payload(1001)) + b"\xff\xff garbage"
    )
    assert out == [WSMessage(WSMsgType.CLOSE, 1001, "")]
    assert reader.closed
    assert reader.feed_data(b"more") == []
    assert reader.feed_eof() == []


def test_client_side_reads_unmasked_frames(reader_cls: Reader) -> None:
    data = build_frame(WSMsgType.TEXT, b"hi")
    out = read_one_way(reader_cls, data, is_server=False)
    assert out == [WSMessage(WSMsgType.TEXT, "hi", None)]


def test_compressed_messages_with_context_takeover(reader_cls: Reader) -> None:
    writer = WebSocketWriter(is_client=True, deflate=DEFLATE)
    data = b"".join(
        writer.frame(WSMsgType.TEXT, b"hello hello hello") for _ in range(3)
    ) + writer.frame(WSMsgType.BINARY, b"")
    out = read_one_way(reader_cls, data, deflate=DEFLATE)
    assert out == [WSMessage(WSMsgType.TEXT, "hello hello hello", None)] * 3 + [
        WSMessage(WSMsgType.BINARY, b"", None)
    ]


def test_compressed_fragments_and_uncompressed_message(reader_cls: Reader) -> None:
    body = compressed(b"x" * 1000)
    data = (
        cframe(WSMsgType.BINARY, body[:3], fin=False, rsv1=True)
        + cframe(WSMsgType.PING, b"")
        + cframe(WSMsgType.CONTINUATION, body[3:])
        + cframe(WSMsgType.BINARY, b"plain")
    )
    out = read_one_way(reader_cls, data, deflate=DEFLATE)
    assert out == [
        WSMessage(WSMsgType.PING, b"", None),
        WSMessage(WSMsgType.BINARY, b"x" * 1000, None),
        WSMessage(WSMsgType.BINARY, b"plain", None),
    ]


def test_client_no_context_takeover(reader_cls: Reader) -> None:
    params = DeflateParams(client_no_context_takeover=True)
    writer = WebSocketWriter(is_client=True, deflate=params)
    data = writer.frame(WSMsgType.TEXT, b"abc abc") * 1 + writer.frame(
        WSMsgType.TEXT, b"abc abc"
    )
    out = read_one_way(reader_cls, data, deflate=params)
    assert out == [WSMessage(WSMsgType.TEXT, "abc abc", None)] * 2


# -- bad input --------------------------------------------------------------

BAD_FRAMES = {
    "unmasked client frame": (build_frame(WSMsgType.TEXT, b"hi"), 1002),
    "rsv1 without deflate": (cframe(WSMsgType.TEXT, b"hi", rsv1=True), 1002),
    "rsv2": (b"\xa1\x80" + MASK, 1002),
    "rsv3": (b"\x91\x80" + MASK, 1002),
    "unknown data opcode": (b"\x83\x80" + MASK, 1002),
    "unknown control opcode": (b"\x8b\x80" + MASK, 1002),
    "fragmented ping": (cframe(WSMsgType.PING, b"x", fin=False), 1002),
    "fragmented close": (cframe(WSMsgType.CLOSE, b"", fin=False), 1002),
    "ping of 126 bytes": (cframe(WSMsgType.PING, b"x" * 126), 1002),
    "continuation first": (cframe(WSMsgType.CONTINUATION, b"x"), 1002),
    "new message inside a fragmented one": (
        cframe(WSMsgType.TEXT, b"a", fin=False) + cframe(WSMsgType.TEXT, b"b"),
        1002,
    ),
    "64-bit length with the top bit": (
        b"\x82\xff" + b"\x80" + b"\x00" * 7 + MASK,
        1002,
    ),
    "invalid utf-8": (cframe(WSMsgType.TEXT, b"\xc3\x28"), 1007),
    "utf-8 cut at the end": (cframe(WSMsgType.TEXT, b"ab\xe2\x82"), 1007),
    "surrogate in utf-8": (cframe(WSMsgType.TEXT, b"\xed\xa0\x80"), 1007),
    "invalid utf-8 in a close reason": (
        cframe(WSMsgType.CLOSE, b"\x03\xe8\xff"),
        1007,
    ),
    "close with 1 byte": (cframe(WSMsgType.CLOSE, b"\x03"), 1002),
    "close code 999": (cframe(WSMsgType.CLOSE, close_payload(999)), 1002),
    "close code 1004": (cframe(WSMsgType.CLOSE, close_payload(1004)), 1002),
    "close code 1005": (cframe(WSMsgType.CLOSE, close_payload(1005)), 1002),
    "close code 1006": (cframe(WSMsgType.CLOSE, close_payload(1006)), 1002),
    "close code 1015": (cframe(WSMsgType.CLOSE, close_payload(1015)), 1002),
    "close code 2999": (cframe(WSMsgType.CLOSE, close_payload(2999)), 1002),
    "close code 5000": (cframe(WSMsgType.CLOSE, close_payload(5000)), 1002),
}


@pytest.mark.parametrize("case", BAD_FRAMES)
def test_bad_frames(reader_cls: Reader, case: str) -> None:
    data, code = BAD_FRAMES[case]
    out = read_one_way(reader_cls, data)
    assert error_code(out) == code


def test_invalid_utf8_fails_before_the_message_ends(reader_cls: Reader) -> None:
    reader = reader_cls(is_server=True)
    out = reader.feed_data(cframe(WSMsgType.TEXT, b"ok\xff", fin=False))
    assert error_code(out) == WSCloseCode.INVALID_TEXT


def test_masked_server_frame_is_refused_by_a_client(reader_cls: Reader) -> None:
    out = read_one_way(reader_cls, cframe(WSMsgType.TEXT, b"hi"), is_server=False)
    assert error_code(out) == WSCloseCode.PROTOCOL_ERROR


def test_rsv1_on_continuation_is_refused(reader_cls: Reader) -> None:
    data = cframe(WSMsgType.BINARY, compressed(b"ab"), fin=False, rsv1=True)
    data += cframe(WSMsgType.CONTINUATION, b"", rsv1=True)
    assert error_code(read_one_way(reader_cls, data, deflate=DEFLATE)) == 1002


def test_rsv1_on_control_frame_is_refused(reader_cls: Reader) -> None:
    data = cframe(WSMsgType.PING, b"", rsv1=True)
    assert error_code(read_one_way(reader_cls, data, deflate=DEFLATE)) == 1002


def test_broken_deflate_data(reader_cls: Reader) -> None:
    data = cframe(WSMsgType.BINARY, b"\xff\xff\xff\xff", rsv1=True)
    assert error_code(read_one_way(reader_cls, data, deflate=DEFLATE)) == 1002


def test_messages_before_an_error_are_kept(reader_cls: Reader) -> None:
    reader = reader_cls(is_server=True)
    out = reader.feed_data(
        cframe(WSMsgType.TEXT, b"good") + build_frame(WSMsgType.TEXT, b"bad")
    )
    assert out[0] == WSMessage(WSMsgType.TEXT, "good", None)
    assert error_code(out) == 1002
    with pytest.raises(RuntimeError):
        reader.feed_data(b"x")


def test_eof_without_close_is_abnormal(reader_cls: Reader) -> None:
    reader = reader_cls(is_server=True)
    assert reader.feed_data(cframe(WSMsgType.TEXT, b"half")[:5]) == []
    assert error_code(reader.feed_eof()) == WSCloseCode.ABNORMAL_CLOSURE
    with pytest.raises(RuntimeError):
        reader.feed_data(b"x")


# -- limits -----------------------------------------------------------------

LIMIT = 1000


@pytest.mark.parametrize(
    ("size", "ok"), [(LIMIT - 1, True), (LIMIT, True), (LIMIT + 1, False)]
)
def test_max_msg_size_single_frame(reader_cls: Reader, size: int, ok: bool) -> None:
    data = cframe(WSMsgType.BINARY, b"x" * size)
    out = read_one_way(reader_cls, data, max_msg_size=LIMIT)
    if ok:
        assert out == [WSMessage(WSMsgType.BINARY, b"x" * size, None)]
    else:
        assert error_code(out) == WSCloseCode.MESSAGE_TOO_BIG


@pytest.mark.parametrize(("size", "ok"), [(LIMIT, True), (LIMIT + 1, False)])
def test_max_msg_size_over_fragments(reader_cls: Reader, size: int, ok: bool) -> None:
    data = cframe(WSMsgType.TEXT, b"a" * 600, fin=False) + cframe(
        WSMsgType.CONTINUATION, b"a" * (size - 600)
    )
    out = read_one_way(reader_cls, data, max_msg_size=LIMIT)
    if ok:
        assert out == [WSMessage(WSMsgType.TEXT, "a" * size, None)]
    else:
        assert error_code(out) == WSCloseCode.MESSAGE_TOO_BIG


def test_max_msg_size_zero_means_no_limit(reader_cls: Reader) -> None:
    data = cframe(WSMsgType.BINARY, b"x" * 100_000)
    out = read_one_way(reader_cls, data, max_msg_size=0)
    assert out[0].data == b"x" * 100_000


def test_announced_length_over_limit_fails_before_payload(reader_cls: Reader) -> None:
    """A huge length whose payload dribbles in is refused at its header."""
    reader = reader_cls(is_server=True, max_msg_size=LIMIT)
    head = b"\x82\xff" + (2**62).to_bytes(8, "big") + MASK
    out = reader.feed_data(head)
    assert error_code(out) == WSCloseCode.MESSAGE_TOO_BIG


def test_dribbling_payload_within_limit_is_read(reader_cls: Reader) -> None:
    reader = reader_cls(is_server=True, max_msg_size=LIMIT)
    data = cframe(WSMsgType.BINARY, b"y" * LIMIT)
    out: list[WSMessage] = []
    for i in range(0, len(data), 10):
        out += reader.feed_data(data[i : i + 10])
    assert out == [WSMessage(WSMsgType.BINARY, b"y" * LIMIT, None)]
    assert len(reader._buf) == 0


@pytest.mark.parametrize(("size", "ok"), [(LIMIT, True), (LIMIT + 1, False)])
def test_max_msg_size_after_decompression(
    reader_cls: Reader, size: int, ok: bool
) -> None:
    data = cframe(WSMsgType.BINARY, compressed(b"z" * size), rsv1=True)
    out = read_one_way(reader_cls, data, max_msg_size=LIMIT, deflate=DEFLATE)
    if ok:
        assert out == [WSMessage(WSMsgType.BINARY, b"z" * size, None)]
    else:
        assert error_code(out) == WSCloseCode.MESSAGE_TOO_BIG


def test_decompression_bomb_is_stopped_while_inflating(reader_cls: Reader) -> None:
    """16 MiB of zeros compress to 16 KiB; the reader never inflates them all."""
    comp = zlib.compressobj(wbits=-15)
    chunk = comp.compress(b"\x00" * (16 * 2**20))
    bomb = chunk + comp.flush(zlib.Z_SYNC_FLUSH)
    reader = reader_cls(is_server=True, max_msg_size=LIMIT, deflate=DEFLATE)
    # Announce a frame far larger than what is sent: the error comes at once.
    head = b"\xc2\xff" + (len(bomb) * 16).to_bytes(8, "big") + MASK
    out = reader.feed_data(head + bytes(cframe(0, bomb)[-len(bomb) :]))
    assert error_code(out) == WSCloseCode.MESSAGE_TOO_BIG


# -- payloads spanning reads ------------------------------------------------------

#: The compiled reader allocates a whole binary message of up to 1 MiB when
#: its header arrives; larger ones grow as their bytes do.  Both sides of
#: that line must read the same.
DIRECT_MAX = 1 << 20


@pytest.mark.parametrize("size", [DIRECT_MAX - 1, DIRECT_MAX, DIRECT_MAX + 1])
@pytest.mark.parametrize("piece", [4093, 65536])
def test_binary_in_pieces_around_the_preallocation_limit(
    reader_cls: Reader, size: int, piece: int
) -> None:
    payload = bytes(range(251)) * (size // 251 + 1)
    payload = payload[:size]
    data = cframe(WSMsgType.BINARY, payload) + cframe(WSMsgType.TEXT, b"next")
    reader = reader_cls(is_server=True, max_msg_size=0)
    out: list[WSMessage] = []
    for i in range(0, len(data), piece):
        out += reader.feed_data(data[i : i + piece])
    assert out == [
        WSMessage(WSMsgType.BINARY, payload, None),
        WSMessage(WSMsgType.TEXT, "next", None),
    ]


def test_binary_in_pieces_with_the_limit_one_byte_over(reader_cls: Reader) -> None:
    data = cframe(WSMsgType.BINARY, b"q" * (LIMIT + 1))
    reader = reader_cls(is_server=True, max_msg_size=LIMIT)
    # The 8-byte header alone is refused: no payload byte is needed.
    assert error_code(reader.feed_data(data[:8])) == WSCloseCode.MESSAGE_TOO_BIG


def test_control_frame_between_pieces_of_a_fragmented_binary(
    reader_cls: Reader,
) -> None:
    data = (
        cframe(WSMsgType.BINARY, b"a" * 3000, fin=False)
        + cframe(WSMsgType.PING, b"p" * 125)
        + cframe(WSMsgType.CONTINUATION, b"b" * 3001)
    )
    reader = reader_cls(is_server=True)
    out: list[WSMessage] = []
    for i in range(0, len(data), 777):
        out += reader.feed_data(data[i : i + 777])
    assert out == [
        WSMessage(WSMsgType.PING, b"p" * 125, None),
        WSMessage(WSMsgType.BINARY, b"a" * 3000 + b"b" * 3001, None),
    ]


def test_data_of_any_buffer_type(reader_cls: Reader) -> None:
    data = cframe(WSMsgType.TEXT, b"hi") + cframe(WSMsgType.BINARY, b"yo")
    reader = reader_cls(is_server=True)
    assert reader.feed_data(bytearray(data[:5])) == []
    assert reader.feed_data(memoryview(data[5:])) == [
        WSMessage(WSMsgType.TEXT, "hi", None),
        WSMessage(WSMsgType.BINARY, b"yo", None),
    ]
