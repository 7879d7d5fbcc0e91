"""The frame writer: layout, masking, compression; round trips via the reader."""

from __future__ import annotations

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


def test_control_limits() -> None:
    writer = WebSocketWriter(is_client=False)
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
    reader_cls: type[WebSocketReaderPy], deflate: DeflateParams | None, is_client: bool
) -> None:
    writer = WebSocketWriter(is_client=is_client, deflate=deflate)
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
