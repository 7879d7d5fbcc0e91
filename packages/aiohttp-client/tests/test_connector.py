"""The connection pool over real sockets: reuse, limits, FIFO, expiry, closing."""

from __future__ import annotations

import asyncio
import gc
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from yarl import URL

from aiohttp_client.client_proto import ResponseHandler
from aiohttp_client.connector import (
    BaseConnector,
    Connection,
    TCPConnector,
    UnixConnector,
)
from aiohttp_client.exceptions import (
    ClientConnectionError,
    ClientConnectorError,
    UnixClientConnectorError,
)
from aiohttp_client.timeouts import ClientTimeout
from aiohttp_client.tls import Fingerprint
from aiohttp_core.streams import StreamReader

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
RawServer = Callable[[Handler], Awaitable[URL]]

TIMEOUT = ClientTimeout(sock_connect=1)


@dataclass
class Server:
    """A keep-alive HTTP server counting its connections."""

    url: URL = field(default_factory=URL)
    connections: int = 0
    peers: list[tuple[str, int]] = field(default_factory=list)
    closed: int = 0


@pytest.fixture
async def server(raw_server: RawServer) -> Server:
    state = Server()

    async def handler(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        state.connections += 1
        state.peers.append(writer.get_extra_info("peername"))
        try:
            while True:
                try:
                    await reader.readuntil(b"\r\n\r\n")
                except asyncio.IncompleteReadError:
                    return
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                await writer.drain()
        finally:
            state.closed += 1

    state.url = await raw_server(handler)
    return state


@pytest.fixture
async def connectors() -> AsyncIterator[list[BaseConnector]]:
    made: list[BaseConnector] = []
    yield made
    for connector in made:
        await connector.close()


@pytest.fixture
def tcp(connectors: list[BaseConnector]) -> Callable[..., TCPConnector]:
    def make(**kwargs: object) -> TCPConnector:
        connector = TCPConnector(**kwargs)  # type: ignore[arg-type]
        connectors.append(connector)
        return connector

    return make


async def exchange(conn: Connection) -> StreamReader:
    protocol = conn.protocol
    assert protocol is not None
    assert conn.transport is not None
    protocol.set_response_params(read_timeout=1)
    conn.transport.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    message, payload = await protocol.read_head()
    assert message.code == 200
    return payload


async def fetch(connector: BaseConnector, request: Any, **kw: object) -> bytes:
    conn = await connector.connect(request, kw.pop("traces", []), TIMEOUT)  # type: ignore[arg-type]
    try:
        return await (await exchange(conn)).read()
    finally:
        conn.release()


def forget(held: list[object]) -> None:
    """Drop the last references and collect them."""
    held.clear()
    gc.collect()


async def eventually(check: Callable[[], bool]) -> None:
    for _ in range(100):
        if check():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition never became true")


# -- reuse ------------------------------------------------------------------


async def test_released_connection_is_reused(
    req: Callable[..., Any],
    trace: Any,
    server: Server,
    tcp: Callable[..., TCPConnector],
) -> None:
    connector = tcp()
    assert await fetch(connector, req(server.url), traces=[trace]) == b"ok"
    assert await fetch(connector, req(server.url), traces=[trace]) == b"ok"
    assert server.connections == 1
    assert trace.events == ["create_start", "create_end", "reuseconn"]


async def test_connection_with_unread_body_is_not_reused(
    req: Callable[..., Any], raw_server: RawServer, tcp: Callable[..., TCPConnector]
) -> None:
    count = 0

    async def handler(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        nonlocal count
        count += 1
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
        await reader.read()

    url = await raw_server(handler)
    connector = tcp()
    conn = await connector.connect(req(url), [], TIMEOUT)
    payload = await exchange(conn)
    assert await payload.readexactly(3) == b"abc"
    protocol = conn.protocol
    assert protocol is not None
    conn.release()
    assert not protocol.is_connected()
    conn = await connector.connect(req(url), [], TIMEOUT)
    assert conn.protocol is not protocol
    conn.close()
    await eventually(lambda: count == 2)


async def test_force_close_never_reuses(
    req: Callable[..., Any], server: Server, tcp: Callable[..., TCPConnector]
) -> None:
    connector = tcp(force_close=True)
    assert connector.force_close
    await fetch(connector, req(server.url))
    await fetch(connector, req(server.url))
    assert server.connections == 2


async def test_closed_idle_connection_is_not_reused(
    req: Callable[..., Any], raw_server: RawServer, tcp: Callable[..., TCPConnector]
) -> None:
    count = 0

    async def handler(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        nonlocal count
        count += 1
        await reader.readuntil(b"\r\n\r\n")
        # No "Connection: close": the client learns it from the FIN.
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        await writer.drain()

    url = await raw_server(handler)
    connector = tcp()
    conn = await connector.connect(req(url), [], TIMEOUT)
    protocol = conn.protocol
    assert protocol is not None
    assert await (await exchange(conn)).read() == b"ok"
    conn.release()
    await asyncio.wait_for(protocol.closed, 1)
    assert await fetch(connector, req(url)) == b"ok"
    assert count == 2


async def test_keepalive_timeout_expires_idle_connections(
    req: Callable[..., Any], server: Server, tcp: Callable[..., TCPConnector]
) -> None:
    connector = tcp(keepalive_timeout=0.05)
    await fetch(connector, req(server.url))
    await eventually(lambda: server.closed == 1)
    await fetch(connector, req(server.url))
    assert server.connections == 2


async def test_idle_connection_within_keepalive_is_kept(
    req: Callable[..., Any], server: Server, tcp: Callable[..., TCPConnector]
) -> None:
    connector = tcp(keepalive_timeout=1)
    await fetch(connector, req(server.url))
    await asyncio.sleep(0.05)
    await fetch(connector, req(server.url))
    assert server.connections == 1
    assert server.closed == 0


async def test_keepalive_timeout_zero_closes_on_release(
    req: Callable[..., Any], server: Server, tcp: Callable[..., TCPConnector]
) -> None:
    connector = tcp(keepalive_timeout=0)
    await fetch(connector, req(server.url))
    await fetch(connector, req(server.url))
    assert server.connections == 2


async def test_connections_are_pooled_per_key(
    req: Callable[..., Any], server: Server, tcp: Callable[..., TCPConnector]
) -> None:
    connector = tcp()
    await fetch(connector, req(server.url))
    other = server.url.with_host("localhost")
    await fetch(connector, req(other))
    assert server.connections == 2
    await fetch(connector, req(server.url))
    await fetch(connector, req(other))
    assert server.connections == 2


# -- limits -----------------------------------------------------------------


async def test_limit_makes_requests_wait(
    req: Callable[..., Any],
    trace: Any,
    server: Server,
    tcp: Callable[..., TCPConnector],
) -> None:
    connector = tcp(limit=1)
    assert connector.limit == 1
    first = await connector.connect(req(server.url), [], TIMEOUT)
    second = asyncio.ensure_future(connector.connect(req(server.url), [trace], TIMEOUT))
    await asyncio.sleep(0.02)
    assert not second.done()
    assert trace.events == ["queued_start"]
    await (await exchange(first)).read()
    first.release()
    conn = await asyncio.wait_for(second, 1)
    assert trace.events == ["queued_start", "queued_end", "reuseconn"]
    conn.release()
    assert server.connections == 1


async def test_limit_one_under_and_at(
    req: Callable[..., Any], server: Server, tcp: Callable[..., TCPConnector]
) -> None:
    connector = tcp(limit=3)
    conns = [await connector.connect(req(server.url), [], TIMEOUT) for _ in range(3)]
    extra = asyncio.ensure_future(connector.connect(req(server.url), [], TIMEOUT))
    await asyncio.sleep(0.02)
    assert not extra.done()
    conns[0].close()
    conns[0] = await asyncio.wait_for(extra, 1)
    for conn in conns:
        conn.close()


async def test_limit_zero_means_no_limit(
    req: Callable[..., Any], server: Server, tcp: Callable[..., TCPConnector]
) -> None:
    connector = tcp(limit=0)
    conns = [await connector.connect(req(server.url), [], TIMEOUT) for _ in range(120)]
    assert len({id(c.protocol) for c in conns}) == 120
    for conn in conns:
        conn.close()


async def test_waiters_are_served_in_fifo_order(
    req: Callable[..., Any], server: Server, tcp: Callable[..., TCPConnector]
) -> None:
    connector = tcp(limit=1)
    holder = await connector.connect(req(server.url), [], TIMEOUT)
    order: list[int] = []

    async def wait(i: int) -> None:
        conn = await connector.connect(req(server.url), [], TIMEOUT)
        order.append(i)
        await asyncio.sleep(0)
        conn.close()

    tasks = []
    for i in range(5):
        tasks.append(asyncio.ensure_future(wait(i)))
        await asyncio.sleep(0)
    await asyncio.sleep(0.01)
    holder.close()
    await asyncio.wait_for(asyncio.gather(*tasks), 1)
    assert order == [0, 1, 2, 3, 4]


async def test_newcomer_does_not_overtake_a_woken_waiter(
    req: Callable[..., Any], server: Server, tcp: Callable[..., TCPConnector]
) -> None:
    connector = tcp(limit=1)
    holder = await connector.connect(req(server.url), [], TIMEOUT)
    waiter = asyncio.ensure_future(connector.connect(req(server.url), [], TIMEOUT))
    await asyncio.sleep(0.01)
    holder.close()
    # The slot now belongs to the waiter even though it has not run yet.
    newcomer = asyncio.ensure_future(connector.connect(req(server.url), [], TIMEOUT))
    conn = await asyncio.wait_for(waiter, 1)
    await asyncio.sleep(0.01)
    assert not newcomer.done()
    conn.close()
    (await asyncio.wait_for(newcomer, 1)).close()


async def test_cancelled_waiter_frees_nothing(
    req: Callable[..., Any], server: Server, tcp: Callable[..., TCPConnector]
) -> None:
    connector = tcp(limit=1)
    holder = await connector.connect(req(server.url), [], TIMEOUT)
    cancelled = asyncio.ensure_future(connector.connect(req(server.url), [], TIMEOUT))
    second = asyncio.ensure_future(connector.connect(req(server.url), [], TIMEOUT))
    await asyncio.sleep(0.01)
    cancelled.cancel()
    await asyncio.sleep(0.01)
    # Cancelling a waiter did not free the holder's slot.
    assert not second.done()
    holder.close()
    (await asyncio.wait_for(second, 1)).close()


async def test_waiter_cancelled_after_wakeup_passes_its_turn(
    req: Callable[..., Any], server: Server, tcp: Callable[..., TCPConnector]
) -> None:
    connector = tcp(limit=1)
    holder = await connector.connect(req(server.url), [], TIMEOUT)
    first = asyncio.ensure_future(connector.connect(req(server.url), [], TIMEOUT))
    second = asyncio.ensure_future(connector.connect(req(server.url), [], TIMEOUT))
    await asyncio.sleep(0.01)
    holder.close()  # wakes `first`, which has not run yet
    first.cancel()
    conn = await asyncio.wait_for(second, 1)
    assert first.cancelled()
    # Exactly one slot is in use: a third request must wait.
    third = asyncio.ensure_future(connector.connect(req(server.url), [], TIMEOUT))
    await asyncio.sleep(0.01)
    assert not third.done()
    conn.close()
    (await asyncio.wait_for(third, 1)).close()


async def test_limit_per_host(
    req: Callable[..., Any],
    server: Server,
    raw_server: RawServer,
    tcp: Callable[..., TCPConnector],
) -> None:
    other = Server()

    async def handler(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        other.connections += 1
        await reader.read()

    other.url = await raw_server(handler)
    connector = tcp(limit_per_host=1)
    assert connector.limit_per_host == 1
    first = await connector.connect(req(server.url), [], TIMEOUT)
    blocked = asyncio.ensure_future(connector.connect(req(server.url), [], TIMEOUT))
    # Another host (another port) is not blocked by the first one.
    elsewhere = await asyncio.wait_for(
        connector.connect(req(other.url), [], TIMEOUT), 1
    )
    await asyncio.sleep(0.01)
    assert not blocked.done()
    first.close()
    (await asyncio.wait_for(blocked, 1)).close()
    elsewhere.close()


async def test_limits_must_not_be_negative() -> None:
    with pytest.raises(ValueError, match="limit"):
        TCPConnector(limit=-1)
    with pytest.raises(ValueError, match="limit"):
        TCPConnector(limit_per_host=-1)


async def test_force_close_with_keepalive_timeout_is_refused() -> None:
    with pytest.raises(ValueError, match="keepalive_timeout"):
        TCPConnector(force_close=True, keepalive_timeout=30)


# -- Connection -------------------------------------------------------------


async def test_connection_attributes_and_callbacks(
    req: Callable[..., Any], server: Server, tcp: Callable[..., TCPConnector]
) -> None:
    connector = tcp()
    conn = await connector.connect(req(server.url), [], TIMEOUT)
    calls: list[int] = []
    conn.add_callback(lambda: calls.append(1))
    assert conn.loop is asyncio.get_running_loop()
    assert isinstance(conn.protocol, ResponseHandler)
    assert conn.transport is conn.protocol.transport
    assert conn.key == req(server.url).connection_key
    assert not conn.closed
    await (await exchange(conn)).read()
    conn.release()
    conn.release()
    conn.close()
    assert calls == [1]
    assert conn.closed
    assert conn.transport is None
    assert conn.protocol is None


async def test_close_does_not_pool(
    req: Callable[..., Any], server: Server, tcp: Callable[..., TCPConnector]
) -> None:
    connector = tcp()
    conn = await connector.connect(req(server.url), [], TIMEOUT)
    await (await exchange(conn)).read()
    conn.close()
    await fetch(connector, req(server.url))
    assert server.connections == 2


async def test_unreleased_connection_warns(
    req: Callable[..., Any], server: Server, tcp: Callable[..., TCPConnector]
) -> None:
    connector = tcp()
    conn = await connector.connect(req(server.url), [], TIMEOUT)
    protocol = conn.protocol
    assert protocol is not None
    held = [conn]
    del conn
    with pytest.warns(ResourceWarning, match="Unclosed connection"):
        forget(held)
    # Its slot came back and its socket was closed.
    await asyncio.wait_for(protocol.closed, 1)
    await fetch(connector, req(server.url))


# -- closing ------------------------------------------------------------------


async def test_close_closes_idle_and_acquired_connections(
    req: Callable[..., Any], server: Server
) -> None:
    connector = TCPConnector()
    conn = await connector.connect(req(server.url), [], TIMEOUT)
    await fetch(connector, req(server.url))  # a second one, left idle
    protocol = conn.protocol
    assert protocol is not None
    await connector.close()
    assert connector.closed
    assert protocol.closed.done()
    await eventually(lambda: server.closed == 2)
    conn.release()
    with pytest.raises(ClientConnectionError, match="closed"):
        await connector.connect(req(server.url), [], TIMEOUT)
    await connector.close()


async def test_close_fails_waiters(req: Callable[..., Any], server: Server) -> None:
    async with TCPConnector(limit=1) as connector:
        holder = await connector.connect(req(server.url), [], TIMEOUT)
        waiter = asyncio.ensure_future(connector.connect(req(server.url), [], TIMEOUT))
        await asyncio.sleep(0.01)
    with pytest.raises(ClientConnectionError, match="closed"):
        await waiter
    holder.close()


async def test_unclosed_connector_warns(
    req: Callable[..., Any], server: Server
) -> None:
    # Without a keep-alive timer nothing else holds on to the connector.
    connector = TCPConnector(keepalive_timeout=None)
    await fetch(connector, req(server.url))
    held = [connector]
    del connector
    with pytest.warns(ResourceWarning, match="Unclosed connector"):
        forget(held)
    await eventually(lambda: server.closed == 1)


# -- connect errors -------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_connection_refused(
    req: Callable[..., Any], tcp: Callable[..., TCPConnector]
) -> None:
    url = URL(f"http://127.0.0.1:{free_port()}/")
    with pytest.raises(ClientConnectorError) as info:
        await tcp().connect(req(url), [], TIMEOUT)
    assert type(info.value) is ClientConnectorError
    assert isinstance(info.value.os_error, ConnectionRefusedError)
    assert info.value.host == "127.0.0.1"
    assert info.value.port == url.port


async def test_failed_connect_frees_its_slot(
    req: Callable[..., Any], tcp: Callable[..., TCPConnector]
) -> None:
    connector = tcp(limit=1)
    url = URL(f"http://127.0.0.1:{free_port()}/")
    for _ in range(3):
        with pytest.raises(ClientConnectorError):
            await connector.connect(req(url), [], TIMEOUT)


async def test_sock_connect_timeout(
    req: Callable[..., Any], tcp: Callable[..., TCPConnector]
) -> None:
    from aiohttp_client.exceptions import ConnectionTimeoutError

    # A listening socket with a full backlog leaves new SYNs unanswered.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    filler = socket.socket()
    filler.setblocking(False)
    filler.connect_ex(("127.0.0.1", port))
    try:
        await asyncio.sleep(0.05)
        url = URL(f"http://127.0.0.1:{port}/")
        connector = tcp(limit=1)
        timeout = ClientTimeout(sock_connect=0.1)
        with pytest.raises(ConnectionTimeoutError):
            await connector.connect(req(url), [], timeout)
        with pytest.raises(ConnectionTimeoutError):
            await connector.connect(req(url), [], timeout)
    finally:
        filler.close()
        listener.close()


async def test_outer_cancellation_is_not_a_timeout(
    req: Callable[..., Any],
    tcp: Callable[..., TCPConnector],
) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    filler = socket.socket()
    filler.setblocking(False)
    filler.connect_ex(("127.0.0.1", port))
    try:
        await asyncio.sleep(0.05)
        url = URL(f"http://127.0.0.1:{port}/")
        task = asyncio.ensure_future(
            tcp().connect(req(url), [], ClientTimeout(sock_connect=5))
        )
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    finally:
        filler.close()
        listener.close()


# -- Unix sockets -----------------------------------------------------------------


async def test_unix_connector(req: Callable[..., Any], tmp_path: object) -> None:
    path = f"{tmp_path}/http.sock"
    served = 0

    async def handler(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        nonlocal served
        served += 1
        while True:
            try:
                await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:
                break
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        writer.close()

    server = await asyncio.start_unix_server(handler, path)
    try:
        async with UnixConnector(path) as connector:
            assert connector.path == path
            url = URL("http://any-name.example/")
            assert await fetch(connector, req(url)) == b"ok"
            assert await fetch(connector, req(url)) == b"ok"
        assert served == 1
    finally:
        server.close()
        await server.wait_closed()


async def test_unix_connector_missing_socket(
    req: Callable[..., Any], tmp_path: object
) -> None:
    path = f"{tmp_path}/missing.sock"
    async with UnixConnector(path) as connector:
        with pytest.raises(UnixClientConnectorError) as info:
            await connector.connect(req(URL("http://x/")), [], TIMEOUT)
    assert info.value.path == path
    assert isinstance(info.value.os_error, FileNotFoundError)
    assert path in str(info.value)


def test_fingerprint_in_key_is_hashable(req: Callable[..., Any]) -> None:
    request = req(URL("https://127.0.0.1/"), ssl=Fingerprint(b"\0" * 32))
    assert hash(request.connection_key)


# -- constructor arguments ----------------------------------------------------


async def test_force_close_alone_is_accepted(server: Server) -> None:
    async with TCPConnector(force_close=True) as connector:
        assert connector.force_close
    async with TCPConnector(force_close=True, keepalive_timeout=None) as connector:
        assert connector.force_close


async def test_loop_argument_must_be_the_running_loop() -> None:
    loop = asyncio.get_running_loop()
    async with TCPConnector(loop=loop) as connector:
        assert not connector.closed
    other = asyncio.new_event_loop()
    try:
        with pytest.raises(RuntimeError, match="loop"):
            TCPConnector(loop=other)
    finally:
        other.close()


async def test_conn_timeout_is_refused(tmp_path: object) -> None:
    with pytest.raises(TypeError, match="ClientTimeout"):
        UnixConnector(f"{tmp_path}/s", conn_timeout=1)


async def test_deprecated_verify_ssl_fingerprint_and_ssl_context() -> None:
    import ssl

    with pytest.warns(DeprecationWarning, match="use ssl"):
        connector = TCPConnector(verify_ssl=False)
    assert connector._ssl is False
    await connector.close()
    digest = b"\x01" * 32
    with pytest.warns(DeprecationWarning, match="use ssl"):
        connector = TCPConnector(fingerprint=digest)
    assert connector._ssl == Fingerprint(digest)
    await connector.close()
    context = ssl.create_default_context()
    with pytest.warns(DeprecationWarning, match="use ssl"):
        connector = TCPConnector(ssl_context=context)
    assert connector._ssl is context
    await connector.close()
    with (
        pytest.warns(DeprecationWarning, match="use ssl"),
        pytest.raises(ValueError, match="mutually exclusive"),
    ):
        TCPConnector(ssl=False, ssl_context=context)


async def test_connect_with_default_traces_and_timeout(
    req: Callable[..., Any], server: Server, tcp: Callable[..., TCPConnector]
) -> None:
    conn = await tcp().connect(req(server.url))
    assert await (await exchange(conn)).read() == b"ok"
    conn.release()
