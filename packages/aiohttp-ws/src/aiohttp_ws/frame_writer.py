"""Sans-I/O writer of RFC 6455 frames: messages in, bytes out.

``WebSocketWriter`` turns each message into the bytes of one frame, masked
when it is the client's (RFC 6455 5.3) and compressed when
permessage-deflate was agreed; the caller sends the bytes.  ``build_frame``
is the frame layout alone, for any opcode and flags.
"""

from __future__ import annotations

import os
import zlib
from typing import Final

from .deflate import Deflater
from .extensions import DeflateParams
from .mask import websocket_mask
from .models import WSMsgType

__all__ = ("WebSocketWriter", "build_frame", "close_payload")

_MAX_CONTROL_PAYLOAD: Final = 125
_CONTROL: Final = frozenset((WSMsgType.CLOSE, WSMsgType.PING, WSMsgType.PONG))
_DATA: Final = frozenset((WSMsgType.TEXT, WSMsgType.BINARY, WSMsgType.CONTINUATION))


def build_frame(
    opcode: int,
    payload: bytes | bytearray | memoryview,
    *,
    fin: bool = True,
    rsv1: bool = False,
    mask: bytes | None = None,
) -> bytes:
    """The bytes of one frame; ``mask`` (4 bytes) masks the payload."""
    first = (0x80 if fin else 0) | (0x40 if rsv1 else 0) | (opcode & 0x0F)
    size = len(payload)
    mask_bit = 0x80 if mask is not None else 0
    if size < 126:
        head = bytes((first, mask_bit | size))
    elif size < 1 << 16:
        head = bytes((first, mask_bit | 126)) + size.to_bytes(2, "big")
    else:
        head = bytes((first, mask_bit | 127)) + size.to_bytes(8, "big")
    if mask is None:
        return head + payload
    body = bytearray(payload)
    websocket_mask(mask, body)
    return head + mask + body


def close_payload(code: int, reason: bytes | str = b"") -> bytes:
    """The payload of a CLOSE frame: the code, then the UTF-8 reason."""
    if isinstance(reason, str):
        reason = reason.encode("utf-8")
    payload = code.to_bytes(2, "big") + reason
    if len(payload) > _MAX_CONTROL_PAYLOAD:
        raise ValueError(
            f"A close reason may have 123 bytes at most, not {len(reason)}"
        )
    return payload


class WebSocketWriter:
    """Frames the messages of one side of a WebSocket."""

    __slots__ = ("_deflater", "_is_client")

    def __init__(
        self,
        *,
        is_client: bool,
        deflate: DeflateParams | None = None,
        level: int = zlib.Z_DEFAULT_COMPRESSION,
    ) -> None:
        self._is_client = is_client
        self._deflater: Deflater | None = None
        if deflate is not None:
            is_server = not is_client
            self._deflater = Deflater(
                window_bits=deflate.send_window_bits(is_server),
                no_context_takeover=deflate.send_no_context_takeover(is_server),
                level=level,
            )

    @property
    def compress(self) -> bool:
        """True when permessage-deflate was agreed."""
        return self._deflater is not None

    def frame(
        self,
        opcode: int,
        payload: bytes | bytearray | memoryview,
        *,
        compress: int | None = None,
    ) -> bytes:
        """The bytes of a whole message (or control frame) with ``opcode``.

        ``compress`` is the zlib level of this message (0: not compressed;
        None: the connection's); it only matters when deflate was agreed.
        Control payloads over 125 bytes raise ``ValueError``.
        """
        if opcode in _CONTROL:
            if len(payload) > _MAX_CONTROL_PAYLOAD:
                raise ValueError(
                    f"A control frame payload has 125 bytes at most, not {len(payload)}"
                )
        elif opcode not in _DATA:
            raise ValueError(f"Not a frame opcode: {opcode!r}")
        rsv1 = False
        deflater = self._deflater
        if deflater is not None and compress != 0 and opcode not in _CONTROL:
            payload = deflater.compress(payload, compress)
            rsv1 = True
        mask = os.urandom(4) if self._is_client else None
        return build_frame(opcode, payload, rsv1=rsv1, mask=mask)

    def close(self, code: int, reason: bytes | str = b"") -> bytes:
        """The bytes of a CLOSE frame."""
        return self.frame(WSMsgType.CLOSE, close_payload(code, reason))
