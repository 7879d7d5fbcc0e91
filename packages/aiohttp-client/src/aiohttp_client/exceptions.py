"""The client's exception hierarchy, as ``client_reference.rst`` documents it."""

from __future__ import annotations

import asyncio
import ssl
from typing import TYPE_CHECKING, Any

from multidict import MultiMapping
from yarl import URL

# Classes raised below the client too (by the message writer, by both
# WebSocket ends): one class each, so that one except clause catches both.
from aiohttp_core.connection_errors import (
    ClientConnectionError,
    ClientConnectionResetError,
    ClientError,
)
from aiohttp_ws import WSMessageTypeError

if TYPE_CHECKING:
    from .connection_key import ConnectionKey
    from .request_info import RequestInfo

__all__ = (
    "ClientConnectionError",
    "ClientConnectionResetError",
    "ClientConnectorCertificateError",
    "ClientConnectorDNSError",
    "ClientConnectorError",
    "ClientConnectorSSLError",
    "ClientError",
    "ClientHttpProxyError",
    "ClientOSError",
    "ClientPayloadError",
    "ClientProxyConnectionError",
    "ClientResponseError",
    "ClientSSLError",
    "ConnectionTimeoutError",
    "ContentTypeError",
    "InvalidURL",
    "InvalidUrlClientError",
    "InvalidUrlRedirectClientError",
    "NonHttpUrlClientError",
    "NonHttpUrlRedirectClientError",
    "RedirectClientError",
    "ServerConnectionError",
    "ServerDisconnectedError",
    "ServerFingerprintMismatch",
    "ServerTimeoutError",
    "SocketTimeoutError",
    "TooManyRedirects",
    "UnixClientConnectorError",
    "WSMessageTypeError",
    "WSServerHandshakeError",
)


class ClientResponseError(ClientError):
    """A response arrived but it is an error, or it could not be handled."""

    def __init__(
        self,
        request_info: RequestInfo,
        history: tuple[Any, ...],
        *,
        status: int | None = None,
        message: str = "",
        headers: MultiMapping[str] | None = None,
    ) -> None:
        self.request_info = request_info
        self.status = 0 if status is None else status
        self.message = message
        self.headers = headers
        self.history = history
        super().__init__(request_info)

    @property
    def code(self) -> int:
        """The status code; an old name of ``status``."""
        return self.status

    def __str__(self) -> str:
        url = self.request_info.real_url
        return f"{self.status}, message={self.message!r}, url={url!r}"

    def __repr__(self) -> str:
        args = f"{self.request_info!r}, {self.history!r}"
        if self.status != 0:
            args += f", status={self.status!r}"
        if self.message != "":
            args += f", message={self.message!r}"
        if self.headers is not None:
            args += f", headers={self.headers!r}"
        return f"{type(self).__name__}({args})"


class ContentTypeError(ClientResponseError):
    """``json()`` found a Content-Type it was not told to accept."""


class WSServerHandshakeError(ClientResponseError):
    """The server did not accept the WebSocket handshake."""


class ClientHttpProxyError(ClientResponseError):
    """The proxy answered a CONNECT with something other than 2xx."""


class TooManyRedirects(ClientResponseError):
    """The request was redirected more than ``max_redirects`` times."""


class ClientOSError(ClientConnectionError, OSError):
    """A connection error caused by an ``OSError``."""


class ClientConnectorError(ClientOSError):
    """The connector could not open a connection to the host."""

    def __init__(self, connection_key: ConnectionKey, os_error: OSError) -> None:
        self._conn_key = connection_key
        self._os_error = os_error
        super().__init__(os_error.errno, os_error.strerror)
        self.args = (connection_key, os_error)

    @property
    def os_error(self) -> OSError:
        """The underlying ``OSError``."""
        return self._os_error

    @property
    def host(self) -> str:
        """The host that could not be reached."""
        return self._conn_key.host

    @property
    def port(self) -> int | None:
        """The port that could not be reached."""
        return self._conn_key.port

    @property
    def ssl(self) -> ssl.SSLContext | bool | Any:
        """The TLS setting of the attempted connection."""
        return self._conn_key.ssl

    def __str__(self) -> str:
        tls = "default" if self.ssl is True else self.ssl
        return (
            f"Cannot connect to host {self.host}:{self.port} ssl:{tls} "
            f"[{self.strerror or self._os_error}]"
        )

    # OSError's pickling passes (errno, strerror); keep our own arguments.
    __reduce__ = BaseException.__reduce__


class ClientConnectorDNSError(ClientConnectorError):
    """The host name could not be resolved."""


class ClientProxyConnectionError(ClientConnectorError):
    """The proxy could not be reached."""


class UnixClientConnectorError(ClientConnectorError):
    """The Unix socket could not be connected."""

    def __init__(
        self, path: str, connection_key: ConnectionKey, os_error: OSError
    ) -> None:
        self._path = path
        super().__init__(connection_key, os_error)

    @property
    def path(self) -> str:
        """The socket path that could not be connected."""
        return self._path

    def __str__(self) -> str:
        tls = "default" if self.ssl is True else self.ssl
        return (
            f"Cannot connect to unix socket {self.path} ssl:{tls} "
            f"[{self.strerror or self._os_error}]"
        )


class ServerConnectionError(ClientConnectionError):
    """The server misbehaved at the connection level."""


class ServerDisconnectedError(ServerConnectionError):
    """The server closed the connection before the response was complete."""

    def __init__(self, message: Any = None) -> None:
        if message is None:
            message = "Server disconnected"
        self.args = (message,)
        self.message = message


class ServerTimeoutError(ServerConnectionError, asyncio.TimeoutError):
    """A server operation timed out (connecting or reading)."""


class ConnectionTimeoutError(ServerTimeoutError):
    """The ``connect`` or ``sock_connect`` timeout expired."""


class SocketTimeoutError(ServerTimeoutError):
    """The ``sock_read`` timeout expired."""


class ServerFingerprintMismatch(ServerConnectionError):
    """The server's certificate does not have the expected fingerprint."""

    def __init__(self, expected: bytes, got: bytes, host: str, port: int) -> None:
        self.expected = expected
        self.got = got
        self.host = host
        self.port = port
        self.args = (expected, got, host, port)

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} expected={self.expected!r} "
            f"got={self.got!r} host={self.host!r} port={self.port!r}>"
        )


class ClientPayloadError(ClientError):
    """The response body is broken: bad compression, chunking or length."""


class InvalidURL(ClientError, ValueError):
    """The URL cannot be fetched, e.g. it has no host."""

    def __init__(self, url: str | URL, description: str | None = None) -> None:
        self._url = url
        self._description = description
        if description:
            super().__init__(url, description)
        else:
            super().__init__(url)

    @property
    def url(self) -> str | URL:
        """The URL at fault."""
        return self._url

    @property
    def description(self) -> str | None:
        """Why the URL is refused, if known."""
        return self._description

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self}>"

    def __str__(self) -> str:
        if self._description:
            return f"{self._url} - {self._description}"
        return str(self._url)


class InvalidUrlClientError(InvalidURL):
    """A URL given to the client is malformed."""


class RedirectClientError(ClientError):
    """A redirect cannot be followed."""


class NonHttpUrlClientError(ClientError):
    """A URL given to the client is not http(s)."""

    def __init__(self, url: str | URL, description: str | None = None) -> None:
        self._url = url
        self._description = description
        if description:
            super().__init__(url, description)
        else:
            super().__init__(url)

    @property
    def url(self) -> str | URL:
        """The URL at fault."""
        return self._url

    @property
    def description(self) -> str | None:
        """Why the URL is refused, if known."""
        return self._description

    def __str__(self) -> str:
        if self._description:
            return f"{self._url} - {self._description}"
        return str(self._url)


class InvalidUrlRedirectClientError(InvalidUrlClientError, RedirectClientError):
    """A redirect points to a malformed URL."""


class NonHttpUrlRedirectClientError(NonHttpUrlClientError, RedirectClientError):
    """A redirect points to a URL that is not http(s)."""


class ClientSSLError(ClientConnectorError):
    """A TLS problem while connecting."""


class ClientConnectorSSLError(ClientSSLError, ssl.SSLError):
    """The TLS handshake failed."""


class ClientConnectorCertificateError(ClientSSLError, ssl.CertificateError):
    """The server's certificate did not verify."""

    def __init__(
        self, connection_key: ConnectionKey, certificate_error: Exception
    ) -> None:
        self._conn_key = connection_key
        self._certificate_error = certificate_error
        self._os_error = OSError(str(certificate_error))
        self.args = (connection_key, certificate_error)

    @property
    def certificate_error(self) -> Exception:
        """The underlying certificate error."""
        return self._certificate_error

    def __str__(self) -> str:
        return (
            f"Cannot connect to host {self.host}:{self.port} ssl:{self.ssl} "
            f"[{type(self._certificate_error).__name__}: "
            f"{self._certificate_error.args}]"
        )
