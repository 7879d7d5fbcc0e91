"""Compiled twin of the head serializer in ``http_writer``."""

from .http_head import FramingFields, Headers

def _chunk(data: bytes | bytearray | memoryview) -> bytes:
    """``data`` framed as one chunk of the chunked transfer coding."""

def _serialize(
    status_line: str, headers: Headers
) -> tuple[bytes, FramingFields | None]:
    """Serialize a head; also return its framing fields (None if there are none)."""

def serialize_headers(status_line: str, headers: Headers) -> bytes:
    """Return ``status_line``, the header fields and the blank line, as bytes."""
