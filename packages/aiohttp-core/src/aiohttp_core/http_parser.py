"""Sans-I/O HTTP/1.1 parsers (RFC 9112): bytes in, message events out.

Feed every chunk read from the peer to ``feed_data`` and handle the returned
events (see ``http_messages``) in order; call ``feed_eof`` when the peer
closes.  Data may be split anywhere: a feed can end in the middle of a line,
of a body or of a CRLF, and one feed can hold several pipelined messages.
Body bytes are handed out as soon as they arrive.

Two twins implement this module's contract: the pure-Python classes below
(``HttpRequestParserPy``, ``HttpResponseParserPy``) and the compiled ones of
``_http_parser`` (``HttpRequestParserC``, ``HttpResponseParserC``, None when
that extension is not built).  ``HttpRequestParser`` and
``HttpResponseParser`` are the compiled twins when they are available and
``AIOHTTP_NO_EXTENSIONS`` is not set, the pure ones otherwise.  The cold
paths both share live in ``http_parser_rules``.

The parser is a small state machine over one ``bytearray`` buffer:

    HEAD --> BODY_LENGTH --------------------------------> HEAD (next message)
      |  --> BODY_EOF (until feed_eof)
      |  --> CHUNK_LINE --> CHUNK_DATA --> CHUNK_CRLF --+
      |        ^  |                                     |
      |        |  +-- size 0 --> TRAILERS --> HEAD      |
      |        +----------------------------------------+
      +--> SWITCHED (after an upgrade or CONNECT: ProtocolSwitch, no more input)
    any error --> FAILED

Decisions where the RFCs or the contract leave room (a compiled twin must
make the same ones; the shared test suite pins them):

* Text.  Methods and field names are ASCII tokens; in the ``headers`` and
  ``trailers`` multidicts the names are ``multidict.istr``, as aiohttp gives
  them.  Field values, the request target and the reason phrase are decoded
  as UTF-8 with ``surrogateescape``, so ``text.encode("utf-8",
  "surrogateescape")`` gives back the wire bytes.
* Limits count the bytes of one line without its CRLF: ``max_line_size`` for
  the request line, the status line and each chunk-size line (extensions
  included); ``max_field_size`` for each header or trailer field line (name,
  colon, OWS and value as sent).  ``max_headers`` caps the number of header
  fields and, separately, of trailer fields.  A line still incomplete is
  refused as soon as it is longer than its limit, whatever the fragmentation.
  ``LineTooLong`` carries 414 for the request line, 400 for a chunk-size line
  and 431 otherwise; ``TooManyHeaders`` carries 431.
* The request target may hold obs-text (raw UTF-8 paths) but no SP, CTL or
  DEL.  Its form must suit the method: authority-form for CONNECT only,
  asterisk-form for OPTIONS only; a bad one raises ``InvalidURLError``.
* Content-Length problems (not ``1*DIGIT``, 2**63 or more, a second field in a
  request, differing values in a response) raise ``ContentLengthError``.
  A response may repeat identical Content-Length fields.
* Chunk sizes of more than 16 hex digits or of 2**63 and more, and any other
  fault of the chunked framing (its lines, the CRLF after chunk data), raise
  ``TransferEncodingError``.  No ``CHUNK_END`` follows the last (zero) chunk.
* Trailers get the same grammar and limits as headers.  Fields that control
  framing, routing, connection, payload processing or authentication
  (``http_grammar.FORBIDDEN_TRAILER_FIELDS``) are refused with ``InvalidHeader``.
* Requests: Transfer-Encoding must be exactly ``chunked``: ``chunked`` twice,
  not last or an empty list is a 400 ``BadHttpMessage``; another coding is a
  501 ``UnsupportedTransferCoding``.  Transfer-Encoding in an HTTP/1.0 request
  is refused (RFC 9112 6.1 calls its framing faulty).  A CONNECT request may
  carry no body: Transfer-Encoding or a non-zero Content-Length is refused.
  A missing Host is not refused (aiohttp never did).
* Responses: Transfer-Encoding wins over Content-Length, and such a response,
  like one with Transfer-Encoding in HTTP/1.0, gets ``should_close``.
  ``chunked`` is reported as declared even when the response has no body.
* Empty lines (CRLF) before a start line are skipped (RFC 9112 2.2).
* Status codes are three digits with a first digit of 1 to 9.  The SP after
  the code may be missing when there is no reason phrase.
* Limits must be ints from 0 to ``sys.maxsize``: anything else is the
  caller's mistake and raises ``TypeError`` or ``ValueError`` at once.
* Errors: the first error raises.  The events the same ``feed_data`` call
  completed before it are not lost: they are the error's ``events`` (a
  tuple, empty when there are none), exactly as a call ending just before
  the fault would have returned them, so the caller handles them, then the
  error.  The parser is then dead: ``feed_data`` and ``feed_eof`` raise
  ``RuntimeError`` (the caller must close the connection).  After
  ``ProtocolSwitch`` or ``feed_eof``, ``feed_data`` raises ``RuntimeError``
  and ``feed_eof`` returns ``[]``.
"""

from __future__ import annotations

import enum
import os
from types import ModuleType
from typing import TYPE_CHECKING, Final, NamedTuple

from multidict import CIMultiDict, CIMultiDictProxy, istr

from . import http_grammar as g
from .http_exceptions import (
    BadHttpMessage,
    BadHttpMethod,
    BadStatusLine,
    ContentLengthError,
    HttpProcessingError,
    InvalidHeader,
    LineTooLong,
    TooManyHeaders,
    TransferEncodingError,
    UnsupportedTransferCoding,
)
from .http_messages import (
    CHUNK_END,
    BodyChunk,
    HttpVersion,
    HttpVersion10,
    MessageEnd,
    ParserEvent,
    ProtocolSwitch,
    RawRequestMessage,
    RawResponseMessage,
)
from .http_parser_rules import (
    build_url,
    check_limits,
    parse_version,
    raise_field_error,
    raise_request_line_error,
    raise_status_line_error,
)
from .typedefs import RawHeaders

if TYPE_CHECKING:
    from . import _http_parser

__all__ = (
    "HttpRequestParser",
    "HttpRequestParserC",
    "HttpRequestParserPy",
    "HttpResponseParser",
    "HttpResponseParserC",
    "HttpResponseParserPy",
)

_Fields = list[tuple[bytes, bytes]]

_EMPTY_HEADERS: Final[CIMultiDictProxy[str]] = CIMultiDictProxy(CIMultiDict())
_EMPTY_RAW: Final[RawHeaders] = ()

_COMPRESSIONS: Final = {
    b"gzip": "gzip",
    b"x-gzip": "gzip",
    b"deflate": "deflate",
    b"br": "br",
    b"zstd": "zstd",
}

# The fields whose values decide framing and connection handling.
_FRAMING_FIELDS: Final = frozenset(
    b"content-length transfer-encoding connection content-encoding upgrade".split()
)

_NO_BODY_STATUSES: Final = frozenset({204, 304})
_NO_TOKENS: Final[frozenset[bytes]] = frozenset()


class _State(enum.IntEnum):
    HEAD = 0
    BODY_LENGTH = 1
    BODY_EOF = 2
    CHUNK_LINE = 3
    CHUNK_DATA = 4
    CHUNK_CRLF = 5
    TRAILERS = 6
    # States from here on accept no more data.
    SWITCHED = 7
    CLOSED = 8
    FAILED = 9


class _Body(enum.Enum):
    NONE = 0
    LENGTH = 1
    CHUNKED = 2
    UNTIL_EOF = 3


class _Framing(NamedTuple):
    """How the body after a head is delimited, and what follows it."""

    body: _Body
    length: int
    switch: bool


class _FieldSummary:
    """The values of the framing fields of one header block, as bytes."""

    __slots__ = (
        "connection",
        "content_encoding",
        "content_length",
        "lowered",
        "transfer_encoding",
        "upgrade",
    )

    def __init__(self, fields: _Fields) -> None:
        lowered = [name.lower() for name, _ in fields]
        self.lowered = lowered
        # Most fields are not framing fields: one comprehension sorts them
        # out faster than a loop that looks at each.
        framing = _FRAMING_FIELDS
        found: dict[bytes, list[bytes]] = {}
        for key, value in [
            (key, field[1])
            for key, field in zip(lowered, fields, strict=True)
            if key in framing
        ]:
            found.setdefault(key, []).append(value)
        self.content_length = found.get(b"content-length")
        self.transfer_encoding = found.get(b"transfer-encoding")
        self.content_encoding = found.get(b"content-encoding")
        self.upgrade = b"upgrade" in found
        connection = found.get(b"connection")
        self.connection = (
            _NO_TOKENS
            if connection is None
            else frozenset(
                token.strip(b" \t").lower()
                for value in connection
                for token in value.split(b",")
            )
        )

    def should_close(self, version: HttpVersion) -> bool:
        """Whether the connection closes after this message (RFC 9112 9.3)."""
        if b"close" in self.connection:
            return True
        return version == HttpVersion10 and b"keep-alive" not in self.connection

    def compression(self) -> str | None:
        """The content coding the body is compressed with, if a known one."""
        values = self.content_encoding
        if values is None or len(values) != 1:
            return None
        return _COMPRESSIONS.get(values[0].lower())

    def content_length_value(self) -> int | None:
        """The validated Content-Length, or None when absent."""
        values = self.content_length
        if values is None:
            return None
        first = values[0]
        if g.CONTENT_LENGTH_RE.fullmatch(first) is None:
            raise ContentLengthError(f"Invalid Content-Length {first!r}")
        for other in values[1:]:
            if other != first:
                raise ContentLengthError("Differing Content-Length values")
        # lstrip keeps int() away from huge digit strings.
        digits = first.lstrip(b"0")
        if len(digits) > 19 or int(digits or b"0") > g.MAX_BODY_SIZE:
            raise ContentLengthError(f"Content-Length too large {first[:30]!r}")
        return int(digits or b"0")

    def transfer_codings(self) -> list[bytes]:
        """The transfer coding names, lowercased (ASCII), in order."""
        codings: list[bytes] = []
        for value in self.transfer_encoding or ():
            if g.TRANSFER_ENCODING_RE.fullmatch(value) is None:
                raise BadHttpMessage(f"Invalid Transfer-Encoding {value[:50]!r}")
            codings += [
                name.lower()
                for name in g.TRANSFER_CODING_ITEM_RE.findall(value)
                if name
            ]
        return codings


def _decode(value: bytes) -> str:
    return value.decode("utf-8", "surrogateescape")


# Field names already seen, as the istr keys of the header multidicts: the
# same few names come in every message, and CIMultiDict takes an istr's
# lower-cased form instead of computing it.  Bounded: peers choose names.
_NAMES: dict[bytes, istr] = {}
_NAMES_MAX: Final = 1024


def _field_name(name: bytes) -> istr:
    text = istr(name.decode("ascii"))
    if len(_NAMES) < _NAMES_MAX:
        _NAMES[name] = text
    return text


def _build_headers(fields: _Fields) -> CIMultiDictProxy[str]:
    if not fields:
        return _EMPTY_HEADERS
    # Decoding inline rather than through helpers saves a call per field.
    names = _NAMES
    return CIMultiDictProxy(
        CIMultiDict(
            [
                (
                    names.get(name) or _field_name(name),
                    value.decode("utf-8", "surrogateescape"),
                )
                for name, value in fields
            ]
        )
    )


class _HttpParser:
    """The machinery shared by the request and the response parser."""

    def __init__(
        self, *, max_line_size: int, max_field_size: int, max_headers: int
    ) -> None:
        check_limits(
            max_line_size=max_line_size,
            max_field_size=max_field_size,
            max_headers=max_headers,
        )
        self.max_line_size = max_line_size
        self.max_field_size = max_field_size
        self.max_headers = max_headers
        self._buf = bytearray()
        self._state = _State.HEAD
        # How far the buffer was already searched for line ends, where the
        # current (incomplete) line starts and how many lines are complete:
        # each byte is looked at once however the data is fragmented.
        self._scan = 0
        self._line_start = 0
        self._lines = 0
        # Whether the first bytes of the start line were found acceptable.
        self._start_checked = False
        self._remaining = 0
        self._switch = False
        self._error: HttpProcessingError | None = None

    # Public API.

    def feed_data(self, data: bytes) -> list[ParserEvent]:
        """Parse more bytes from the peer; return the events they complete.

        Raises an ``HttpProcessingError`` subclass on bad input, with the
        events completed before it as its ``events``; the caller handles
        those, then answers with the error's ``code`` (server side) and closes.
        """
        if self._state >= _State.SWITCHED:
            self._refuse("feed_data")
        events: list[ParserEvent] = []
        try:
            if not self._buf and self._state in _DIRECT_BODY_STATES:
                # Body bytes go out without a trip through the buffer.
                data = self._take_body(bytes(data), events)
            self._buf += data
            while self._step(events):
                pass
        except HttpProcessingError as exc:
            exc.events = tuple(events)
            self._fail(exc)
            raise
        return events

    def feed_eof(self) -> list[ParserEvent]:
        """The peer closed: end a body read until EOF, or raise if one was cut."""
        state = self._state
        if state is _State.FAILED:
            self._refuse("feed_eof")
        if state >= _State.SWITCHED:
            return []
        events: list[ParserEvent] = []
        try:
            if state is _State.BODY_EOF:
                self._end_message(events)
            elif state is _State.BODY_LENGTH:
                raise ContentLengthError(
                    "Not enough data to satisfy content length header."
                )
            elif state is not _State.HEAD:
                raise TransferEncodingError(
                    "Not enough data to satisfy transfer length header."
                )
            elif self._buf.strip(b"\r"):
                raise BadHttpMessage(
                    "Connection closed in the middle of a message head"
                )
        except HttpProcessingError as exc:
            self._fail(exc)
            raise
        self._state = _State.CLOSED
        return events

    # Life cycle.

    def _refuse(self, what: str) -> None:
        if self._state is _State.FAILED:
            raise RuntimeError(f"{what}() after a parse error") from self._error
        raise RuntimeError(f"{what}() after the end of HTTP/1.x on this connection")

    def _fail(self, exc: HttpProcessingError) -> None:
        self._state = _State.FAILED
        self._error = exc
        self._buf.clear()

    def _step(self, events: list[ParserEvent]) -> bool:
        """Advance by one state; False when more data is needed."""
        state = self._state
        if state is _State.HEAD:
            return self._step_head(events)
        if state is _State.BODY_LENGTH or state is _State.CHUNK_DATA:
            return self._step_sized(events)
        if state is _State.CHUNK_LINE:
            return self._step_chunk_line()
        if state is _State.CHUNK_CRLF:
            return self._step_chunk_crlf(events)
        if state is _State.TRAILERS:
            return self._step_trailers(events)
        if state is _State.BODY_EOF and self._buf:
            events.append(BodyChunk(bytes(self._buf)))
            self._buf.clear()
        return False

    def _begin_body(
        self, events: list[ParserEvent], head: ParserEvent, framing: _Framing
    ) -> None:
        events.append(head)
        self._switch = framing.switch
        body = framing.body
        if body is _Body.LENGTH and framing.length:
            self._state = _State.BODY_LENGTH
            self._remaining = framing.length
        elif body is _Body.CHUNKED:
            self._state = _State.CHUNK_LINE
        elif body is _Body.UNTIL_EOF:
            self._state = _State.BODY_EOF
        else:
            self._end_message(events)

    def _end_message(
        self,
        events: list[ParserEvent],
        trailers: CIMultiDictProxy[str] = _EMPTY_HEADERS,
        raw_trailers: RawHeaders = _EMPTY_RAW,
    ) -> None:
        events.append(MessageEnd(trailers, raw_trailers))
        if self._switch:
            events.append(ProtocolSwitch(bytes(self._buf)))
            self._buf.clear()
            self._state = _State.SWITCHED
        else:
            self._state = _State.HEAD

    # Head and trailer blocks.

    def _step_head(self, events: list[ParserEvent]) -> bool:
        buf = self._buf
        if buf[:1] == b"\r":
            match = g.LEADING_CRLF_RE.match(buf)
            if match is not None and match.end():
                del buf[: match.end()]
                self._scan = 0
        if not buf or buf == b"\r":
            # Nothing yet, or the first half of an empty line's CRLF.
            return False
        if not self._start_checked:
            self._start_checked = self._check_start(buf, self._scan)
        block = self._read_block(True)
        if block is None:
            return False
        end = block.find(b"\r\n")
        start_line = block[:end]
        fields = block[end + 2 :]
        if (
            len(start_line) > self.max_line_size
            or not self._fields_fit(fields)
            or _has_bare_lf(block)
        ):
            self._replay_lines(block, True)
        self._on_head(events, start_line, fields)
        return True

    def _step_trailers(self, events: list[ParserEvent]) -> bool:
        block = self._read_block(False)
        if block is None:
            return False
        if not block:
            self._end_message(events)
            return True
        if not self._fields_fit(block) or _has_bare_lf(block):
            self._replay_lines(block, False)
        fields = self._parse_fields(block)
        for name, _ in fields:
            if name.lower() in g.FORBIDDEN_TRAILER_FIELDS:
                raise InvalidHeader(name)
        self._end_message(events, _build_headers(fields), tuple(fields))
        return True

    def _read_block(self, has_start_line: bool) -> bytes | None:
        """Take a complete head or trailer block (lines with their CRLF)."""
        buf = self._buf
        if buf[:2] == b"\r\n":
            # An empty block: only trailers can have one, heads skip these.
            del buf[:2]
            self._reset_lines()
            return b""
        end = buf.find(b"\r\n\r\n", max(self._scan - 3, 0))
        if end < 0:
            self._line_start, self._lines = self._check_lines(
                buf, self._scan, self._line_start, self._lines, has_start_line
            )
            self._scan = len(buf)
            return None
        block = bytes(buf[: end + 2])
        del buf[: end + 4]
        self._reset_lines()
        return block

    def _reset_lines(self) -> None:
        self._scan = 0
        self._line_start = 0
        self._lines = 0
        self._start_checked = False

    def _check_lines(
        self,
        buf: bytes | bytearray,
        scan: int,
        line_start: int,
        lines: int,
        has_start_line: bool,
    ) -> tuple[int, int]:
        """Check the lines ended since ``scan`` and the one still open.

        Lines are checked in wire order (bare LF, length, count), so whole
        and fragmented input fail with the same error.
        """
        nl = buf.find(b"\n", scan)
        while nl >= 0:
            if nl == line_start or buf[nl - 1] != 0x0D:
                raise BadHttpMessage("Bare LF where CRLF is required")
            self._check_line_size(nl - 1 - line_start, lines, has_start_line)
            lines += 1
            if lines - has_start_line > self.max_headers:
                kind = "header" if has_start_line else "trailer"
                raise TooManyHeaders(f"Too many {kind} fields")
            line_start = nl + 1
            nl = buf.find(b"\n", line_start)
        size = len(buf) - line_start
        # A CR at the very end is the first half of a CRLF, not line content.
        if size and buf[-1] == 0x0D:
            size -= 1
        self._check_line_size(size, lines, has_start_line)
        return line_start, lines

    def _check_line_size(self, size: int, lines: int, has_start_line: bool) -> None:
        if has_start_line and lines == 0:
            if size > self.max_line_size:
                raise self._start_line_too_long(size)
        elif size > self.max_field_size:
            kind = "header" if has_start_line else "trailer"
            raise LineTooLong(f"a {kind} field", self.max_field_size, str(size))

    def _fields_fit(self, fields: bytes) -> bool:
        lines = fields.split(b"\r\n")
        count = len(lines) - 1
        longest = max(map(len, lines[: self.max_headers + 1]))
        return count <= self.max_headers and longest <= self.max_field_size

    def _replay_lines(self, block: bytes, has_start_line: bool) -> None:
        """Raise the error the line checks find in a complete block.

        The fast path of a complete block only tells that something is over
        a limit or has a bare LF; replaying the incremental checks names the
        first fault in wire order, as byte-by-byte input would have.
        """
        self._check_lines(block, 0, 0, 0, has_start_line)
        raise BadHttpMessage("Header block over its limits")

    @staticmethod
    def _parse_fields(fields: bytes) -> _Fields:
        if not fields:
            return []
        if g.FIELD_LINES_RE.fullmatch(fields) is None:
            raise_field_error(fields)
        pairs: _Fields = g.FIELD_LINE_RE.findall(fields)
        return pairs

    # Bodies.

    def _take_body(self, data: bytes, events: list[ParserEvent]) -> bytes:
        """Emit the body bytes at the start of ``data``; return the rest."""
        if self._state is _State.BODY_EOF:
            if data:
                events.append(BodyChunk(data))
            return b""
        size = min(self._remaining, len(data))
        if size:
            events.append(BodyChunk(data if size == len(data) else data[:size]))
            self._remaining -= size
        return data[size:]

    def _step_sized(self, events: list[ParserEvent]) -> bool:
        buf = self._buf
        size = min(self._remaining, len(buf))
        if size:
            events.append(BodyChunk(bytes(buf[:size])))
            del buf[:size]
            self._remaining -= size
        if self._remaining:
            return False
        if self._state is _State.CHUNK_DATA:
            self._state = _State.CHUNK_CRLF
        else:
            self._end_message(events)
        return True

    def _step_chunk_line(self) -> bool:
        buf = self._buf
        nl = buf.find(b"\n", self._scan)
        if nl < 0:
            size = len(buf) - 1 if buf[-1:] == b"\r" else len(buf)
            if size > self.max_line_size:
                raise self._chunk_line_too_long(size)
            self._scan = len(buf)
            return False
        has_cr = nl > 0 and buf[nl - 1] == 0x0D
        if nl - has_cr > self.max_line_size:
            raise self._chunk_line_too_long(nl - has_cr)
        if not has_cr:
            raise TransferEncodingError("Bare LF where CRLF is required")
        line = bytes(buf[: nl - 1])
        del buf[: nl + 1]
        self._scan = 0
        size = _parse_chunk_size(line)
        if size:
            self._state = _State.CHUNK_DATA
            self._remaining = size
        else:
            self._state = _State.TRAILERS
        return True

    def _step_chunk_crlf(self, events: list[ParserEvent]) -> bool:
        buf = self._buf
        if buf[:2] == b"\r\n":
            del buf[:2]
            events.append(CHUNK_END)
            self._state = _State.CHUNK_LINE
            return True
        if len(buf) < 2 and (not buf or buf[0] == 0x0D):
            return False
        raise TransferEncodingError("Chunk data not followed by CRLF")

    def _chunk_line_too_long(self, size: int) -> LineTooLong:
        exc = LineTooLong("a chunk-size line", self.max_line_size, str(size))
        exc.code = 400
        return exc

    # Hooks for the two directions.

    def _check_start(self, buf: bytearray, scan: int) -> bool:
        """Refuse a start line whose first bytes already show it is bad.

        Returns True once the verdict is final, so that it is not redone;
        ``scan`` tells how much of ``buf`` an earlier call already saw.
        """
        raise NotImplementedError

    def _start_line_too_long(self, size: int) -> LineTooLong:
        raise NotImplementedError

    def _on_head(
        self, events: list[ParserEvent], start_line: bytes, block: bytes
    ) -> None:
        """Parse a start line and its field block; emit the head, set up the body."""
        raise NotImplementedError


_DIRECT_BODY_STATES: Final = frozenset(
    {_State.BODY_LENGTH, _State.CHUNK_DATA, _State.BODY_EOF}
)


def _has_bare_lf(block: bytes) -> bool:
    return block.count(b"\n") != block.count(b"\r\n")


def _parse_chunk_size(line: bytes) -> int:
    match = g.CHUNK_LINE_RE.fullmatch(line)
    if match is None:
        raise TransferEncodingError(f"Invalid chunk-size line {line[:50]!r}")
    digits = match.group(1)
    if len(digits) > g.MAX_CHUNK_SIZE_DIGITS:
        raise TransferEncodingError(f"Chunk size too large {digits[:50]!r}")
    size = int(digits, 16)
    if size > g.MAX_BODY_SIZE:
        raise TransferEncodingError(f"Chunk size too large {digits!r}")
    return size


class HttpRequestParserPy(_HttpParser):
    """Parses the requests a client sends to a server (pure Python)."""

    def __init__(
        self,
        *,
        max_line_size: int = 8190,
        max_field_size: int = 8190,
        max_headers: int = 128,
    ) -> None:
        super().__init__(
            max_line_size=max_line_size,
            max_field_size=max_field_size,
            max_headers=max_headers,
        )

    def _check_start(self, buf: bytearray, scan: int) -> bool:
        # Until decided, buf[:scan] is tchars, maybe with a CR at its end:
        # resuming one byte early keeps the search linear.
        match = g.TCHARS_RE.match(buf, max(scan - 1, 0))
        end = match.end() if match is not None else 0
        rest = bytes(buf[end : end + 2])
        if rest[:1] == b" " or rest == b"\r\n":
            return True
        if rest not in (b"", b"\r"):
            raise BadHttpMethod(bytes(buf[: end + 1]))
        return False

    def _start_line_too_long(self, size: int) -> LineTooLong:
        exc = LineTooLong("the request line", self.max_line_size, str(size))
        exc.code = 414
        return exc

    def _on_head(
        self, events: list[ParserEvent], start_line: bytes, block: bytes
    ) -> None:
        match = g.REQUEST_LINE_RE.fullmatch(start_line)
        if match is None:
            raise_request_line_error(start_line)
        method_b, target_b, major, minor = match.groups()
        version = parse_version(major, minor)
        method = method_b.decode("ascii")
        path = _decode(target_b)
        url = build_url(method, path, target_b)
        fields = self._parse_fields(block)
        summary = _FieldSummary(fields)
        _check_singletons(summary.lowered)
        upgrade = b"upgrade" in summary.connection and summary.upgrade
        framing = _request_framing(method, version, summary, upgrade)
        head = RawRequestMessage(
            method,
            path,
            version,
            _build_headers(fields),
            tuple(fields),
            summary.should_close(version),
            summary.compression(),
            upgrade,
            framing.body is _Body.CHUNKED,
            url,
        )
        self._begin_body(events, head, framing)


def _check_singletons(lowered: list[bytes]) -> None:
    if len(set(lowered)) == len(lowered):
        return
    seen: set[bytes] = set()
    for name in lowered:
        if name in seen and name in g.REQUEST_SINGLETON_FIELDS:
            if name == b"content-length":
                raise ContentLengthError("Duplicate Content-Length in a request")
            raise BadHttpMessage(f"Duplicate {name.decode('ascii')} field")
        seen.add(name)


def _request_framing(
    method: str, version: HttpVersion, summary: _FieldSummary, upgrade: bool
) -> _Framing:
    """RFC 9112 6.3 for requests: how long the body is."""
    length = summary.content_length_value()
    chunked = summary.transfer_encoding is not None
    if chunked and length is not None:
        raise BadHttpMessage("Content-Length and Transfer-Encoding in one request")
    if method == "CONNECT":
        if chunked or length:
            raise BadHttpMessage("A CONNECT request cannot have content")
        return _Framing(_Body.NONE, 0, True)
    if chunked:
        if version == HttpVersion10:
            raise BadHttpMessage("Transfer-Encoding in an HTTP/1.0 request")
        codings = summary.transfer_codings()
        misplaced = codings.count(b"chunked") != 1 or codings[-1] != b"chunked"
        if misplaced and (not codings or b"chunked" in codings):
            raise BadHttpMessage("chunked must be the last transfer coding, once")
        if codings != [b"chunked"]:
            raise UnsupportedTransferCoding(
                f"Unsupported transfer coding {b', '.join(codings)[:50]!r}"
            )
        return _Framing(_Body.CHUNKED, 0, upgrade)
    return _Framing(_Body.LENGTH, length or 0, upgrade)


class HttpResponseParserPy(_HttpParser):
    """Parses the responses a server sends to a client (pure Python)."""

    def __init__(
        self,
        *,
        max_line_size: int = 8190,
        max_field_size: int = 8190,
        max_headers: int = 128,
        read_until_eof: bool = True,
    ) -> None:
        super().__init__(
            max_line_size=max_line_size,
            max_field_size=max_field_size,
            max_headers=max_headers,
        )
        self.read_until_eof = read_until_eof
        #: Method of the request the next response answers.
        self.request_method: str = "GET"

    def _check_start(self, buf: bytearray, scan: int) -> bool:
        prefix = bytes(buf[:5])
        if not g.HTTP_NAME_SLASH.startswith(prefix):
            raise BadStatusLine(bytes(buf[:100]))
        return len(prefix) == 5

    def _start_line_too_long(self, size: int) -> LineTooLong:
        return LineTooLong("the status line", self.max_line_size, str(size))

    def _on_head(
        self, events: list[ParserEvent], start_line: bytes, block: bytes
    ) -> None:
        match = g.STATUS_LINE_RE.fullmatch(start_line)
        if match is None:
            raise_status_line_error(start_line)
        major, minor, code_b, reason_b = match.groups()
        version = parse_version(major, minor)
        code = int(code_b)
        fields = self._parse_fields(block)
        summary = _FieldSummary(fields)
        te = summary.transfer_encoding is not None
        codings = summary.transfer_codings() if te else []
        framing, forced_close = self._framing(version, code, summary, codings)
        head = RawResponseMessage(
            version,
            code,
            _decode(reason_b or b""),
            _build_headers(fields),
            tuple(fields),
            forced_close or summary.should_close(version),
            summary.compression(),
            code == 101,
            codings[-1:] == [b"chunked"],
        )
        self._begin_body(events, head, framing)

    def _framing(
        self,
        version: HttpVersion,
        code: int,
        summary: _FieldSummary,
        codings: list[bytes],
    ) -> tuple[_Framing, bool]:
        """RFC 9112 6.3 for responses: the framing and a forced close."""
        length = summary.content_length_value()
        te = summary.transfer_encoding is not None
        switch = code == 101 or (self.request_method == "CONNECT" and 200 <= code < 300)
        if switch or code < 200:
            return _Framing(_Body.NONE, 0, switch), False
        forced_close = te and (length is not None or version == HttpVersion10)
        if self.request_method == "HEAD" or code in _NO_BODY_STATUSES:
            return _Framing(_Body.NONE, 0, False), forced_close
        if te:
            if codings[-1:] == [b"chunked"]:
                if codings.count(b"chunked") > 1:
                    raise BadHttpMessage("chunked applied more than once")
                return _Framing(_Body.CHUNKED, 0, False), forced_close
            return _Framing(_Body.UNTIL_EOF, 0, False), True
        if length is not None:
            return _Framing(_Body.LENGTH, length, False), False
        if self.read_until_eof:
            return _Framing(_Body.UNTIL_EOF, 0, False), True
        return _Framing(_Body.NONE, 0, False), False


def _compiled_twin() -> ModuleType | None:
    """The compiled parser module, unless disabled or not built."""
    if os.environ.get("AIOHTTP_NO_EXTENSIONS"):
        return None
    try:
        from . import _http_parser
    except ImportError:
        return None
    return _http_parser


_compiled = _compiled_twin()
HttpRequestParserC: type[_http_parser.HttpRequestParser] | None = (
    None if _compiled is None else _compiled.HttpRequestParser
)
HttpResponseParserC: type[_http_parser.HttpResponseParser] | None = (
    None if _compiled is None else _compiled.HttpResponseParser
)

# Both twins have the same interface; type checkers see the pure classes.
if TYPE_CHECKING:
    HttpRequestParser = HttpRequestParserPy
    HttpResponseParser = HttpResponseParserPy
else:
    HttpRequestParser = HttpRequestParserC or HttpRequestParserPy
    HttpResponseParser = HttpResponseParserC or HttpResponseParserPy
