"""Free ports and listening sockets for test servers."""

from __future__ import annotations

import errno
import socket

__all__ = ("get_port_socket", "unused_port")


def get_port_socket(
    host: str, port: int, family: socket.AddressFamily = socket.AF_INET
) -> socket.socket:
    """A TCP socket bound to ``host:port`` (port 0 picks a free one).

    A port that is taken raises ``OSError`` (EADDRINUSE) naming the address,
    so a test says which server could not start.
    """
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        # Lets a test server restart on the port its predecessor used while
        # that one's connections sit in TIME_WAIT; a port with a live
        # listener is still refused.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise OSError(
                exc.errno,
                f"Cannot start a test server on {host}:{port}: "
                "the address is already in use",
            ) from exc
        raise
    return sock


def unused_port() -> int:
    """A TCP port on 127.0.0.1 that is free now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
