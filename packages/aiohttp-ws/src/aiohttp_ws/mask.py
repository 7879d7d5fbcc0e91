"""XOR masking of frame payloads (RFC 6455 section 5.3).

``websocket_mask`` is the compiled twin of ``_mask.pyx`` when it is built and
AIOHTTP_NO_EXTENSIONS is not set, ``websocket_mask_py`` otherwise.
"""

from __future__ import annotations

import os
from collections.abc import Callable

__all__ = ("websocket_mask", "websocket_mask_c", "websocket_mask_py")


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


websocket_mask_c: Callable[[bytes, bytearray], None] | None
if os.environ.get("AIOHTTP_NO_EXTENSIONS"):
    websocket_mask_c = None
else:
    try:
        from ._mask import websocket_mask as websocket_mask_c
    except ImportError:
        websocket_mask_c = None

websocket_mask = websocket_mask_py if websocket_mask_c is None else websocket_mask_c
