"""Compiled twins of ``mask.websocket_mask_py`` and ``mask.masked_py``."""

def websocket_mask(mask: bytes, data: bytearray) -> None:
    """XOR ``data`` in place with the 4-byte ``mask`` repeated over it."""

def masked(
    prefix: bytes, payload: bytes | bytearray | memoryview, mask: bytes
) -> bytes:
    """``prefix`` then ``payload`` XOR-ed with ``mask``: one pass, one copy."""
