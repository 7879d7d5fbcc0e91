"""The CONNECT exchange that opens a tunnel through an HTTP proxy.

To reach an https origin through a proxy, ``TCPConnector`` connects to the
proxy, sends ``CONNECT host:port`` (RFC 9110 9.3.6) with the proxy's
headers and credentials, and waits for a 2xx answer; from then on the
connection carries bytes to the origin, and the connector starts TLS on
it.  This module holds that exchange, up to the 2xx, so that the connector
keeps only the socket and TLS handling.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from aiohttp_core import hdrs

from .client_proto import ResponseHandler
from .exceptions import ClientHttpProxyError
from .request_info import RequestInfo
from .timeouts import ClientTimeout

if TYPE_CHECKING:
    from .pool import ConnectRequest

__all__ = ("connect_authority", "request_tunnel")


def connect_authority(host: str, port: int) -> str:
    """The ``host:port`` target of CONNECT, with an IPv6 host in brackets."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _check_header_values(headers: CIMultiDict[str]) -> None:
    for name, value in headers.items():
        if any(c in value or c in name for c in "\r\n\x00"):
            raise ValueError(f"invalid character in proxy header {name!r}")


async def request_tunnel(
    req: ConnectRequest,
    proxy: URL,
    authority: str,
    protocol: ResponseHandler,
    transport: asyncio.Transport,
    timeout: ClientTimeout,
    timeout_ceil_threshold: float,
) -> None:
    """Ask the proxy on ``transport`` for a tunnel to ``authority``.

    Returns once the proxy answered 2xx: the caller starts TLS on
    ``transport`` next.  Raises ``ClientHttpProxyError`` if the proxy
    refuses, and ``ValueError`` for a CR, LF or NUL in a proxy header.
    """
    headers: CIMultiDict[str] = CIMultiDict()
    headers[hdrs.HOST] = authority
    if req.proxy_headers:
        headers.update(req.proxy_headers)
    if req.proxy_auth is not None:
        headers[hdrs.PROXY_AUTHORIZATION] = req.proxy_auth.encode()
    _check_header_values(headers)
    head = f"CONNECT {authority} HTTP/1.1\r\n" + "".join(
        f"{name}: {value}\r\n" for name, value in headers.items()
    )
    protocol.set_response_params(
        # A refusal may come without a length, to be read until close.
        read_until_eof=True,
        request_method=hdrs.METH_CONNECT,
        read_timeout=timeout.sock_read,
        timeout_ceil_threshold=timeout_ceil_threshold,
    )
    transport.write(head.encode("latin-1") + b"\r\n")
    while True:
        message, _ = await protocol.read_head()
        if message.code >= 200 or message.code == 101:
            break
    if not 200 <= message.code < 300:
        raise ClientHttpProxyError(
            RequestInfo(proxy, hdrs.METH_CONNECT, CIMultiDictProxy(headers)),
            (),
            status=message.code,
            message=message.reason,
            headers=message.headers,
        )
