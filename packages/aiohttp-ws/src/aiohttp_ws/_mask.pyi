"""Compiled twin of ``mask.websocket_mask_py``."""

def websocket_mask(mask: bytes, data: bytearray) -> None:
    """XOR ``data`` in place with the 4-byte ``mask`` repeated over it."""
