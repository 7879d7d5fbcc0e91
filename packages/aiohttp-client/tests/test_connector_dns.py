"""TCPConnector names and sockets: DNS cache, shared lookups, numbers, eyeballs."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from yarl import URL

from aiohttp_client import dns_cache as dns_cache_module
from aiohttp_client.abc import AbstractResolver, ResolveResult
from aiohttp_client.connector import Connection, TCPConnector
from aiohttp_client.exceptions import ClientConnectorDNSError, ClientConnectorError
from aiohttp_client.resolver import AsyncResolver, ThreadedResolver
from aiohttp_client.timeouts import ClientTimeout

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
RawServer = Callable[[Handler], Awaitable[URL]]

TIMEOUT = ClientTimeout(sock_connect=1)


class LoopbackResolver(AbstractResolver):
    """Resolves every name to 127.0.0.1 (or to ``addresses``) and counts."""

    def __init__(self, addresses: list[tuple[str, int]] | None = None) -> None:
        self.calls: list[str] = []
        self.addresses = addresses
        self.gate: asyncio.Event | None = None
        self.closed = False

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        self.calls.append(host)
        if self.gate is not None:
            await self.gate.wait()
        if host.endswith(".invalid"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        addresses = self.addresses or [("127.0.0.1", port)]
        return [
            ResolveResult(
                hostname=host,
                host=address,
                port=address_port,
                family=socket.AF_INET,
                proto=socket.IPPROTO_TCP,
                flags=0,
            )
            for address, address_port in addresses
        ]

    async def close(self) -> None:
        self.closed = True


@pytest.fixture
async def server_url(raw_server: RawServer) -> URL:
    async def handler(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        peer = repr(writer.get_extra_info("peername")).encode()
        while True:
            try:
                await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:
                return
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(peer))
            writer.write(peer)

    return await raw_server(handler)


def named(url: URL, host: str) -> URL:
    return url.with_host(host)


async def test_names_go_through_the_resolver(
    req: Callable[..., Any], server_url: URL, tcp: Callable[..., TCPConnector]
) -> None:
    resolver = LoopbackResolver()
    connector = tcp(resolver=resolver)
    conn = await connector.connect(req(named(server_url, "a.test")), [], TIMEOUT)
    conn.close()
    assert resolver.calls == ["a.test"]


async def test_ip_literals_skip_the_resolver(
    req: Callable[..., Any], server_url: URL, tcp: Callable[..., TCPConnector]
) -> None:
    resolver = LoopbackResolver()
    connector = tcp(resolver=resolver)
    (await connector.connect(req(server_url), [], TIMEOUT)).close()
    assert resolver.calls == []


async def test_dns_cache_hit_and_traces(
    req: Callable[..., Any],
    trace: Any,
    server_url: URL,
    tcp: Callable[..., TCPConnector],
) -> None:
    resolver = LoopbackResolver()
    connector = tcp(resolver=resolver, force_close=True)
    assert connector.dns_cache
    url = named(server_url, "a.test")
    (await connector.connect(req(url), [trace], TIMEOUT)).close()
    (await connector.connect(req(url), [trace], TIMEOUT)).close()
    assert resolver.calls == ["a.test"]
    assert trace.events == [
        "create_start",
        "cache_miss a.test",
        "resolve_start a.test",
        "resolve_end a.test",
        "create_end",
        "create_start",
        "cache_hit a.test",
        "create_end",
    ]
    assert list(connector.cached_hosts) == [("a.test", url.port)]


async def test_dns_cache_ttl(
    req: Callable[..., Any], server_url: URL, tcp: Callable[..., TCPConnector]
) -> None:
    resolver = LoopbackResolver()
    connector = tcp(resolver=resolver, force_close=True, ttl_dns_cache=0.3)
    url = named(server_url, "a.test")
    (await connector.connect(req(url), [], TIMEOUT)).close()
    (await connector.connect(req(url), [], TIMEOUT)).close()
    assert len(resolver.calls) == 1
    await asyncio.sleep(0.4)
    (await connector.connect(req(url), [], TIMEOUT)).close()
    assert len(resolver.calls) == 2


async def test_without_dns_cache_every_connect_resolves(
    req: Callable[..., Any],
    trace: Any,
    server_url: URL,
    tcp: Callable[..., TCPConnector],
) -> None:
    resolver = LoopbackResolver()
    connector = tcp(resolver=resolver, force_close=True, use_dns_cache=False)
    assert not connector.dns_cache
    url = named(server_url, "a.test")
    (await connector.connect(req(url), [trace], TIMEOUT)).close()
    (await connector.connect(req(url), [], TIMEOUT)).close()
    assert len(resolver.calls) == 2
    assert "cache_miss a.test" not in trace.events
    assert "resolve_start a.test" in trace.events
    assert dict(connector.cached_hosts) == {}


async def test_dns_cache_is_bounded(
    req: Callable[..., Any],
    server_url: URL,
    tcp: Callable[..., TCPConnector],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(dns_cache_module, "DNS_CACHE_MAX_ENTRIES", 2)
    resolver = LoopbackResolver()
    connector = tcp(resolver=resolver, force_close=True)
    port = server_url.port
    for name in ("a.test", "b.test"):
        (await connector.connect(req(named(server_url, name)), [], TIMEOUT)).close()
    # At the bound: both are kept.
    assert set(connector.cached_hosts) == {("a.test", port), ("b.test", port)}
    (await connector.connect(req(named(server_url, "c.test")), [], TIMEOUT)).close()
    # One over: the oldest went.
    assert set(connector.cached_hosts) == {("b.test", port), ("c.test", port)}
    (await connector.connect(req(named(server_url, "a.test")), [], TIMEOUT)).close()
    assert resolver.calls == ["a.test", "b.test", "c.test", "a.test"]


async def test_concurrent_lookups_of_one_name_are_shared(
    req: Callable[..., Any], server_url: URL, tcp: Callable[..., TCPConnector]
) -> None:
    resolver = LoopbackResolver()
    resolver.gate = asyncio.Event()
    connector = tcp(resolver=resolver, force_close=True)
    url = named(server_url, "a.test")
    tasks = [
        asyncio.ensure_future(connector.connect(req(url), [], TIMEOUT))
        for _ in range(5)
    ]
    await asyncio.sleep(0.01)
    resolver.gate.set()
    for conn in await asyncio.gather(*tasks):
        conn.close()
    assert resolver.calls == ["a.test"]


async def test_a_cancelled_requester_does_not_cancel_the_shared_lookup(
    req: Callable[..., Any], server_url: URL, tcp: Callable[..., TCPConnector]
) -> None:
    resolver = LoopbackResolver()
    resolver.gate = asyncio.Event()
    connector = tcp(resolver=resolver, force_close=True)
    url = named(server_url, "a.test")
    first = asyncio.ensure_future(connector.connect(req(url), [], TIMEOUT))
    await asyncio.sleep(0.01)
    second = asyncio.ensure_future(connector.connect(req(url), [], TIMEOUT))
    await asyncio.sleep(0.01)
    first.cancel()
    resolver.gate.set()
    (await asyncio.wait_for(second, 1)).close()
    assert resolver.calls == ["a.test"]


async def test_clear_dns_cache(
    req: Callable[..., Any], server_url: URL, tcp: Callable[..., TCPConnector]
) -> None:
    resolver = LoopbackResolver()
    connector = tcp(resolver=resolver, force_close=True)
    port = server_url.port
    for name in ("a.test", "b.test"):
        (await connector.connect(req(named(server_url, name)), [], TIMEOUT)).close()
    connector.clear_dns_cache("a.test", port)
    assert set(connector.cached_hosts) == {("b.test", port)}
    with pytest.raises(ValueError, match="both host and port"):
        connector.clear_dns_cache("b.test")
    connector.clear_dns_cache()
    assert dict(connector.cached_hosts) == {}


async def test_failed_lookups_are_not_cached(
    req: Callable[..., Any], tcp: Callable[..., TCPConnector]
) -> None:
    resolver = LoopbackResolver()
    connector = tcp(resolver=resolver)
    url = URL("http://nowhere.invalid:80/")
    for _ in range(2):
        with pytest.raises(ClientConnectorDNSError) as info:
            await connector.connect(req(url), [], TIMEOUT)
        assert isinstance(info.value.os_error, socket.gaierror)
        assert info.value.host == "nowhere.invalid"
    assert resolver.calls == ["nowhere.invalid", "nowhere.invalid"]


@pytest.mark.parametrize("resolver_cls", [ThreadedResolver, AsyncResolver])
async def test_real_resolvers_fail_with_dns_error(
    req: Callable[..., Any],
    tcp: Callable[..., TCPConnector],
    resolver_cls: type[AbstractResolver],
) -> None:
    connector = tcp(resolver=resolver_cls())
    with pytest.raises(ClientConnectorDNSError):
        await connector.connect(req(URL("http://no-such-host.invalid/")), [], TIMEOUT)


@pytest.mark.parametrize(
    "host", ["2130706433", "127.1", "0x7f000001", "0x7f.1", "017700000001"]
)
async def test_hosts_spelled_as_numbers_are_refused(
    req: Callable[..., Any],
    server_url: URL,
    tcp: Callable[..., TCPConnector],
    host: str,
) -> None:
    resolver = LoopbackResolver()
    connector = tcp(resolver=resolver)
    with pytest.raises(ClientConnectorDNSError, match="is a number"):
        await connector.connect(req(named(server_url, host)), [], TIMEOUT)
    assert resolver.calls == []


async def test_localhost_with_the_default_resolver_and_family(
    read_body: Callable[[Connection], Awaitable[bytes]],
    req: Callable[..., Any],
    server_url: URL,
    tcp: Callable[..., TCPConnector],
) -> None:
    connector = tcp(family=socket.AF_INET)
    assert connector.family == socket.AF_INET
    conn = await connector.connect(req(named(server_url, "localhost")), [], TIMEOUT)
    assert "127.0.0.1" in (await read_body(conn)).decode()
    conn.close()


async def test_local_addr(
    read_body: Callable[[Connection], Awaitable[bytes]],
    req: Callable[..., Any],
    server_url: URL,
    tcp: Callable[..., TCPConnector],
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        local_port = probe.getsockname()[1]
    connector = tcp(local_addr=("127.0.0.1", local_port), force_close=True)
    conn = await connector.connect(req(server_url), [], TIMEOUT)
    assert f"('127.0.0.1', {local_port})" == (await read_body(conn)).decode()
    conn.close()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.mark.parametrize("delay", [None, 0.25, 0.01])
async def test_happy_eyeballs_moves_on_to_the_next_address(
    read_body: Callable[[Connection], Awaitable[bytes]],
    req: Callable[..., Any],
    server_url: URL,
    tcp: Callable[..., TCPConnector],
    delay: float | None,
) -> None:
    assert server_url.port is not None
    resolver = LoopbackResolver(
        [("127.0.0.1", closed_port()), ("127.0.0.1", server_url.port)]
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        local_port = probe.getsockname()[1]
    connector = tcp(
        resolver=resolver,
        happy_eyeballs_delay=delay,
        interleave=1,
        local_addr=("127.0.0.1", local_port),
    )
    conn = await connector.connect(req(named(server_url, "a.test")), [], TIMEOUT)
    assert str(local_port) in (await read_body(conn)).decode()
    conn.close()


async def test_every_address_refused(
    req: Callable[..., Any], tcp: Callable[..., TCPConnector]
) -> None:
    resolver = LoopbackResolver(
        [("127.0.0.1", closed_port()), ("127.0.0.1", closed_port())]
    )
    connector = tcp(resolver=resolver)
    with pytest.raises(ClientConnectorError) as info:
        await connector.connect(req(URL("http://a.test/")), [], TIMEOUT)
    assert type(info.value) is ClientConnectorError


async def test_socket_factory(
    req: Callable[..., Any], server_url: URL, tcp: Callable[..., TCPConnector]
) -> None:
    made: list[socket.socket] = []

    def factory(addr_info: tuple[object, ...]) -> socket.socket:
        family, kind, proto = addr_info[0], addr_info[1], addr_info[2]
        sock = socket.socket(family, kind, proto)  # type: ignore[arg-type]
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        made.append(sock)
        return sock

    connector = tcp(socket_factory=factory)
    conn = await connector.connect(req(server_url), [], TIMEOUT)
    assert len(made) == 1
    assert conn.transport is not None
    sock = conn.transport.get_extra_info("socket")
    assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    conn.close()


async def test_owned_resolver_is_closed_with_the_connector() -> None:
    resolver = LoopbackResolver()
    connector = TCPConnector(resolver=resolver)
    await connector.close()
    # A resolver passed in belongs to the caller.
    assert not resolver.closed
