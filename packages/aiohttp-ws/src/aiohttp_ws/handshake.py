"""The opening handshake (RFC 6455 section 4), for servers and clients.

Server: ``server_handshake(method, headers, ...)`` checks an upgrade
request and returns the header fields of the 101 answer with what was
agreed, or raises ``WSHandshakeError`` whose ``status`` is the HTTP error to
answer with.

Client: ``ClientHandshake(...)`` makes the request header fields
(``request_headers``) and checks the server's answer
(``check_response``), raising ``WSHandshakeError`` when the client must
fail the connection.

Header tokens are compared as ASCII only: ``str.lower`` would turn the
Kelvin sign (U+212A) into ``k`` and let ``websoc\u212aet`` pass.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from multidict import MultiMapping

from .extensions import DeflateParams, accept_deflate_response, deflate_offer
from .extensions import negotiate_deflate as _negotiate_deflate
from .models import WSHandshakeError

__all__ = (
    "WS_KEY",
    "ClientHandshake",
    "HandshakeResult",
    "ServerHandshake",
    "accept_value",
    "has_token",
    "make_key",
    "server_handshake",
    "valid_key",
)

#: The GUID of RFC 6455 section 1.3, appended to the key before hashing.
WS_KEY: Final = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
WS_VERSION: Final = "13"

_UPPER: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ASCII_LOWER: Final = str.maketrans(_UPPER, _UPPER.lower())


def _ascii_lower(value: str) -> str:
    return value.translate(_ASCII_LOWER)


def _tokens(values: Iterable[str]) -> list[str]:
    """The comma-separated elements of all ``values``, stripped."""
    return [
        token.strip(" \t")
        for value in values
        for token in value.split(",")
        if token.strip(" \t")
    ]


def has_token(values: Iterable[str], token: str) -> bool:
    """True when a list header holds ``token`` (ASCII case-insensitive)."""
    return any(_ascii_lower(item) == token for item in _tokens(values))


def make_key() -> str:
    """A fresh Sec-WebSocket-Key: 16 random bytes, base64."""
    return base64.b64encode(os.urandom(16)).decode("ascii")


def valid_key(key: str) -> bool:
    """True when ``key`` is the base64 of 16 bytes."""
    try:
        raw = base64.b64decode(key.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        return False
    return len(raw) == 16


def accept_value(key: str) -> str:
    """The Sec-WebSocket-Accept that answers ``key``."""
    digest = hashlib.sha1(key.encode("ascii") + WS_KEY).digest()
    return base64.b64encode(digest).decode("ascii")


@dataclass(frozen=True, slots=True)
class HandshakeResult:
    """What the handshake agreed on."""

    protocol: str | None
    deflate: DeflateParams | None


@dataclass(frozen=True, slots=True)
class ServerHandshake:
    """The server's side of an accepted handshake."""

    headers: tuple[tuple[str, str], ...]
    protocol: str | None
    deflate: DeflateParams | None


def _choose_protocol(offered: list[str], protocols: Sequence[str]) -> str | None:
    """The first of the client's protocols that the server supports."""
    for proto in offered:
        if proto in protocols:
            return proto
    return None


def server_handshake(
    method: str,
    headers: MultiMapping[str],
    *,
    protocols: Sequence[str] = (),
    compress: bool = True,
    no_context_takeover: bool = False,
) -> ServerHandshake:
    """Check an upgrade request; return the 101's header fields and choices.

    Raises ``WSHandshakeError`` with ``status`` 405 for a method other than
    GET and 400 for anything else wrong.
    """
    if method != "GET":
        raise WSHandshakeError(f"WebSocket needs GET, not {method}", status=405)
    if not has_token(headers.getall("Upgrade", ()), "websocket"):
        raise WSHandshakeError(
            'No WebSocket UPGRADE hdr: {}\n Can "Upgrade" only to "WebSocket".'.format(
                headers.get("Upgrade")
            )
        )
    if not has_token(headers.getall("Connection", ()), "upgrade"):
        raise WSHandshakeError(
            "No CONNECTION upgrade hdr: {}".format(headers.get("Connection"))
        )
    version = headers.get("Sec-WebSocket-Version", "")
    if version.strip(" \t") != WS_VERSION:
        raise WSHandshakeError(f"Unsupported version: {version}")
    keys = headers.getall("Sec-WebSocket-Key", ())
    key = keys[0].strip(" \t") if len(keys) == 1 else ""
    if not valid_key(key):
        raise WSHandshakeError(f"Handshake error: {key!r}")
    protocol = _choose_protocol(
        _tokens(headers.getall("Sec-WebSocket-Protocol", ())), protocols
    )
    deflate = None
    if compress:
        offers = ", ".join(headers.getall("Sec-WebSocket-Extensions", ()))
        deflate = _negotiate_deflate(offers, no_context_takeover=no_context_takeover)
    fields = [
        ("Upgrade", "websocket"),
        ("Connection", "upgrade"),
        ("Sec-WebSocket-Accept", accept_value(key)),
    ]
    if protocol is not None:
        fields.append(("Sec-WebSocket-Protocol", protocol))
    if deflate is not None:
        fields.append(("Sec-WebSocket-Extensions", deflate.header_value()))
    return ServerHandshake(tuple(fields), protocol, deflate)


class ClientHandshake:
    """The client's side of one handshake: its request fields, its checks."""

    __slots__ = ("_compress", "_no_context_takeover", "key", "protocols")

    def __init__(
        self,
        *,
        protocols: Sequence[str] = (),
        compress: int = 0,
        no_context_takeover: bool = False,
        key: str | None = None,
    ) -> None:
        if compress and not 9 <= compress <= 15:
            raise ValueError(f"compress must be 0 or 9..15, not {compress}")
        self.protocols = tuple(protocols)
        self._compress = compress
        self._no_context_takeover = no_context_takeover
        #: The Sec-WebSocket-Key sent.
        self.key = make_key() if key is None else key

    def request_headers(self) -> dict[str, str]:
        """The header fields the upgrade request (a GET) must carry."""
        fields = {
            "Upgrade": "websocket",
            "Connection": "Upgrade",
            "Sec-WebSocket-Version": WS_VERSION,
            "Sec-WebSocket-Key": self.key,
        }
        if self.protocols:
            fields["Sec-WebSocket-Protocol"] = ",".join(self.protocols)
        if self._compress:
            fields["Sec-WebSocket-Extensions"] = deflate_offer(
                client_max_window_bits=None if self._compress == 15 else self._compress,
                no_context_takeover=self._no_context_takeover,
            )
        return fields

    def check_response(
        self, status: int, headers: MultiMapping[str]
    ) -> HandshakeResult:
        """Check the server's answer; ``WSHandshakeError`` if it is no upgrade."""
        if status != 101:
            raise WSHandshakeError(f"Invalid response status {status}", status=status)
        if not has_token(headers.getall("Upgrade", ()), "websocket"):
            raise WSHandshakeError(f"Invalid upgrade header {headers.get('Upgrade')}")
        if not has_token(headers.getall("Connection", ()), "upgrade"):
            raise WSHandshakeError(
                f"Invalid connection header {headers.get('Connection')}"
            )
        accept = headers.get("Sec-WebSocket-Accept", "").strip(" \t")
        if accept != accept_value(self.key):
            raise WSHandshakeError("Invalid challenge response")
        protocol = headers.get("Sec-WebSocket-Protocol")
        if protocol is not None:
            protocol = protocol.strip(" \t")
            if protocol not in self.protocols:
                raise WSHandshakeError(
                    f"Server chose a protocol not offered: {protocol}"
                )
        extensions = ", ".join(headers.getall("Sec-WebSocket-Extensions", ()))
        deflate = None
        if extensions:
            if not self._compress:
                raise WSHandshakeError("Server sent extensions that were not offered")
            deflate = accept_deflate_response(
                extensions,
                client_max_window_bits=None if self._compress == 15 else self._compress,
                no_context_takeover=self._no_context_takeover,
            )
        return HandshakeResult(protocol, deflate)
