"""``RequestSender``: the innermost handler of the middleware chain.

It does what one hop needs on the wire: get a connection from the connector
(under the ``connect`` timeout), prepare the protocol for the response,
write the request, read the response head and store the cookies it sets.
"""

from __future__ import annotations

from http.cookies import SimpleCookie

from aiohttp_core import hdrs

from .exceptions import ClientError, ClientOSError, ConnectionTimeoutError
from .request import ClientRequest
from .response import ClientResponse
from .timeouts import ClientTimeout
from .timer import Deadline

__all__ = ("RequestSender",)


class RequestSender:
    """The per-call values the innermost handler needs, and the handler itself.

    A session keeps one for calls that override none of its settings, so
    that the common request builds none.
    """

    __slots__ = (
        "auto_decompress",
        "max_field_size",
        "max_line_size",
        "read_bufsize",
        "read_until_eof",
        "timeout",
    )

    def __init__(
        self,
        *,
        read_until_eof: bool,
        read_bufsize: int,
        auto_decompress: bool,
        max_line_size: int,
        max_field_size: int,
        timeout: ClientTimeout,
    ) -> None:
        self.read_until_eof = read_until_eof
        self.read_bufsize = read_bufsize
        self.auto_decompress = auto_decompress
        self.max_line_size = max_line_size
        self.max_field_size = max_field_size
        self.timeout = timeout

    async def send(self, req: ClientRequest) -> ClientResponse:
        """Get a connection, write ``req`` and read the response head."""
        session = req.session
        connector = None if session is None else session.connector
        if session is None or connector is None:
            raise RuntimeError("Session is closed")
        timeout = self.timeout
        if not timeout.connect:
            conn = await connector.connect(req, req._traces, timeout)
        else:
            connect_deadline = Deadline(
                req.loop,
                timeout.connect,
                timeout.ceil_threshold,
                lambda: ConnectionTimeoutError(f"Connection timeout to host {req.url}"),
            )
            try:
                with connect_deadline:
                    conn = await connector.connect(req, req._traces, timeout)
            finally:
                connect_deadline.cancel()
        protocol = conn.protocol
        if protocol is None:  # pragma: no cover - a fresh connection has one
            conn.close()
            raise ClientOSError("Connection closed")
        protocol.set_response_params(
            timer=req._timer,
            skip_payload=req.method == hdrs.METH_HEAD,
            read_until_eof=self.read_until_eof,
            auto_decompress=self.auto_decompress,
            read_timeout=timeout.sock_read,
            read_bufsize=self.read_bufsize,
            timeout_ceil_threshold=timeout.ceil_threshold,
            max_line_size=self.max_line_size,
            max_field_size=self.max_field_size,
            request_method=req.method,
        )
        try:
            resp = await req.send(conn)
            try:
                await resp.start(conn)
            except BaseException:
                resp.close()
                raise
        except ClientError:
            conn.close()
            raise
        except OSError as exc:
            conn.close()
            raise ClientOSError(*exc.args) from exc
        except BaseException:
            conn.close()
            raise
        set_cookies = resp.headers.getall(hdrs.SET_COOKIE, ())
        if set_cookies:
            jar = session.cookie_jar
            for value in set_cookies:
                cookie: SimpleCookie = SimpleCookie()
                try:
                    cookie.load(value)
                except Exception:
                    continue
                jar.update_cookies(cookie, resp.url)
        return resp
