"""The connectors, under the name they are imported by.

The code lives in modules named for what they hold: the pool and the
``Connection`` it hands out in ``pool``, the DNS cache in ``dns_cache``,
TCP with TLS and proxies in ``tcp_connector`` (the CONNECT exchange in
``proxy_tunnel``) and Unix sockets in ``unix_connector``.  This module
gathers their public names so that ``aiohttp_client.connector`` keeps
offering everything a caller or a custom connector needs in one place.
"""

from __future__ import annotations

from .dns_cache import DNS_CACHE_MAX_ENTRIES
from .pool import (
    CLEANUP_CLOSED_DELAY,
    DEFAULT_KEEPALIVE_TIMEOUT,
    BaseConnector,
    Connection,
    ConnectorTrace,
    ConnectRequest,
)
from .tcp_connector import AddrInfoType, SocketFactoryType, TCPConnector
from .unix_connector import UnixConnector

__all__ = (
    "CLEANUP_CLOSED_DELAY",
    "DEFAULT_KEEPALIVE_TIMEOUT",
    "DNS_CACHE_MAX_ENTRIES",
    "AddrInfoType",
    "BaseConnector",
    "ConnectRequest",
    "Connection",
    "ConnectorTrace",
    "SocketFactoryType",
    "TCPConnector",
    "UnixConnector",
)
