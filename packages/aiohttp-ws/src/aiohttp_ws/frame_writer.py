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
from .mask import masked
from .models import WSMsgType

__all__ = ("WebSocketWriter", "build_frame", "close_payload")

_MAX_CONTROL_PAYLOAD: Final = 125
#: Bytes of randomness drawn at once for the masks of a client's frames:
#: 1024 frames per ``os.urandom`` call instead of one each.
_MASK_BLOCK: Final = 4096

# The process the mask blocks were drawn in.  A forked child must not send
# the masks its parent sends, so a writer refills its block when this
# changes; it is kept up to date at fork rather than asked per frame
# (os.getpid() is a system call).
_pid = os.getpid()


def _after_fork() -> None:
    global _pid
    _pid = os.getpid()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)
_CONTROL: Final = frozenset((WSMsgType.CLOSE, WSMsgType.PING, WSMsgType.PONG))
_DATA: Final = frozenset((WSMsgType.TEXT, WSMsgType.BINARY, WSMsgType.CONTINUATION))


def _octets(view: memoryview) -> memoryview | bytes:
    """``view`` as unsigned octets: ``len`` counts bytes, whatever its format."""
    if not view.c_contiguous:
        return view.tobytes()
    if view.format == "B" and view.ndim == 1:
        return view
    return view.cast("B")


def build_frame(
    opcode: int,
    payload: bytes | bytearray | memoryview,
    *,
    fin: bool = True,
    rsv1: bool = False,
    mask: bytes | None = None,
) -> bytes:
    """The bytes of one frame; ``mask`` (4 bytes) masks the payload.

    The payload is copied once, masked on the way when ``mask`` is given.
    """
    if type(payload) is memoryview:
        payload = _octets(payload)
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
    if len(mask) != 4:
        raise ValueError(f"a mask is 4 bytes, not {len(mask)}")
    return masked(head + mask, payload, mask)


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

    __slots__ = ("_deflater", "_is_client", "_masks", "_masks_pid", "_masks_pos")

    def __init__(
        self,
        *,
        is_client: bool,
        deflate: DeflateParams | None = None,
        level: int = zlib.Z_DEFAULT_COMPRESSION,
    ) -> None:
        self._is_client = is_client
        self._masks = b""
        self._masks_pos = _MASK_BLOCK  # drawn at the first frame
        self._masks_pid = _pid
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
        rsv1 = False
        if type(payload) is memoryview:
            payload = _octets(payload)
        if opcode in _DATA:
            deflater = self._deflater
            if deflater is not None and compress != 0:
                payload = deflater.compress(payload, compress)
                rsv1 = True
        elif opcode in _CONTROL:
            if len(payload) > _MAX_CONTROL_PAYLOAD:
                raise ValueError(
                    f"A control frame payload has 125 bytes at most, not {len(payload)}"
                )
        else:
            raise ValueError(f"Not a frame opcode: {opcode!r}")
        if self._is_client:
            # A fresh random mask (RFC 6455 5.3) from this writer's block,
            # taken here rather than in a helper: one call less per frame.
            pos = self._masks_pos
            if pos >= _MASK_BLOCK or self._masks_pid != _pid:
                self._masks = os.urandom(_MASK_BLOCK)
                self._masks_pid = _pid
                pos = 0
            self._masks_pos = pos + 4
            mask = self._masks[pos : pos + 4]
            if len(payload) < 126 and not rsv1:
                # The most common frame of a client, laid out here.
                head = bytes((0x80 | opcode, 0x80 | len(payload)))
                return masked(head + mask, payload, mask)
            return build_frame(opcode, payload, rsv1=rsv1, mask=mask)
        size = len(payload)
        if size < 126 and not rsv1:
            # The most common frame of a server, laid out here: one call less.
            return bytes((0x80 | opcode, size)) + payload
        return build_frame(opcode, payload, rsv1=rsv1)

    def close(self, code: int, reason: bytes | str = b"") -> bytes:
        """The bytes of a CLOSE frame."""
        return self.frame(WSMsgType.CLOSE, close_payload(code, reason))
