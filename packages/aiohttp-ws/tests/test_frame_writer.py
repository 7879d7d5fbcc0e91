"""The frame writer: layout, masking, compression; round trips via the reader."""

from __future__ import annotations

import array
import os

import pytest

from aiohttp_ws import (
    DeflateParams,
    WebSocketWriter,
    WSMessage,
    WSMsgType,
    build_frame,
    close_payload,
)
from aiohttp_ws.reader import WebSocketReaderPy


@pytest.mark.parametrize(
    ("size", "head"),
    [
        (0, b"\x82\x00"),
        (125, b"\x82\x7d"),
        (126, b"\x82\x7e\x00\x7e"),
        (65535, b"\x82\x7e\xff\xff"),
        (65536, b"\x82\x7f\x00\x00\x00\x00\x00\x01\x00\x00"),
    ],
)
def test_layout(size: int, head: bytes) -> None:
    frame = build_frame(WSMsgType.BINARY, b"x" * size)
    assert frame == head + b"x" * size


def test_flags_and_mask() -> None:
    frame = build_frame(WSMsgType.TEXT, b"abcd", fin=False, rsv1=True, mask=b"\x01" * 4)
    assert frame == b"\x41\x84\x01\x01\x01\x01`cbe"


@pytest.mark.parametrize("is_client", [True, False])
@pytest.mark.parametrize(
    "view",
    [
        memoryview(array.array("i", [1, 2, 3])),  # items of 4 bytes
        memoryview(b"0123456789")[::2],  # not contiguous
        memoryview(bytes(range(200))).cast("b"),  # signed octets
        memoryview(bytes(range(24))).cast("B", (2, 12)),  # two dimensions
    ],
)
def test_memoryview_payload_is_sent_as_its_bytes(
    writer_cls: type[WebSocketWriter],
    reader_cls: type[WebSocketReaderPy],
    view: memoryview,
    is_client: bool,
) -> None:
    writer = writer_cls(is_client=is_client)
    reader = reader_cls(is_server=is_client)
    [message] = reader.feed_data(writer.frame(WSMsgType.BINARY, view))
    assert message.data == view.tobytes()


def test_control_limits(writer_cls: type[WebSocketWriter]) -> None:
    writer = writer_cls(is_client=False)
    assert len(writer.frame(WSMsgType.PING, b"p" * 125)) == 127
    with pytest.raises(ValueError, match="125 bytes"):
        writer.frame(WSMsgType.PING, b"p" * 126)
    assert len(close_payload(1000, "r" * 123)) == 125
    with pytest.raises(ValueError, match="123 bytes"):
        close_payload(1000, "r" * 124)
    with pytest.raises(ValueError, match="opcode"):
        writer.frame(0x3, b"")


@pytest.mark.parametrize("deflate", [None, DeflateParams(), DeflateParams(True, True)])
@pytest.mark.parametrize("is_client", [True, False])
def test_round_trip(
    writer_cls: type[WebSocketWriter],
    reader_cls: type[WebSocketReaderPy],
    deflate: DeflateParams | None,
    is_client: bool,
) -> None:
    writer = writer_cls(is_client=is_client, deflate=deflate)
    reader = reader_cls(is_server=is_client, deflate=deflate)
    data = (
        writer.frame(WSMsgType.TEXT, "\u00e9t\u00e9".encode())
        + writer.frame(WSMsgType.BINARY, b"\x00" * 70000, compress=1)
        + writer.frame(WSMsgType.BINARY, b"plain", compress=0)
        + writer.frame(WSMsgType.PING, b"ping")
        + writer.close(4000, "end")
    )
    assert reader.feed_data(data) == [
        WSMessage(WSMsgType.TEXT, "\u00e9t\u00e9", None),
        WSMessage(WSMsgType.BINARY, b"\x00" * 70000, None),
        WSMessage(WSMsgType.BINARY, b"plain", None),
        WSMessage(WSMsgType.PING, b"ping", None),
        WSMessage(WSMsgType.CLOSE, 4000, "end"),
    ]
    assert writer.compress is (deflate is not None)


def _mask_of(frame: bytes) -> bytes:
    """The masking key of a client frame with a payload under 126 bytes."""
    return bytes(frame[2:6])


def test_client_masks_are_fresh_across_blocks(
    writer_cls: type[WebSocketWriter],
) -> None:
    writer = writer_cls(is_client=True)
    reader = WebSocketReaderPy(is_server=True)
    # Three blocks' worth: every frame still reads back, and the masks keep
    # changing (a repeat of the same 4 random bytes 3000 times is 2**-32-ish
    # per pair, not a flake).
    frames = [writer.frame(WSMsgType.BINARY, b"%d" % i) for i in range(3000)]
    masks = [_mask_of(frame) for frame in frames]
    assert len(set(masks)) > 2900
    out = reader.feed_data(b"".join(frames))
    assert [m.data for m in out] == [b"%d" % i for i in range(3000)]


def test_server_frames_are_not_masked(writer_cls: type[WebSocketWriter]) -> None:
    writer = writer_cls(is_client=False)
    assert writer.frame(WSMsgType.TEXT, b"hi") == b"\x81\x02hi"


SIZES = [0, 1, 125, 126, 127, 65535, 65536, 70001]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize(
    "opcode", [WSMsgType.TEXT, WSMsgType.BINARY, WSMsgType.CONTINUATION]
)
@pytest.mark.parametrize("kind", [bytes, bytearray, memoryview])
def test_server_frame_is_the_layout(
    writer_cls: type[WebSocketWriter], size: int, opcode: WSMsgType, kind: type
) -> None:
    payload = bytes(range(256)) * (size // 256) + bytes(size % 256)
    frame = writer_cls(is_client=False).frame(opcode, kind(payload))
    assert type(frame) is bytes
    assert frame == build_frame(opcode, payload)


@pytest.mark.parametrize("size", SIZES)
def test_client_frame_is_the_layout_with_its_mask(
    writer_cls: type[WebSocketWriter], size: int
) -> None:
    payload = bytes(range(256)) * (size // 256) + bytes(size % 256)
    frame = writer_cls(is_client=True).frame(WSMsgType.BINARY, payload)
    head = 2 if size < 126 else 4 if size < 65536 else 10
    mask = frame[head : head + 4]
    assert frame == build_frame(WSMsgType.BINARY, payload, mask=mask)


@pytest.mark.parametrize("opcode", [WSMsgType.PING, WSMsgType.PONG, WSMsgType.CLOSE])
def test_control_frames_at_the_limit(
    writer_cls: type[WebSocketWriter], opcode: WSMsgType
) -> None:
    writer = writer_cls(is_client=False)
    assert writer.frame(opcode, b"c" * 125) == build_frame(opcode, b"c" * 125)
    with pytest.raises(ValueError, match="125 bytes at most, not 126"):
        writer.frame(opcode, b"c" * 126)


@pytest.mark.parametrize("opcode", [3, 7, 11, 15, 16, -1, "1", None])
def test_not_an_opcode(writer_cls: type[WebSocketWriter], opcode: object) -> None:
    with pytest.raises(ValueError, match="Not a frame opcode"):
        writer_cls(is_client=False).frame(opcode, b"")  # type: ignore[arg-type]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_draws_its_own_masks(
    writer_cls: type[WebSocketWriter],
) -> None:
    writer = writer_cls(is_client=True)
    writer.frame(WSMsgType.BINARY, b"")  # draw the parent's block
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report its next masks, then leave at once
        try:
            os.close(read_end)
            masks = b"".join(
                _mask_of(writer.frame(WSMsgType.BINARY, b"")) for _ in range(8)
            )
            os.write(write_end, masks)
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        child = pipe.read()
    os.waitpid(pid, 0)
    parent = b"".join(_mask_of(writer.frame(WSMsgType.BINARY, b"")) for _ in range(8))
    assert len(child) == 32
    assert child != parent
