"""``UnixConnector``: connections to a Unix domain socket.

Every request goes to the one socket at ``path``, whatever the host in its
URL, which is how local daemons (Docker, systemd services) speak HTTP.  The
pool, its limits and keep-alive come from ``BaseConnector`` in ``pool``;
this module only opens the socket and names its errors.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from aiohttp_core.helpers import Sentinel, sentinel

from .client_proto import ResponseHandler
from .exceptions import UnixClientConnectorError
from .pool import BaseConnector, ConnectorTrace, ConnectRequest
from .timeouts import ClientTimeout

__all__ = ("UnixConnector",)


class UnixConnector(BaseConnector):
    """Connects to a Unix domain socket, whatever the URL's host."""

    def __init__(
        self,
        path: str,
        *,
        keepalive_timeout: float | Sentinel | None = sentinel,
        force_close: bool = False,
        limit: int = 100,
        limit_per_host: int = 0,
        timeout_ceil_threshold: float = 5,
        conn_timeout: float | None = None,
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        if conn_timeout is not None:
            # Long gone from BaseConnector; ClientTimeout.connect does this.
            raise TypeError("conn_timeout is not supported, use ClientTimeout")
        super().__init__(
            keepalive_timeout=keepalive_timeout,
            force_close=force_close,
            limit=limit,
            limit_per_host=limit_per_host,
            timeout_ceil_threshold=timeout_ceil_threshold,
            loop=loop,
        )
        self._path = path

    @property
    def path(self) -> str:
        """The path of the Unix socket."""
        return self._path

    async def _create_connection(
        self,
        req: ConnectRequest,
        traces: Sequence[ConnectorTrace],
        timeout: ClientTimeout,
    ) -> ResponseHandler:
        """Connect to the socket at ``path``."""
        try:
            with self._sock_connect_timeout(timeout.sock_connect, self._path):
                _, protocol = await self._loop.create_unix_connection(
                    self._factory, self._path
                )
        except OSError as exc:
            if exc.errno is None and isinstance(exc, asyncio.TimeoutError):
                raise
            raise UnixClientConnectorError(self._path, req.connection_key, exc) from exc
        return protocol
