"""XOR masking of frame payloads (RFC 6455 section 5.3).

``websocket_mask`` masks a buffer in place; ``masked`` builds a frame's bytes
from its header and a payload it masks on the way.  Each is the compiled twin
from ``_mask.pyx`` when that is built and AIOHTTP_NO_EXTENSIONS is not set,
the pure-Python ``*_py`` function otherwise.
"""

from __future__ import annotations

import os
from collections.abc import Callable

__all__ = (
    "masked",
    "masked_c",
    "masked_py",
    "websocket_mask",
    "websocket_mask_c",
    "websocket_mask_py",
)

Payload = bytes | bytearray | memoryview


def websocket_mask_py(mask: bytes, data: bytearray) -> None:
    """XOR ``data`` in place with the 4-byte ``mask`` repeated over it."""
    if len(mask) != 4:
        raise ValueError(f"a mask is 4 bytes, not {len(mask)}")
    size = len(data)
    if not size:
        return
    # One big-integer XOR instead of a Python loop per byte: the mask
    # repeated to the payload length, both read as one little-endian int.
    repeated = (mask * (size // 4 + 1))[:size]
    value = int.from_bytes(data, "little") ^ int.from_bytes(repeated, "little")
    data[:] = value.to_bytes(size, "little")


def masked_py(prefix: bytes, payload: Payload, mask: bytes) -> bytes:
    """``prefix`` then ``payload`` XOR-ed with ``mask``."""
    body = bytearray(payload)
    websocket_mask_py(mask, body)
    return prefix + body


websocket_mask_c: Callable[[bytes, bytearray], None] | None
masked_c: Callable[[bytes, Payload, bytes], bytes] | None
if os.environ.get("AIOHTTP_NO_EXTENSIONS"):
    websocket_mask_c = masked_c = None
else:
    try:
        from ._mask import masked as masked_c
        from ._mask import websocket_mask as websocket_mask_c
    except ImportError:
        websocket_mask_c = masked_c = None

websocket_mask = websocket_mask_py if websocket_mask_c is None else websocket_mask_c
masked = masked_py if masked_c is None else masked_c
