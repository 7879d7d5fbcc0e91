"""Range requests (RFC 9110 section 14): byte ranges and multipart/byteranges.

Sans-I/O: ``parse_byte_ranges`` turns a Range field value and the size of a
representation into the ranges to send, and ``MultipartByteRanges`` lays out
the body of a 206 response carrying several of them, as literal bytes (the
part heads) and ranges of the representation, so that the caller can send
the file pieces however it likes (``sendfile`` or reads).

What the RFC leaves to the server, decided here:

* A field that is not a valid ``bytes`` ranges-specifier, or that asks for
  more than ``MAX_RANGES`` ranges, is ignored: the whole representation is
  sent with 200 (14.2 allows ignoring the field).
* Overlapping and adjacent ranges are coalesced (14.3), so that a request
  for many overlapping ranges cannot make the response larger than the
  representation plus the part heads; otherwise parts keep the order of the
  request (14.6).
* An empty representation has no satisfiable range, suffix ranges included.
"""

from __future__ import annotations

import re
import secrets
from typing import Final, NamedTuple

__all__ = (
    "MAX_RANGES",
    "ByteRange",
    "MultipartByteRanges",
    "content_range",
    "parse_byte_ranges",
    "unsatisfied_range",
)

#: The most ranges one Range field may ask for; more and the field is ignored.
MAX_RANGES: Final = 100

# RFC 9110 section 14.1.1 and 14.2:
#   Range         = ranges-specifier
#   ranges-specifier = range-unit "=" range-set
#   range-set     = 1#range-spec
#   range-spec    = int-range / suffix-range / other-range
#   int-range     = first-pos "-" [ last-pos ]
#   suffix-range  = "-" suffix-length
# An other-range (anything else) cannot be served: the field is ignored.
_RANGE_SPEC_RE: Final = re.compile(r"([0-9]*)-([0-9]*)", re.ASCII)
_OWS: Final = " \t"
# Positions longer than this are beyond any file; int() of thousands of
# digits is slow (and refused past 4300 digits).
_MAX_DIGITS: Final = 18
_HUGE: Final = 10**_MAX_DIGITS


class ByteRange(NamedTuple):
    """A range of bytes of a representation: ``start`` to ``stop`` (exclusive)."""

    start: int
    stop: int

    @property
    def length(self) -> int:
        """The number of bytes in the range."""
        return self.stop - self.start


def _position(digits: str) -> int:
    return int(digits) if len(digits) <= _MAX_DIGITS else _HUGE


def parse_byte_ranges(
    header: str, size: int, *, max_ranges: int = MAX_RANGES
) -> tuple[ByteRange, ...] | None:
    """The ranges of a ``size``-byte representation that ``header`` asks for.

    None means "ignore the field and send everything" (not a valid bytes
    range set, or too many ranges); an empty tuple means that no range is
    satisfiable (answer 416).
    """
    unit, eq, range_set = header.strip(_OWS).partition("=")
    if not eq or not unit.isascii() or unit.lower() != "bytes":
        return None
    # 1#element: empty elements between commas are allowed and skipped.
    specs = [spec.strip(_OWS) for spec in range_set.split(",")]
    specs = [spec for spec in specs if spec]
    if not specs or len(specs) > max_ranges:
        return None
    ranges: list[ByteRange] = []
    for spec in specs:
        match = _RANGE_SPEC_RE.fullmatch(spec)
        if match is None:
            return None
        first, last = match[1], match[2]
        if first:
            start = _position(first)
            end = _position(last) if last else None
            if end is not None and end < start:
                return None  # an invalid range-spec makes the set invalid
            if start >= size:
                continue  # unsatisfiable: left out
            stop = size if end is None else min(end + 1, size)
        elif last:
            suffix = _position(last)
            if suffix == 0 or size == 0:
                continue
            start, stop = max(size - suffix, 0), size
        else:
            return None  # a lone "-"
        ranges.append(ByteRange(start, stop))
    return _coalesce(ranges)


def _coalesce(ranges: list[ByteRange]) -> tuple[ByteRange, ...]:
    """Merge overlapping or adjacent ranges; keep the request's order otherwise."""
    if len(ranges) < 2:
        return tuple(ranges)
    by_start = sorted(range(len(ranges)), key=lambda i: ranges[i].start)
    # Each merged group: [index of its first range in the request, start, stop]
    groups: list[list[int]] = []
    for i in by_start:
        start, stop = ranges[i]
        if groups and start <= groups[-1][2]:
            group = groups[-1]
            group[0] = min(group[0], i)
            group[2] = max(group[2], stop)
        else:
            groups.append([i, start, stop])
    groups.sort()
    return tuple(ByteRange(start, stop) for _, start, stop in groups)


def content_range(byte_range: ByteRange, size: int) -> str:
    """The Content-Range field value of a range: ``bytes 0-499/1234``."""
    return f"bytes {byte_range.start}-{byte_range.stop - 1}/{size}"


def unsatisfied_range(size: int) -> str:
    """The Content-Range field value of a 416 answer: ``bytes */1234``."""
    return f"bytes */{size}"


class MultipartByteRanges:
    """The layout of a multipart/byteranges body (RFC 9110 section 14.6).

    ``pieces`` is the body in order: ``bytes`` to send as they are, and
    ``ByteRange`` for bytes of the representation.
    """

    __slots__ = ("boundary", "length", "pieces")

    def __init__(
        self,
        ranges: tuple[ByteRange, ...],
        size: int,
        content_type: str,
        *,
        boundary: str | None = None,
    ) -> None:
        if not ranges:
            raise ValueError("A multipart/byteranges body needs at least one range")
        if any(char in content_type for char in "\r\n\x00"):
            raise ValueError(f"Invalid content type {content_type!r}")
        #: The boundary: random, so that it cannot occur in the file.
        self.boundary = secrets.token_hex(16) if boundary is None else boundary
        self.pieces: list[bytes | ByteRange] = []
        delimiter = f"--{self.boundary}\r\n"
        for index, byte_range in enumerate(ranges):
            # The CRLF before each delimiter but the first belongs to it
            # (RFC 2046 5.1.1), so a part ends right after its bytes.
            head = (
                ("\r\n" if index else "")
                + delimiter
                + f"Content-Type: {content_type}\r\n"
                + f"Content-Range: {content_range(byte_range, size)}\r\n\r\n"
            )
            self.pieces.append(head.encode("utf-8", "surrogateescape"))
            self.pieces.append(byte_range)
        self.pieces.append(f"\r\n--{self.boundary}--\r\n".encode("ascii"))
        #: The size of the whole body, for Content-Length.
        self.length = sum(
            piece.length if isinstance(piece, ByteRange) else len(piece)
            for piece in self.pieces
        )

    @property
    def content_type(self) -> str:
        """The Content-Type of the response: ``multipart/byteranges; boundary=...``."""
        return f"multipart/byteranges; boundary={self.boundary}"
