"""trust_env: proxies from the environment and credentials from .netrc."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from yarl import URL

from aiohttp_client import ClientSession
from aiohttp_client.proxy_env import get_env_proxy_for_url, netrc_auth, netrc_from_env
from aiohttp_core.basic_auth import BasicAuth

PROXY_VARS = (
    "http_proxy",
    "https_proxy",
    "ws_proxy",
    "wss_proxy",
    "no_proxy",
    "all_proxy",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    # No real ~/.netrc may leak into the tests.
    monkeypatch.setenv("NETRC", str(tmp_path / "absent-netrc"))


def write_netrc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    path = tmp_path / "netrc"
    path.write_text(text)
    path.chmod(0o600)
    monkeypatch.setenv("NETRC", str(path))


async def heads_server(raw_server, heads: list[bytes]) -> URL:
    async def handler(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        while True:
            try:
                heads.append(await reader.readuntil(b"\r\n\r\n"))
            except asyncio.IncompleteReadError:
                return
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            await writer.drain()

    return await raw_server(handler)


def test_env_proxy_lookup(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://u:p@proxy.local:3128")
    monkeypatch.setenv("HTTPS_PROXY", "proxy.local:3129")
    monkeypatch.setenv("NO_PROXY", "internal.local,.corp")
    info = get_env_proxy_for_url(URL("http://example.com/"))
    assert info.proxy == URL("http://proxy.local:3128")
    assert info.proxy_auth == BasicAuth("u", "p")
    info = get_env_proxy_for_url(URL("https://example.com/"))
    assert info.proxy == URL("http://proxy.local:3129")
    assert info.proxy_auth is None
    assert get_env_proxy_for_url(URL("wss://example.com/")).proxy.port == 3129
    for bypassed in ("http://internal.local/", "http://a.corp/"):
        with pytest.raises(LookupError):
            get_env_proxy_for_url(URL(bypassed))


def test_no_proxy_for_scheme(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.local:3128")
    with pytest.raises(LookupError):
        get_env_proxy_for_url(URL("https://example.com/"))
    monkeypatch.setenv("HTTPS_PROXY", "socks5://proxy.local:1080")
    with pytest.raises(LookupError):  # not a proxy this client speaks to
        get_env_proxy_for_url(URL("https://example.com/"))


def test_netrc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert netrc_from_env() is None
    write_netrc(
        tmp_path,
        monkeypatch,
        "machine example.com login alice password s3cret\n"
        "machine proxy.local login pu password pp\n"
        "default login anyone password x\n",
    )
    assert netrc_auth("example.com") == BasicAuth("alice", "s3cret")
    assert netrc_auth("other.org") == BasicAuth("anyone", "x")
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.local:3128")
    assert get_env_proxy_for_url(URL("http://example.com/")).proxy_auth == BasicAuth(
        "pu", "pp"
    )


def test_broken_netrc_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_netrc(tmp_path, monkeypatch, "machine\n")
    assert netrc_from_env() is None
    assert netrc_auth("example.com") is None


async def test_trust_env_uses_env_proxy(
    raw_server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    heads: list[bytes] = []
    proxy = await heads_server(raw_server, heads)
    monkeypatch.setenv("HTTP_PROXY", str(proxy.with_user("pu").with_password("pp")))
    target = URL("http://target.example:8080/path?q=1")
    async with ClientSession(trust_env=True) as session, session.get(target) as resp:
        assert await resp.read() == b"ok"
    async with ClientSession() as session:  # without trust_env: no proxy
        assert session.trust_env is False
    head = heads[0]
    assert head.startswith(b"GET http://target.example:8080/path?q=1 HTTP/1.1\r\n")
    assert b"Proxy-Authorization: " + BasicAuth("pu", "pp").encode().encode() in head
    assert b"Host: target.example:8080" in head


async def test_no_proxy_bypasses(raw_server, monkeypatch: pytest.MonkeyPatch) -> None:
    heads: list[bytes] = []
    server = await heads_server(raw_server, heads)
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # would fail if used
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    async with (
        ClientSession(trust_env=True) as session,
        session.get(server / "direct") as resp,
    ):
        assert await resp.read() == b"ok"
    assert heads[0].startswith(b"GET /direct HTTP/1.1")


async def test_trust_env_netrc_auth_for_target(
    raw_server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    heads: list[bytes] = []
    server = await heads_server(raw_server, heads)
    write_netrc(tmp_path, monkeypatch, "machine 127.0.0.1 login alice password pw\n")
    expected = b"Authorization: " + BasicAuth("alice", "pw").encode().encode()
    async with ClientSession(trust_env=True) as session:
        async with session.get(server) as resp:
            await resp.read()
        async with session.get(server, auth=BasicAuth("bob", "x")) as resp:
            await resp.read()  # explicit auth wins
        async with session.get(server, headers={"Authorization": "Bearer t"}) as resp:
            await resp.read()  # and so does an explicit header
    async with ClientSession() as session, session.get(server) as resp:
        await resp.read()
    assert expected in heads[0]
    assert BasicAuth("bob", "x").encode().encode() in heads[1]
    assert b"Authorization: Bearer t" in heads[2]
    assert b"Authorization" not in heads[3]
