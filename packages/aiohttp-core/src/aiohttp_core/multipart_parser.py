"""Sans-I/O framing of one multipart body (RFC 2046 5.1): bytes in, parts out.

Feed the body with ``feed_data`` / ``feed_eof`` and pull with ``read_head``
(the next part's header fields, or ``END``) and ``read_body`` (the current
part's data, then ``PART_END``).  Either returns ``NEED_DATA`` when it must
be fed first.  A nested multipart is not parsed here: its part's data is the
body of another parser.

The grammar (RFC 2046 5.1.1), with the states it gives::

    multipart-body := [preamble CRLF]                          PREAMBLE
                      dash-boundary transport-padding CRLF     DELIMITER
                      body-part *encapsulation                 HEADERS, BODY
                      close-delimiter transport-padding
                      [CRLF epilogue]                          EPILOGUE
    encapsulation  := delimiter transport-padding CRLF body-part
    delimiter      := CRLF dash-boundary
    dash-boundary  := "--" boundary
    close-delimiter := delimiter "--"
    transport-padding := *LWSP-char                            ; SP / HTAB

The parser starts with a virtual CRLF in its buffer, so that a body that
begins with its dash-boundary is found by the same search for ``delimiter``
as every later one; preamble and epilogue are dropped as they come.

Part data is handed out as soon as it cannot be the start of a delimiter:
only a tail shorter than the delimiter that ends with a possible start of it
(a CR, since a boundary holds none) is kept back.  Each byte is searched once
whatever the fragmentation, so data arriving one byte at a time costs time
linear in its size.  Part header fields follow the HTTP field grammar and the
HTTP parser's rules: CRLF line ends, no obs-fold, no whitespace before the
colon, no CR, LF or NUL in a value, at most ``max_field_size`` bytes per line
(refused as soon as an incomplete line is longer) and ``max_headers`` fields.
"""

from __future__ import annotations

import enum
import re
from typing import Final, NamedTuple, NoReturn

from multidict import CIMultiDict, CIMultiDictProxy

from . import http_grammar as g
from .http_exceptions import BadHttpMessage, InvalidHeader, LineTooLong, TooManyHeaders
from .multipart_errors import BadBoundary, UnterminatedMultipart
from .typedefs import RawHeaders

__all__ = (
    "BOUNDARY_RE",
    "END",
    "NEED_DATA",
    "PART_END",
    "MultipartParser",
    "PartHead",
    "Signal",
)

# RFC 2046 5.1.1:
#   boundary      := 0*69<bchars> bcharsnospace
#   bchars        := bcharsnospace / " "
#   bcharsnospace := DIGIT / ALPHA / "'" / "(" / ")" /
#                    "+" / "_" / "," / "-" / "." /
#                    "/" / ":" / "=" / "?"
# The "0*69" lets an empty boundary through, which no one can delimit with.
_BCHARSNOSPACE: Final = r"0-9A-Za-z'()+_,\-./:=?"
BOUNDARY_RE: Final = re.compile(
    rf"[{_BCHARSNOSPACE} ]{{0,69}}[{_BCHARSNOSPACE}]", re.ASCII
)
# A rest this small is joined with new data as bytes, larger ones go to a
# bytearray.  Longer than any delimiter (CRLF, "--", 70 characters).
_SMALL_REST: Final = 128
# transport-padding CRLF after a dash-boundary.
_PADDING_CRLF_RE: Final = re.compile(rb"[ \t]*(\r\n)?")


class Signal(enum.Enum):
    """What the parser says instead of data."""

    NEED_DATA = "need data"
    PART_END = "part end"
    END = "end"


NEED_DATA: Final = Signal.NEED_DATA
PART_END: Final = Signal.PART_END
END: Final = Signal.END


class PartHead(NamedTuple):
    """The header fields of the next part."""

    headers: CIMultiDictProxy[str]
    raw_headers: RawHeaders


class _State(enum.Enum):
    PREAMBLE = enum.auto()
    DELIMITER = enum.auto()
    HEADERS = enum.auto()
    BODY = enum.auto()
    EPILOGUE = enum.auto()
    FAILED = enum.auto()


_EMPTY_HEADERS: Final[CIMultiDictProxy[str]] = CIMultiDictProxy(CIMultiDict())


class MultipartParser:
    """Finds the parts of one multipart body as its bytes are fed.

    ``dash_boundary`` is ``b"--" + boundary``.  With ``in_body`` the parser
    starts inside a part's data (a part read on its own).
    """

    __slots__ = (
        "_buf",
        "_delim",
        "_eof",
        "_error",
        "_fields",
        "_found",
        "_pos",
        "_safe",
        "_scan",
        "_state",
        "max_field_size",
        "max_headers",
    )

    def __init__(
        self,
        dash_boundary: bytes,
        *,
        max_field_size: int = 8190,
        max_headers: int = 32,
        in_body: bool = False,
    ) -> None:
        if not dash_boundary.startswith(b"--") or not BOUNDARY_RE.fullmatch(
            dash_boundary[2:].decode("latin-1")
        ):
            raise BadBoundary(f"Invalid multipart boundary {dash_boundary[2:]!r}")
        self.max_field_size = max_field_size
        self.max_headers = max_headers
        self._delim = b"\r\n" + dash_boundary
        self._buf: bytes | bytearray = b"" if in_body else b"\r\n"
        self._pos = 0
        self._state = _State.BODY if in_body else _State.PREAMBLE
        self._eof = False
        self._error: BaseException | None = None
        # BODY: data before ``_safe`` holds no delimiter; ``_found`` tells
        # whether a delimiter starts at ``_safe``.  -1: not searched yet.
        self._safe = -1
        self._found = False
        # HEADERS: how far the current line was searched for its LF.
        self._scan = 0
        self._fields: list[tuple[bytes, bytes]] = []

    def __repr__(self) -> str:
        return (
            f"<MultipartParser {self._delim[4:]!r} {self._state.name.lower()} "
            f"buffered={len(self._buf) - self._pos}{' eof' if self._eof else ''}>"
        )

    @property
    def at_end(self) -> bool:
        """True once the close-delimiter was read."""
        return self._state is _State.EPILOGUE

    @property
    def in_body(self) -> bool:
        """True while the current part's data is being read."""
        return self._state is _State.BODY

    # Input.

    def feed_data(self, data: bytes) -> None:
        """Add the next bytes of the body."""
        if self._eof:
            raise RuntimeError("feed_data() after feed_eof()")
        if not data or self._state is _State.EPILOGUE:
            return  # the epilogue is dropped unseen
        buf, pos = self._buf, self._pos
        left = len(buf) - pos
        if left <= 0:
            self._buf = data
        elif isinstance(buf, bytearray):
            # Deleting at the front of a bytearray is cheap (it moves its
            # start), and so is appending: a long header line arriving in
            # tiny pieces stays linear.
            del buf[:pos]
            buf += data
        elif left <= _SMALL_REST:
            # A kept-back tail (part of a delimiter, the virtual CRLF).
            self._buf = buf[pos:] + data
        else:
            self._buf = bytearray(memoryview(buf)[pos:])
            self._buf += data
        self._scan = max(self._scan - pos, 0)
        self._pos = 0
        self._safe = -1

    def feed_eof(self) -> None:
        """The body ended."""
        self._eof = True

    # Output.

    def read_body(self, max_size: int) -> bytes | Signal:
        """Return up to ``max_size`` bytes of the current part's data.

        Then ``PART_END`` once, after which ``read_head`` goes on; or
        ``NEED_DATA``.  Raises ``UnterminatedMultipart`` if the body ends
        inside the part.
        """
        if self._state is not _State.BODY:
            self._wrong_state("read_body")
        buf, pos, safe = self._buf, self._pos, self._safe
        if safe < pos:
            found = buf.find(self._delim, pos)
            self._found = found != -1
            safe = self._safe = found if self._found else self._keep_from(pos)
        if safe > pos:
            end = min(safe, pos + max_size)
            self._pos = end
            data = buf[pos:end]
            return data if type(data) is bytes else bytes(data)
        if self._found:
            self._pos = pos + len(self._delim)
            self._state = _State.DELIMITER
            self._safe = -1
            return PART_END
        if self._eof:
            self._fail(UnterminatedMultipart("Multipart body ended inside a part"))
        return NEED_DATA

    def part_end_ahead(self) -> bool:
        """True when the next ``read_body`` returns ``PART_END`` at once."""
        return self._found and self._safe == self._pos

    def read_head(self) -> PartHead | Signal:
        """Skip to the next part and return its header fields, or ``END``.

        Returns ``NEED_DATA`` when it must be fed first; raises on a
        malformed delimiter or header block, or on a body cut short.
        """
        if self._error is not None:
            raise self._error
        try:
            while True:
                state = self._state
                if state is _State.HEADERS:
                    result = self._step_headers()
                    return NEED_DATA if result is None else result
                elif state is _State.DELIMITER:
                    if not self._step_delimiter():
                        return NEED_DATA
                elif state is _State.PREAMBLE:
                    if not self._step_preamble():
                        return NEED_DATA
                elif state is _State.EPILOGUE:
                    return END
                else:
                    self._wrong_state("read_head")
        except BadHttpMessage as exc:
            self._fail(exc)

    # Steps.

    def _keep_from(self, start: int) -> int:
        """Where the tail that may begin a delimiter starts (len(buf): none)."""
        buf = self._buf
        end = len(buf)
        cr = buf.rfind(b"\r", max(start, end - len(self._delim) + 1), end)
        if cr != -1 and self._delim.startswith(buf[cr:end]):
            return cr
        return end

    def _step_preamble(self) -> bool:
        buf = self._buf
        found = buf.find(self._delim, self._pos)
        if found != -1:
            self._pos = found + len(self._delim)
            self._state = _State.DELIMITER
            return True
        self._pos = self._keep_from(self._pos)
        if self._eof:
            raise BadBoundary(
                f"Could not find starting boundary {self._delim[2:]!r} in the body"
            )
        return False

    def _step_delimiter(self) -> bool:
        buf, pos = self._buf, self._pos
        if buf[pos : pos + 2] == b"--":
            self._state = _State.EPILOGUE
            self._buf = b""
            self._pos = 0
            return True
        match = _PADDING_CRLF_RE.match(buf, pos)
        if match is None:  # pragma: no cover - the pattern matches anywhere
            raise AssertionError
        end = match.end()
        if match[1] is not None:
            self._pos = end
            self._state = _State.HEADERS
            self._scan = end
            self._fields = []
            return True
        rest = buf[end:]
        if rest not in (b"", b"\r") and not (end == pos and rest == b"-"):
            raise BadBoundary(
                f"Invalid data after boundary {self._delim[2:]!r}: {rest[:20]!r}"
            )
        if end - pos > self.max_field_size:
            raise LineTooLong("a boundary line", self.max_field_size, str(end - pos))
        if self._eof:
            raise UnterminatedMultipart("Multipart body ended after a boundary")
        return False

    def _step_headers(self) -> PartHead | None:
        buf = self._buf
        max_field_size = self.max_field_size
        while True:
            start = self._pos
            nl = buf.find(b"\n", self._scan)
            if nl == -1:
                size = len(buf) - start
                if size and buf[-1] == 0x0D:
                    size -= 1  # the first half of a CRLF
                if size > max_field_size:
                    raise LineTooLong("a part header field", max_field_size, str(size))
                self._scan = len(buf)
                if self._eof:
                    raise UnterminatedMultipart(
                        "Multipart body ended inside a part's header block"
                    )
                return None
            if nl == start or buf[nl - 1] != 0x0D:
                raise BadHttpMessage("Bare LF where CRLF is required")
            size = nl - 1 - start
            if size > max_field_size:
                raise LineTooLong("a part header field", max_field_size, str(size))
            self._pos = self._scan = nl + 1
            if size == 0:
                return self._end_headers()
            if len(self._fields) >= self.max_headers:
                raise TooManyHeaders(
                    f"More than {self.max_headers} header fields in a part"
                )
            match = g.FIELD_LINE_RE.fullmatch(buf, start, nl + 1)
            if match is None:
                _raise_field_error(bytes(buf[start : nl - 1]))
            self._fields.append((match[1], match[2] or b""))

    def _end_headers(self) -> PartHead:
        fields, self._fields = self._fields, []
        self._state = _State.BODY
        self._safe = -1
        if not fields:
            return PartHead(_EMPTY_HEADERS, ())
        headers = CIMultiDictProxy(
            CIMultiDict(
                [
                    (name.decode("ascii"), value.decode("utf-8", "surrogateescape"))
                    for name, value in fields
                ]
            )
        )
        return PartHead(headers, tuple(fields))

    def _fail(self, exc: BaseException) -> NoReturn:
        self._state = _State.FAILED
        self._error = exc
        self._buf = b""
        self._pos = 0
        raise exc

    def _wrong_state(self, what: str) -> NoReturn:
        if self._error is not None:
            raise self._error
        raise RuntimeError(f"{what}() called in state {self._state.name}")


def _raise_field_error(line: bytes) -> NoReturn:
    """Raise the precise error for a header line that broke the grammar."""
    if line[:1] in (b" ", b"\t"):
        raise BadHttpMessage("Obsolete line folding (obs-fold) is not accepted")
    if b"\r" in line:
        raise BadHttpMessage("Bare CR in a part header field")
    name, colon, _ = line.partition(b":")
    if not colon or not name:
        raise InvalidHeader(line)
    if g.TOKEN_RE.fullmatch(name) is None:
        raise InvalidHeader(name)
    raise InvalidHeader(line)
