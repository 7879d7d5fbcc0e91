"""Types of the compiled parser twin; ``http_parser`` documents the contract."""

from .http_messages import ParserEvent

__all__ = ("HttpRequestParser", "HttpResponseParser")

class _HttpParser:
    max_line_size: int
    max_field_size: int
    max_headers: int

    def feed_data(self, data: bytes) -> list[ParserEvent]:
        """Parse more bytes from the peer; return the events they complete.

        An ``HttpProcessingError`` raised carries the events completed before
        it as its ``events``.
        """

    def feed_eof(self) -> list[ParserEvent]:
        """The peer closed: end a body read until EOF, or raise if one was cut."""

class HttpRequestParser(_HttpParser):
    """Parses the requests a client sends to a server (compiled)."""

    def __init__(
        self,
        *,
        max_line_size: int = 8190,
        max_field_size: int = 8190,
        max_headers: int = 128,
    ) -> None: ...

class HttpResponseParser(_HttpParser):
    """Parses the responses a server sends to a client (compiled)."""

    read_until_eof: bool
    #: Method of the request the next response answers.
    request_method: str

    def __init__(
        self,
        *,
        max_line_size: int = 8190,
        max_field_size: int = 8190,
        max_headers: int = 128,
        read_until_eof: bool = True,
    ) -> None: ...
