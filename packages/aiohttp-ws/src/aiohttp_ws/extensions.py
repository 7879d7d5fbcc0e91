"""Negotiation of permessage-deflate (RFC 7692 section 7.1).

The server picks the first acceptable offer of the client's
Sec-WebSocket-Extensions with ``negotiate_deflate``; the client makes its
offer with ``deflate_offer`` and checks the answer with
``accept_deflate_response``.  Both sides then build their codec from the
agreed ``DeflateParams``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from .models import WSHandshakeError

__all__ = (
    "DeflateParams",
    "accept_deflate_response",
    "deflate_offer",
    "negotiate_deflate",
    "parse_extensions",
)

PERMESSAGE_DEFLATE: Final = "permessage-deflate"

# RFC 6455 section 9.1:
#   extension-list = 1#extension
#   extension = extension-token *( ";" extension-param )
#   extension-param = token [ "=" (token | quoted-string) ]
_TOKEN: Final = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_PARAM_RE: Final = re.compile(
    rf"[ \t]*({_TOKEN})(?:[ \t]*=[ \t]*(?:({_TOKEN})|\"({_TOKEN})\"))?[ \t]*",
    re.ASCII,
)
_NAME_RE: Final = re.compile(rf"[ \t]*({_TOKEN})[ \t]*", re.ASCII)
_BITS_RE: Final = re.compile(r"(?:8|9|1[0-5])", re.ASCII)

Params = list[tuple[str, "str | None"]]


@dataclass(frozen=True, slots=True)
class DeflateParams:
    """The agreed permessage-deflate parameters of one connection."""

    server_no_context_takeover: bool = False
    client_no_context_takeover: bool = False
    #: None when not sent: the full window of 15 bits.
    server_max_window_bits: int | None = None
    client_max_window_bits: int | None = None

    def header_value(self) -> str:
        """The extension as the server's Sec-WebSocket-Extensions says it."""
        parts = [PERMESSAGE_DEFLATE]
        if self.server_no_context_takeover:
            parts.append("server_no_context_takeover")
        if self.client_no_context_takeover:
            parts.append("client_no_context_takeover")
        if self.server_max_window_bits is not None:
            parts.append(f"server_max_window_bits={self.server_max_window_bits}")
        if self.client_max_window_bits is not None:
            parts.append(f"client_max_window_bits={self.client_max_window_bits}")
        return "; ".join(parts)

    def send_window_bits(self, is_server: bool) -> int:
        """The window our compressor may use on this side."""
        bits = self.server_max_window_bits if is_server else self.client_max_window_bits
        return 15 if bits is None else bits

    def send_no_context_takeover(self, is_server: bool) -> bool:
        """True when our compressor must start each message afresh."""
        if is_server:
            return self.server_no_context_takeover
        return self.client_no_context_takeover

    def receive_no_context_takeover(self, is_server: bool) -> bool:
        """True when the peer starts each message afresh."""
        if is_server:
            return self.client_no_context_takeover
        return self.server_no_context_takeover


def _split_list(value: str) -> list[str]:
    """Split at commas outside quoted strings."""
    parts: list[str] = []
    start = 0
    quoted = False
    for i, char in enumerate(value):
        if char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            parts.append(value[start:i])
            start = i + 1
    parts.append(value[start:])
    return parts


def parse_extensions(value: str) -> list[tuple[str, Params]]:
    """Parse Sec-WebSocket-Extensions into ``(name, [(param, value)])``.

    Names are lowered (ASCII); a malformed element raises ``ValueError``.
    """
    result: list[tuple[str, Params]] = []
    for element in _split_list(value):
        if not element.strip(" \t"):
            continue  # empty list elements are allowed (RFC 9110 5.6.1)
        name, *raw_params = element.split(";")
        match = _NAME_RE.fullmatch(name)
        if match is None:
            raise ValueError(f"Invalid extension: {element!r}")
        params: Params = []
        for raw in raw_params:
            param = _PARAM_RE.fullmatch(raw)
            if param is None:
                raise ValueError(f"Invalid extension parameter: {raw!r}")
            key, token, quoted = param.groups()
            params.append((key.lower(), token if quoted is None else quoted))
        result.append((match.group(1).lower(), params))
    return result


def _window_bits(value: str | None) -> int:
    if value is None or _BITS_RE.fullmatch(value) is None:
        raise ValueError(f"Invalid window bits: {value!r}")
    return int(value)


def _server_accepts(params: Params, *, no_context_takeover: bool) -> DeflateParams:
    """The answer to one offer of a client; ``ValueError`` to decline it."""
    seen: set[str] = set()
    server_nct = no_context_takeover
    client_nct = False
    server_bits: int | None = None
    for key, value in params:
        if key in seen:
            raise ValueError(f"Repeated parameter {key}")
        seen.add(key)
        if key == "server_no_context_takeover":
            if value is not None:
                raise ValueError(f"{key} takes no value")
            server_nct = True
        elif key == "client_no_context_takeover":
            if value is not None:
                raise ValueError(f"{key} takes no value")
            client_nct = True
        elif key == "server_max_window_bits":
            server_bits = _window_bits(value)
            if server_bits == 8:
                # zlib cannot compress with a 256-byte window: decline.
                raise ValueError("server_max_window_bits=8 is not supported")
        elif key == "client_max_window_bits":
            if value is not None:
                _window_bits(value)
            # Our decompressor reads any window: nothing to limit.
        else:
            raise ValueError(f"Unknown parameter {key}")
    return DeflateParams(
        server_no_context_takeover=server_nct,
        client_no_context_takeover=client_nct,
        server_max_window_bits=server_bits,
    )


def negotiate_deflate(
    header: str | None, *, no_context_takeover: bool = False
) -> DeflateParams | None:
    """The server's choice among the client's offers, None to decline all.

    ``no_context_takeover`` makes the server reset its compressor per
    message (saves memory per connection).  Malformed offers are declined,
    as RFC 7692 section 5 asks, rather than failing the handshake.
    """
    if not header:
        return None
    try:
        offers = parse_extensions(header)
    except ValueError:
        return None
    for name, params in offers:
        if name != PERMESSAGE_DEFLATE:
            continue
        try:
            return _server_accepts(params, no_context_takeover=no_context_takeover)
        except ValueError:
            continue
    return None


def deflate_offer(
    *, client_max_window_bits: int | None = None, no_context_takeover: bool = False
) -> str:
    """The client's Sec-WebSocket-Extensions offering permessage-deflate."""
    parts = [PERMESSAGE_DEFLATE]
    if client_max_window_bits is None:
        parts.append("client_max_window_bits")
    elif 9 <= client_max_window_bits <= 15:
        parts.append(f"client_max_window_bits={client_max_window_bits}")
    else:
        raise ValueError(
            f"client_max_window_bits must be 9..15, not {client_max_window_bits}"
        )
    if no_context_takeover:
        parts.append("client_no_context_takeover")
    return "; ".join(parts)


def accept_deflate_response(
    header: str | None,
    *,
    client_max_window_bits: int | None = None,
    no_context_takeover: bool = False,
) -> DeflateParams | None:
    """Check the server's answer to ``deflate_offer`` (same arguments).

    None when the server declined; ``WSHandshakeError`` when the answer is
    not one the offer allows (the client must then fail the connection).
    """
    if not header:
        return None
    try:
        extensions = parse_extensions(header)
    except ValueError as exc:
        raise WSHandshakeError(str(exc)) from None
    if not extensions:
        return None
    if len(extensions) != 1 or extensions[0][0] != PERMESSAGE_DEFLATE:
        names = ", ".join(name for name, _ in extensions)
        raise WSHandshakeError(f"Server accepted extensions not offered: {names}")
    seen: set[str] = set()
    fields: dict[str, bool | int | None] = {}
    for key, value in extensions[0][1]:
        if key in seen:
            raise WSHandshakeError(f"Repeated parameter {key}")
        seen.add(key)
        try:
            if key in ("server_no_context_takeover", "client_no_context_takeover"):
                if value is not None:
                    raise ValueError(f"{key} takes no value")
                fields[key] = True
            elif key in ("server_max_window_bits", "client_max_window_bits"):
                fields[key] = _window_bits(value)
            else:
                raise ValueError(f"Unknown parameter {key}")
        except ValueError as exc:
            raise WSHandshakeError(str(exc)) from None
    client_bits = fields.get("client_max_window_bits")
    if isinstance(client_bits, int):
        if client_max_window_bits is not None and client_bits > client_max_window_bits:
            raise WSHandshakeError("client_max_window_bits larger than offered")
        if client_bits == 8:
            raise WSHandshakeError("client_max_window_bits=8 is not supported")
    elif client_max_window_bits is not None:
        client_bits = client_max_window_bits
    return DeflateParams(
        server_no_context_takeover=bool(fields.get("server_no_context_takeover")),
        client_no_context_takeover=no_context_takeover
        or bool(fields.get("client_no_context_takeover")),
        server_max_window_bits=_int_or_none(fields.get("server_max_window_bits")),
        client_max_window_bits=_int_or_none(client_bits),
    )


def _int_or_none(value: bool | int | None) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
