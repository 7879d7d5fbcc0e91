"""The connection errors raised below the client, as ``client_reference.rst``
names them.

``aiohttp.ClientConnectionResetError`` is what writing to a closing
connection raises on either side: the message writer and the server's
``WebSocketResponse`` raise it too (``web_reference.rst``), and those sit
below the client.  So it lives here, with the two classes it derives from;
``aiohttp_client.exceptions`` builds the rest of the hierarchy on them.
"""

from __future__ import annotations

__all__ = ("ClientConnectionError", "ClientConnectionResetError", "ClientError")


class ClientError(Exception):
    """Base class of every client error."""


class ClientConnectionError(ClientError):
    """A low-level connection problem."""


class ClientConnectionResetError(ClientConnectionError, ConnectionResetError):
    """The connection was reset while it was in use."""
