"""The key under which the connector pools connections."""

from __future__ import annotations

import ssl
from typing import TYPE_CHECKING, NamedTuple

from yarl import URL

from aiohttp_core.basic_auth import BasicAuth

if TYPE_CHECKING:
    from .tls import Fingerprint

__all__ = ("ConnectionKey",)


class ConnectionKey(NamedTuple):
    """Connections are reused only between requests with equal keys."""

    host: str
    port: int | None
    is_ssl: bool
    ssl: ssl.SSLContext | Fingerprint | bool
    proxy: URL | None
    proxy_auth: BasicAuth | None
    proxy_headers_hash: int | None
    #: The name the server's certificate is checked against: a connection
    #: verified for one name must not serve requests meant for another.
    server_hostname: str | None = None
