"""permessage-deflate: negotiation (RFC 7692 7.1) and the codec."""

from __future__ import annotations

import zlib

import pytest

from aiohttp_ws import DeflateParams, WebSocketError, WSCloseCode
from aiohttp_ws.deflate import Deflater, Inflater
from aiohttp_ws.extensions import (
    accept_deflate_response,
    deflate_offer,
    negotiate_deflate,
    parse_extensions,
)
from aiohttp_ws.models import WSHandshakeError


def test_parse_extensions() -> None:
    assert parse_extensions('permessage-deflate; a=1; b="2", x-foo, ') == [
        ("permessage-deflate", [("a", "1"), ("b", "2")]),
        ("x-foo", []),
    ]
    for bad in ["a;", "a; b=", "a b", 'a; b="c d"', "\u212a"]:
        with pytest.raises(ValueError, match="Invalid extension"):
            parse_extensions(bad)


@pytest.mark.parametrize(
    ("offer", "answer"),
    [
        (None, None),
        ("x-other", None),
        ("permessage-deflate", DeflateParams()),
        (
            "permessage-deflate; client_max_window_bits",
            DeflateParams(),
        ),
        (
            "permessage-deflate; server_no_context_takeover; "
            "client_no_context_takeover; server_max_window_bits=9",
            DeflateParams(True, True, 9, None),
        ),
        # The first acceptable offer wins; bad ones are declined.
        (
            "permessage-deflate; server_max_window_bits=8, "
            "permessage-deflate; server_max_window_bits=16, "
            "permessage-deflate; unknown, "
            "permessage-deflate; server_no_context_takeover=1, "
            "permessage-deflate; server_no_context_takeover; "
            "server_no_context_takeover, "
            "permessage-deflate; server_max_window_bits=12",
            DeflateParams(server_max_window_bits=12),
        ),
        ("permessage-deflate; server_max_window_bits=08", None),
        ("permessage-deflate;;", None),
    ],
)
def test_server_negotiation(offer: str | None, answer: DeflateParams | None) -> None:
    assert negotiate_deflate(offer) == answer


def test_server_may_insist_on_no_context_takeover() -> None:
    agreed = negotiate_deflate("permessage-deflate", no_context_takeover=True)
    assert agreed == DeflateParams(server_no_context_takeover=True)
    assert agreed.header_value() == "permessage-deflate; server_no_context_takeover"


def test_client_offer_and_answers() -> None:
    assert deflate_offer() == "permessage-deflate; client_max_window_bits"
    assert deflate_offer(client_max_window_bits=10, no_context_takeover=True) == (
        "permessage-deflate; client_max_window_bits=10; client_no_context_takeover"
    )
    with pytest.raises(ValueError, match=r"9\.\.15"):
        deflate_offer(client_max_window_bits=16)
    assert accept_deflate_response(None) is None
    assert accept_deflate_response(
        "permessage-deflate; client_max_window_bits=10; server_no_context_takeover"
    ) == DeflateParams(server_no_context_takeover=True, client_max_window_bits=10)
    for bad in [
        "x-other",
        "permessage-deflate, permessage-deflate",
        "permessage-deflate; unknown",
        "permessage-deflate; server_max_window_bits=7",
        "permessage-deflate; client_max_window_bits=8",
        "permessage-deflate; server_no_context_takeover=yes",
    ]:
        with pytest.raises(WSHandshakeError):
            accept_deflate_response(bad)
    with pytest.raises(WSHandshakeError):
        accept_deflate_response(
            "permessage-deflate; client_max_window_bits=12", client_max_window_bits=10
        )


@pytest.mark.parametrize("reset", [False, True])
@pytest.mark.parametrize("bits", [9, 12, 15])
def test_codec_round_trip(reset: bool, bits: int) -> None:
    deflater = Deflater(window_bits=bits, no_context_takeover=reset)
    inflater = Inflater(no_context_takeover=reset)
    for level in (None, None, 1, None, 0):
        message = b"round trip " * 100
        payload = deflater.compress(message, level)
        assert inflater.feed(payload, None) + inflater.finish(None) == message


def test_inflater_limit_one_under_and_over() -> None:
    comp = zlib.compressobj(wbits=-15)
    payload = comp.compress(b"a" * 100) + comp.flush(zlib.Z_SYNC_FLUSH)
    assert Inflater().feed(payload, 100) == b"a" * 100
    with pytest.raises(WebSocketError) as info:
        Inflater().feed(payload, 99)
    assert info.value.code == WSCloseCode.MESSAGE_TOO_BIG


def test_deflater_window_bits() -> None:
    with pytest.raises(ValueError, match=r"9\.\.15"):
        Deflater(window_bits=8)
