"""Handshake helpers: keys, the server's checks, the client's checks."""

from __future__ import annotations

import pytest
from multidict import CIMultiDict

from aiohttp_ws import (
    ClientHandshake,
    DeflateParams,
    WSHandshakeError,
    accept_value,
    make_key,
    server_handshake,
)
from aiohttp_ws.handshake import valid_key


def request_headers(**extra: str) -> CIMultiDict[str]:
    headers = CIMultiDict(
        {
            "Upgrade": "websocket",
            "Connection": "Upgrade",
            "Sec-WebSocket-Version": "13",
            "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        }
    )
    for name, value in extra.items():
        headers[name.replace("_", "-")] = value
    return headers


def test_rfc_example_accept_value() -> None:
    # RFC 6455 section 1.3.
    assert accept_value("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="


def test_keys() -> None:
    key = make_key()
    assert valid_key(key)
    assert make_key() != key
    for bad in [
        "",
        "abc",
        "dGhlIHNhbXBsZSBub25jZQ",
        "dGhlIHNhbXBsZSBub25jZQ==x",
        "\u00e9",
    ]:
        assert not valid_key(bad)


def test_server_accepts() -> None:
    agreed = server_handshake("GET", request_headers())
    assert dict(agreed.headers)["Sec-WebSocket-Accept"] == (
        "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
    )
    assert agreed.protocol is None
    assert agreed.deflate is None


@pytest.mark.parametrize(
    ("method", "changes", "status"),
    [
        ("POST", {}, 405),
        ("GET", {"Upgrade": "h2c"}, 400),
        ("GET", {"Upgrade": "websoc\u212aet"}, 400),
        ("GET", {"Connection": "keep-alive"}, 400),
        ("GET", {"Connection": "upgradex"}, 400),
        ("GET", {"Connection": "\u212aeep-alive, upgrade\u0131"}, 400),
        ("GET", {"Sec-WebSocket-Version": "8"}, 400),
        ("GET", {"Sec-WebSocket-Key": "short"}, 400),
    ],
)
def test_server_refuses(method: str, changes: dict[str, str], status: int) -> None:
    headers = request_headers()
    headers.update(changes)
    with pytest.raises(WSHandshakeError) as info:
        server_handshake(method, headers)
    assert info.value.status == status


def test_server_needs_a_single_key() -> None:
    headers = request_headers()
    headers.add("Sec-WebSocket-Key", make_key())
    with pytest.raises(WSHandshakeError):
        server_handshake("GET", headers)


def test_connection_token_lists() -> None:
    headers = request_headers(Connection="keep-alive, UPGRADE")
    assert server_handshake("GET", headers)
    headers = request_headers(Connection="keep-alive")
    headers.add("Connection", "upgrade")
    assert server_handshake("GET", headers)


def test_server_protocol_choice_follows_the_client() -> None:
    headers = request_headers(Sec_WebSocket_Protocol="b, a")
    assert server_handshake("GET", headers, protocols=("a", "b")).protocol == "b"
    assert server_handshake("GET", headers, protocols=("c",)).protocol is None


def test_client_and_server_agree() -> None:
    client = ClientHandshake(protocols=("chat",), compress=15)
    request = CIMultiDict(client.request_headers())
    agreed = server_handshake("GET", request, protocols=("chat",))
    result = client.check_response(101, CIMultiDict(agreed.headers))
    assert result.protocol == "chat"
    assert result.deflate == DeflateParams()


def test_client_refuses_bad_answers() -> None:
    client = ClientHandshake(protocols=("chat",))
    good = CIMultiDict(
        {
            "Upgrade": "websocket",
            "Connection": "upgrade",
            "Sec-WebSocket-Accept": accept_value(client.key),
        }
    )
    assert client.check_response(101, good).protocol is None
    with pytest.raises(WSHandshakeError) as info:
        client.check_response(200, good)
    assert info.value.status == 200
    for name, value in [
        ("Upgrade", "websoc\u212aet"),
        ("Connection", "close"),
        ("Sec-WebSocket-Accept", accept_value(make_key())),
        ("Sec-WebSocket-Protocol", "other"),
        ("Sec-WebSocket-Extensions", "permessage-deflate"),
    ]:
        bad = good.copy()
        bad[name] = value
        with pytest.raises(WSHandshakeError):
            client.check_response(101, bad)


def test_client_compress_must_be_window_bits() -> None:
    with pytest.raises(ValueError, match=r"9\.\.15"):
        ClientHandshake(compress=8)
