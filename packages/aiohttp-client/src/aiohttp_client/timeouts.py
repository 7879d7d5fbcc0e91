"""Client timeout settings."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ("DEFAULT_TIMEOUT", "ClientTimeout", "ClientWSTimeout")


@dataclass(frozen=True, slots=True)
class ClientTimeout:
    """Timeouts of one request, in seconds; ``None`` or 0 disables one.

    ``total`` bounds the whole request including redirects and reading the
    body, ``connect`` getting a connection (pool wait included),
    ``sock_connect`` connecting one socket, ``sock_read`` the wait for each
    piece of data.  Deadlines at or above ``ceil_threshold`` seconds are
    rounded up to a whole second so that timers can be shared.
    """

    total: float | None = None
    connect: float | None = None
    sock_read: float | None = None
    sock_connect: float | None = None
    ceil_threshold: float = 5


@dataclass(frozen=True, slots=True)
class ClientWSTimeout:
    """Timeouts of a client WebSocket: one ``receive()`` and the closing handshake."""

    ws_receive: float | None = None
    ws_close: float | None = None


#: 5 minutes for the whole request, 30 seconds to connect a socket.
DEFAULT_TIMEOUT = ClientTimeout(total=5 * 60, sock_connect=30)
