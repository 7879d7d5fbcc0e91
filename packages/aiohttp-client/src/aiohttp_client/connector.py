"""Connectors: the pool of client connections, and how new ones are opened.

``BaseConnector`` keeps idle connections per ``ConnectionKey`` and hands
them out again while they are reusable and younger than
``keepalive_timeout``.  At most ``limit`` connections are in use at once and
at most ``limit_per_host`` per ``(host, port, is_ssl)``; requests beyond
that wait in FIFO order.  A waiter is given its slot when it is woken, so a
newcomer cannot take it first; a waiter cancelled after it was woken hands
the slot to the next one.

``TCPConnector`` resolves names (with a bounded DNS cache, one lookup per
name at a time), connects with Happy Eyeballs (aiohappyeyeballs), wraps TLS
and tunnels through HTTP proxies with CONNECT.  ``UnixConnector`` connects
to a Unix socket.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import socket
import ssl
import sys
import warnings
from collections import OrderedDict, deque
from collections.abc import Callable, Iterator, Sequence
from ssl import SSLContext
from types import MappingProxyType, TracebackType
from typing import Any, Final, Protocol

import aiohappyeyeballs
from aiohappyeyeballs import AddrInfoType, SocketFactoryType
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from aiohttp_core import hdrs
from aiohttp_core.basic_auth import BasicAuth
from aiohttp_core.helpers import Sentinel, is_ip_address, sentinel

from .abc import AbstractResolver, ResolveResult
from .client_proto import ResponseHandler
from .connection_key import ConnectionKey
from .exceptions import (
    ClientConnectionError,
    ClientConnectorCertificateError,
    ClientConnectorDNSError,
    ClientConnectorError,
    ClientConnectorSSLError,
    ClientHttpProxyError,
    ClientProxyConnectionError,
    ConnectionTimeoutError,
    UnixClientConnectorError,
)
from .request_info import RequestInfo
from .resolver import DefaultResolver, is_numeric_host_spelling
from .timeouts import DEFAULT_TIMEOUT, ClientTimeout
from .tls import Fingerprint, SSLSetting, fingerprint_of, ssl_context_for

__all__ = (
    "AddrInfoType",
    "BaseConnector",
    "ConnectRequest",
    "Connection",
    "ConnectorTrace",
    "SocketFactoryType",
    "TCPConnector",
    "UnixConnector",
)


#: Seconds an idle connection is kept for reuse, unless told otherwise.
DEFAULT_KEEPALIVE_TIMEOUT: Final = 15.0

#: How many host names the DNS cache of a ``TCPConnector`` remembers; the
#: oldest entry goes first.
DNS_CACHE_MAX_ENTRIES: Final = 1024

#: Seconds after which ``enable_cleanup_closed`` aborts a closed TLS
#: transport that did not finish its shutdown.
CLEANUP_CLOSED_DELAY: Final = 2.0

# asyncio stopped leaking TLS transports whose peer never completes the
# shutdown in these versions; enable_cleanup_closed is moot there.
_NEEDS_CLEANUP_CLOSED: Final = sys.version_info < (3, 12, 7) or (
    sys.version_info[:2] == (3, 13) and sys.version_info < (3, 13, 1)
)

_CERT_ERRORS: Final = (ssl.CertificateError,)
_SSL_ERRORS: Final = (ssl.SSLError,)

HostKey = tuple[str, "int | None", bool]


class ConnectRequest(Protocol):
    """What a connector reads from a request."""

    @property
    def url(self) -> URL:
        """The URL requested."""
        ...

    @property
    def host(self) -> str:
        """The host to connect to."""
        ...

    @property
    def port(self) -> int | None:
        """The port to connect to."""
        ...

    @property
    def ssl(self) -> SSLSetting:
        """The TLS setting of the request (True: the connector's)."""
        ...

    @property
    def server_hostname(self) -> str | None:
        """The name to send in SNI and check the certificate against."""
        ...

    @property
    def proxy(self) -> URL | None:
        """The proxy to go through, if any."""
        ...

    @property
    def proxy_auth(self) -> BasicAuth | None:
        """Credentials for the proxy."""
        ...

    @property
    def proxy_headers(self) -> CIMultiDictProxy[str] | CIMultiDict[str] | None:
        """Extra headers for the proxy."""
        ...

    @property
    def connection_key(self) -> ConnectionKey:
        """The key connections for this request are pooled under."""
        ...

    def is_ssl(self) -> bool:
        """Whether the request goes over TLS."""
        ...


class ConnectorTrace(Protocol):
    """The trace signals a connector sends while it gets a connection."""

    async def send_connection_queued_start(self) -> None:
        """A request started waiting for a free slot."""

    async def send_connection_queued_end(self) -> None:
        """A request got its slot."""

    async def send_connection_create_start(self) -> None:
        """A new connection is being opened."""

    async def send_connection_create_end(self) -> None:
        """A new connection was opened."""

    async def send_connection_reuseconn(self) -> None:
        """A pooled connection was reused."""

    async def send_dns_resolvehost_start(self, host: str) -> None:
        """A lookup of ``host`` started."""

    async def send_dns_resolvehost_end(self, host: str) -> None:
        """A lookup of ``host`` ended."""

    async def send_dns_cache_hit(self, host: str) -> None:
        """``host`` was found in the DNS cache."""

    async def send_dns_cache_miss(self, host: str) -> None:
        """``host`` was not in the DNS cache."""


@contextlib.contextmanager
def _sock_connect_timeout(
    loop: asyncio.AbstractEventLoop,
    timeout: float | None,
    ceil_threshold: float,
    target: str,
) -> Iterator[None]:
    """Raise ``ConnectionTimeoutError`` if the block runs over ``timeout``."""
    task = asyncio.current_task()
    if not timeout or task is None:
        yield
        return
    fired = False

    def expire() -> None:
        nonlocal fired
        fired = True
        task.cancel()

    when = loop.time() + timeout
    if timeout >= ceil_threshold:
        when = float(int(when) + 1)
    handle = loop.call_at(when, expire)
    try:
        yield
    except asyncio.CancelledError:
        if not fired:
            raise
        if sys.version_info >= (3, 11):
            task.uncancel()
        raise ConnectionTimeoutError(
            f"Connection timeout to {target} ({timeout}s)"
        ) from None
    finally:
        handle.cancel()


class Connection:
    """One connection handed out by a connector, until released or closed."""

    __slots__ = (
        "__weakref__",
        "_callbacks",
        "_connector",
        "_key",
        "_loop",
        "_protocol",
    )

    def __init__(
        self,
        connector: BaseConnector,
        key: ConnectionKey,
        protocol: ResponseHandler,
        loop: asyncio.AbstractEventLoop,
    ) -> None:
        self._connector = connector
        self._key = key
        self._protocol: ResponseHandler | None = protocol
        self._loop = loop
        self._callbacks: list[Callable[[], None]] = []

    def __repr__(self) -> str:
        return f"Connection<{self._key}>"

    def __del__(self, _warnings: Any = warnings) -> None:
        protocol = self._protocol
        if protocol is not None:
            _warnings.warn(
                f"Unclosed connection {self!r}", ResourceWarning, source=self
            )
            if self._loop.is_closed():
                return
            self._connector._release(self._key, protocol, should_close=True)

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The event loop of the connection."""
        return self._loop

    @property
    def key(self) -> ConnectionKey:
        """The key the connection is pooled under."""
        return self._key

    @property
    def transport(self) -> asyncio.Transport | None:
        """The transport, or None once released or closed."""
        return None if self._protocol is None else self._protocol.transport

    @property
    def protocol(self) -> ResponseHandler | None:
        """The protocol, or None once released or closed."""
        return self._protocol

    @property
    def closed(self) -> bool:
        """True once the connection was released or closed."""
        return self._protocol is None or not self._protocol.is_connected()

    def add_callback(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` once, when the connection is released or closed."""
        if callback is not None:
            self._callbacks.append(callback)

    def _notify_release(self) -> None:
        callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            with contextlib.suppress(Exception):
                callback()

    def close(self) -> None:
        """Close the socket and give the slot back to the connector."""
        self._notify_release()
        protocol, self._protocol = self._protocol, None
        if protocol is not None:
            self._connector._release(self._key, protocol, should_close=True)

    def release(self) -> None:
        """Give the connection back for reuse (it is closed if not reusable)."""
        self._notify_release()
        protocol, self._protocol = self._protocol, None
        if protocol is not None:
            self._connector._release(
                self._key, protocol, should_close=protocol.should_close
            )


class _Waiter:
    """A request queued for a free slot."""

    __slots__ = ("future", "host_key")

    def __init__(self, future: asyncio.Future[None], host_key: HostKey) -> None:
        self.future = future
        self.host_key = host_key


class BaseConnector:
    """The pool: hands out connections, reuses idle ones, enforces limits."""

    def __init__(
        self,
        *,
        keepalive_timeout: float | Sentinel | None = sentinel,
        force_close: bool = False,
        limit: int = 100,
        limit_per_host: int = 0,
        enable_cleanup_closed: bool = False,
        timeout_ceil_threshold: float = 5,
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        if keepalive_timeout is sentinel:
            keepalive_timeout = None if force_close else DEFAULT_KEEPALIVE_TIMEOUT
        elif force_close and keepalive_timeout is not None:
            raise ValueError("keepalive_timeout cannot be set if force_close is True")
        running = asyncio.get_running_loop()
        if loop is not None and loop is not running:
            raise RuntimeError("a connector must be made in the loop it serves")
        if limit < 0 or limit_per_host < 0:
            raise ValueError("limit and limit_per_host must be >= 0")
        if keepalive_timeout is not None and keepalive_timeout < 0:
            raise ValueError("keepalive_timeout must be >= 0")
        self._loop = running
        self._keepalive_timeout = keepalive_timeout
        self._force_close = force_close
        self._limit = limit
        self._limit_per_host = limit_per_host
        self._timeout_ceil_threshold = timeout_ceil_threshold
        self._closed = False
        self._factory = functools.partial(ResponseHandler, self._loop)
        # Idle connections with the time they were released, newest last.
        self._conns: dict[ConnectionKey, deque[tuple[ResponseHandler, float]]] = {}
        self._acquired: set[ResponseHandler] = set()
        self._in_use = 0
        self._in_use_per_host: dict[HostKey, int] = {}
        self._waiters: deque[_Waiter] = deque()
        self._cleanup_handle: asyncio.TimerHandle | None = None
        self._cleanup_closed = enable_cleanup_closed and _NEEDS_CLEANUP_CLOSED
        self._cleanup_closed_transports: list[asyncio.Transport] = []
        self._cleanup_closed_handle: asyncio.TimerHandle | None = None

    def __del__(self, _warnings: Any = warnings) -> None:
        # getattr: __init__ may have raised before setting anything.
        if getattr(self, "_closed", True) or not (self._conns or self._acquired):
            return
        for protocol in self._all_protocols():
            protocol.close()
        _warnings.warn(f"Unclosed connector {self!r}", ResourceWarning, source=self)

    async def __aenter__(self) -> BaseConnector:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # -- properties ---------------------------------------------------------

    @property
    def closed(self) -> bool:
        """True once the connector is closed."""
        return self._closed

    @property
    def force_close(self) -> bool:
        """True if connections are closed on release instead of kept."""
        return self._force_close

    @property
    def limit(self) -> int:
        """Connections in use at once, at most (0: no limit)."""
        return self._limit

    @property
    def limit_per_host(self) -> int:
        """Connections in use at once per (host, port, is_ssl), at most."""
        return self._limit_per_host

    # -- slots --------------------------------------------------------------

    def _has_slot(self, host_key: HostKey) -> bool:
        if self._limit and self._in_use >= self._limit:
            return False
        limit = self._limit_per_host
        return not limit or self._in_use_per_host.get(host_key, 0) < limit

    def _reserve(self, host_key: HostKey) -> None:
        self._in_use += 1
        self._in_use_per_host[host_key] = self._in_use_per_host.get(host_key, 0) + 1

    def _unreserve(self, host_key: HostKey) -> None:
        self._in_use -= 1
        left = self._in_use_per_host[host_key] - 1
        if left:
            self._in_use_per_host[host_key] = left
        else:
            del self._in_use_per_host[host_key]
        self._wake_waiters()

    def _wake_waiters(self) -> None:
        """Give free slots to the waiters that can use them, oldest first."""
        if not self._waiters:
            return
        kept: deque[_Waiter] = deque()
        for waiter in self._waiters:
            if waiter.future.done():
                continue  # cancelled while queued
            if self._has_slot(waiter.host_key):
                self._reserve(waiter.host_key)
                waiter.future.set_result(None)
            else:
                kept.append(waiter)
        self._waiters = kept

    async def _wait_for_slot(
        self, host_key: HostKey, traces: Sequence[ConnectorTrace]
    ) -> None:
        """Queue until a slot is reserved for us."""
        future: asyncio.Future[None] = self._loop.create_future()
        self._waiters.append(_Waiter(future, host_key))
        try:
            for trace in traces:
                await trace.send_connection_queued_start()
            await future
        except BaseException:
            if future.done() and not future.cancelled() and not future.exception():
                # Woken, then cancelled: pass the reserved slot on.
                self._unreserve(host_key)
            else:
                future.cancel()
            raise
        try:
            for trace in traces:
                await trace.send_connection_queued_end()
        except BaseException:
            self._unreserve(host_key)
            raise

    # -- getting a connection -----------------------------------------------

    async def connect(
        self,
        request: ConnectRequest,
        traces: Sequence[ConnectorTrace] = (),
        timeout: ClientTimeout = DEFAULT_TIMEOUT,
    ) -> Connection:
        """Get a pooled connection for ``request`` or open one, waiting if full."""
        self._check_open()
        req = request
        key = req.connection_key
        host_key: HostKey = (key.host, key.port, key.is_ssl)
        if self._has_slot(host_key):
            self._reserve(host_key)
        else:
            await self._wait_for_slot(host_key, traces)
        try:
            # Closing may have happened while we waited.
            self._check_open()
            protocol = self._get_idle(key)
            if protocol is not None:
                for trace in traces:
                    await trace.send_connection_reuseconn()
            else:
                for trace in traces:
                    await trace.send_connection_create_start()
                protocol = await self._create_connection(req, traces, timeout)
                try:
                    self._check_open()
                except ClientConnectionError:
                    protocol.close()
                    raise
                for trace in traces:
                    await trace.send_connection_create_end()
        except BaseException:
            self._unreserve(host_key)
            raise
        self._acquired.add(protocol)
        return Connection(self, key, protocol, self._loop)

    def _check_open(self) -> None:
        if self._closed:
            raise ClientConnectionError("Connector is closed.")

    def _get_idle(self, key: ConnectionKey) -> ResponseHandler | None:
        """The most recently released usable connection for ``key``."""
        idle = self._conns.get(key)
        if idle is None:
            return None
        now = self._loop.time()
        keepalive = self._keepalive_timeout
        found: ResponseHandler | None = None
        while idle:
            protocol, released = idle.pop()
            if protocol.should_close or (
                keepalive is not None and now - released >= keepalive
            ):
                self._close_protocol(protocol)
                continue
            found = protocol
            break
        if not idle:
            del self._conns[key]
        return found

    async def _create_connection(
        self,
        req: ConnectRequest,
        traces: Sequence[ConnectorTrace],
        timeout: ClientTimeout,
    ) -> ResponseHandler:
        """Open a new connection for ``req``."""
        raise NotImplementedError

    # -- giving connections back -----------------------------------------

    def _release(
        self, key: ConnectionKey, protocol: ResponseHandler, *, should_close: bool
    ) -> None:
        """Take a connection back: keep it idle or close it, free its slot."""
        if protocol not in self._acquired:
            return
        self._acquired.discard(protocol)
        if (
            self._closed
            or should_close
            or self._force_close
            or protocol.should_close
            or self._keepalive_timeout == 0
        ):
            self._close_protocol(protocol)
        else:
            self._conns.setdefault(key, deque()).append((protocol, self._loop.time()))
            self._schedule_cleanup()
        if not self._closed:
            self._unreserve((key.host, key.port, key.is_ssl))

    def _close_protocol(self, protocol: ResponseHandler) -> None:
        transport = protocol.transport
        protocol.close()
        if (
            self._cleanup_closed
            and transport is not None
            and transport.get_extra_info("sslcontext") is not None
        ):
            self._cleanup_closed_transports.append(transport)
            if self._cleanup_closed_handle is None:
                self._cleanup_closed_handle = self._loop.call_later(
                    CLEANUP_CLOSED_DELAY, self._abort_closed
                )

    def _abort_closed(self) -> None:
        """Abort closed TLS transports whose peer never ended the shutdown."""
        self._cleanup_closed_handle = None
        transports, self._cleanup_closed_transports = (
            self._cleanup_closed_transports,
            [],
        )
        for transport in transports:
            transport.abort()

    def _schedule_cleanup(self) -> None:
        keepalive = self._keepalive_timeout
        if self._cleanup_handle is None and keepalive:
            self._cleanup_handle = self._loop.call_at(
                self._loop.time() + keepalive, self._cleanup
            )

    def _cleanup(self) -> None:
        """Close idle connections older than ``keepalive_timeout``."""
        self._cleanup_handle = None
        keepalive = self._keepalive_timeout
        if not keepalive:
            return
        now = self._loop.time()
        oldest: float | None = None
        for key in list(self._conns):
            kept: deque[tuple[ResponseHandler, float]] = deque()
            for protocol, released in self._conns[key]:
                if protocol.should_close or now - released >= keepalive:
                    self._close_protocol(protocol)
                else:
                    kept.append((protocol, released))
                    oldest = released if oldest is None else min(oldest, released)
            if kept:
                self._conns[key] = kept
            else:
                del self._conns[key]
        if oldest is not None:
            self._cleanup_handle = self._loop.call_at(oldest + keepalive, self._cleanup)

    def _all_protocols(self) -> list[ResponseHandler]:
        protocols = [p for idle in self._conns.values() for p, _ in idle]
        return protocols + list(self._acquired)

    async def close(self) -> None:
        """Close every connection, idle or in use, and wake queued requests."""
        if self._closed:
            return
        self._closed = True
        for handle in (self._cleanup_handle, self._cleanup_closed_handle):
            if handle is not None:
                handle.cancel()
        self._cleanup_handle = self._cleanup_closed_handle = None
        protocols = self._all_protocols()
        self._conns.clear()
        self._acquired.clear()
        for protocol in protocols:
            self._shut(protocol)
        for transport in self._cleanup_closed_transports:
            transport.abort()
        self._cleanup_closed_transports.clear()
        waiters, self._waiters = self._waiters, deque()
        for waiter in waiters:
            if not waiter.future.done():
                waiter.future.set_exception(
                    ClientConnectionError("Connector is closed.")
                )
        await self._close_resources()
        pending = [p.closed for p in protocols if not p.closed.done()]
        if pending:
            # Let connection_lost run so that no transport outlives us.
            await asyncio.wait(pending, timeout=1.0)

    def _shut(self, protocol: ResponseHandler) -> None:
        """Close a connection at connector shutdown."""
        protocol.close()

    async def _close_resources(self) -> None:
        """Release what a subclass owns besides connections."""


class _DNSCache:
    """Addresses per (host, port), each entry kept ``ttl`` seconds at most.

    Bounded to ``max_entries``: storing one more drops the oldest.
    """

    __slots__ = ("_entries", "_loop", "_max_entries", "_ttl")

    def __init__(
        self, loop: asyncio.AbstractEventLoop, ttl: float | None, max_entries: int
    ) -> None:
        self._loop = loop
        self._ttl = ttl
        self._max_entries = max_entries
        self._entries: OrderedDict[
            tuple[str, int], tuple[list[ResolveResult], float | None]
        ] = OrderedDict()

    def get(self, key: tuple[str, int]) -> list[ResolveResult] | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        addrs, expires = entry
        if expires is not None and self._loop.time() >= expires:
            del self._entries[key]
            return None
        return addrs

    def add(self, key: tuple[str, int], addrs: list[ResolveResult]) -> None:
        expires = None if self._ttl is None else self._loop.time() + self._ttl
        self._entries.pop(key, None)
        self._entries[key] = (addrs, expires)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)

    def remove(self, key: tuple[str, int]) -> None:
        self._entries.pop(key, None)

    def clear(self) -> None:
        self._entries.clear()

    def snapshot(self) -> dict[tuple[str, int], list[ResolveResult]]:
        return {key: addrs for key, (addrs, _) in self._entries.items()}


def _merge_ssl_arguments(
    ssl: SSLSetting,
    verify_ssl: bool,
    fingerprint: bytes | None,
    ssl_context: SSLContext | None,
) -> SSLSetting:
    """Fold the deprecated verify_ssl, fingerprint and ssl_context into ``ssl``."""
    if not isinstance(ssl, (bool, Fingerprint, SSLContext)):
        raise TypeError(f"ssl should be SSLContext, Fingerprint or bool, got {ssl!r}")
    old: list[SSLSetting] = []
    if not verify_ssl:
        old.append(False)
    if fingerprint is not None:
        old.append(Fingerprint(fingerprint))
    if ssl_context is not None:
        old.append(ssl_context)
    if not old:
        return ssl
    warnings.warn(
        "verify_ssl, fingerprint and ssl_context are deprecated, use ssl",
        DeprecationWarning,
        stacklevel=3,
    )
    if len(old) > 1 or ssl is not True:
        raise ValueError(
            "ssl, verify_ssl, fingerprint and ssl_context are mutually exclusive"
        )
    return old[0]


def _addr_infos(hosts: list[ResolveResult]) -> list[AddrInfoType]:
    """Resolver results as ``getaddrinfo`` tuples for aiohappyeyeballs."""
    infos: list[AddrInfoType] = []
    for entry in hosts:
        family = entry["family"]
        address: tuple[Any, ...]
        if family == socket.AF_INET6:
            address = (entry["host"], entry["port"], 0, 0)
        else:
            address = (entry["host"], entry["port"])
        infos.append((family, socket.SOCK_STREAM, entry["proto"], "", address))
    return infos


class TCPConnector(BaseConnector):
    """Connects over TCP, with TLS for https and CONNECT through proxies."""

    def __init__(
        self,
        *,
        ssl: SSLSetting = True,
        use_dns_cache: bool = True,
        ttl_dns_cache: float | None = 10,
        family: socket.AddressFamily | int = 0,
        local_addr: tuple[str, int] | None = None,
        resolver: AbstractResolver | None = None,
        keepalive_timeout: float | Sentinel | None = sentinel,
        force_close: bool = False,
        limit: int = 100,
        limit_per_host: int = 0,
        enable_cleanup_closed: bool = False,
        timeout_ceil_threshold: float = 5,
        happy_eyeballs_delay: float | None = 0.25,
        interleave: int | None = None,
        socket_factory: SocketFactoryType | None = None,
        ssl_shutdown_timeout: float = 0,
        verify_ssl: bool = True,
        fingerprint: bytes | None = None,
        ssl_context: SSLContext | None = None,
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(
            keepalive_timeout=keepalive_timeout,
            force_close=force_close,
            limit=limit,
            limit_per_host=limit_per_host,
            enable_cleanup_closed=enable_cleanup_closed,
            timeout_ceil_threshold=timeout_ceil_threshold,
            loop=loop,
        )
        ssl = _merge_ssl_arguments(ssl, verify_ssl, fingerprint, ssl_context)
        if ssl_shutdown_timeout < 0:
            raise ValueError("ssl_shutdown_timeout must be >= 0")
        self._ssl = ssl
        self._resolver_owner = resolver is None
        self._resolver = DefaultResolver() if resolver is None else resolver
        self._use_dns_cache = use_dns_cache
        self._cache = _DNSCache(self._loop, ttl_dns_cache, DNS_CACHE_MAX_ENTRIES)
        self._lookups: dict[tuple[str, int], asyncio.Task[list[ResolveResult]]] = {}
        self._family = socket.AddressFamily(family)
        self._local_addr_infos = (
            None
            if local_addr is None
            else aiohappyeyeballs.addr_to_addr_infos(local_addr)
        )
        self._happy_eyeballs_delay = happy_eyeballs_delay
        self._interleave = interleave
        self._socket_factory = socket_factory
        self._ssl_shutdown_timeout = ssl_shutdown_timeout

    @property
    def family(self) -> socket.AddressFamily:
        """The socket family used (0: IPv4 and IPv6)."""
        return self._family

    @property
    def dns_cache(self) -> bool:
        """True if resolved addresses are cached."""
        return self._use_dns_cache

    @property
    def cached_hosts(self) -> MappingProxyType[tuple[str, int], list[ResolveResult]]:
        """The DNS cache: addresses per (host, port)."""
        return MappingProxyType(self._cache.snapshot())

    def clear_dns_cache(self, host: str | None = None, port: int | None = None) -> None:
        """Forget the addresses of (host, port), or every cached address."""
        if host is not None and port is not None:
            self._cache.remove((host, port))
        elif host is not None or port is not None:
            raise ValueError("either both host and port or none of them are allowed")
        else:
            self._cache.clear()

    async def _close_resources(self) -> None:
        lookups, self._lookups = self._lookups, {}
        for task in lookups.values():
            task.cancel()
        if self._resolver_owner:
            await self._resolver.close()

    def _shut(self, protocol: ResponseHandler) -> None:
        transport = protocol.transport
        if (
            transport is not None
            and not self._ssl_shutdown_timeout
            and transport.get_extra_info("sslcontext") is not None
        ):
            # ssl_shutdown_timeout=0: do not wait for the TLS close_notify.
            protocol.force_close()
            transport.abort()
        else:
            protocol.close()

    # -- names --------------------------------------------------------------

    async def _resolve_host(
        self, host: str, port: int, traces: Sequence[ConnectorTrace]
    ) -> list[ResolveResult]:
        """The addresses of ``host``, from the cache or one shared lookup."""
        if is_ip_address(host):
            return [
                ResolveResult(
                    hostname=host,
                    host=host,
                    port=port,
                    family=socket.AF_INET6 if ":" in host else socket.AF_INET,
                    proto=0,
                    flags=socket.AI_NUMERICHOST,
                )
            ]
        if is_numeric_host_spelling(host):
            raise socket.gaierror(
                socket.EAI_NONAME,
                f"{host!r} is a number, not an IP address literal or a host name",
            )
        if not self._use_dns_cache:
            return await self._lookup_traced(host, port, traces)
        key = (host, port)
        cached = self._cache.get(key)
        if cached is not None:
            for trace in traces:
                await trace.send_dns_cache_hit(host)
            return cached
        for trace in traces:
            await trace.send_dns_cache_miss(host)
        task = self._lookups.get(key)
        if task is not None:
            # Someone is looking this name up already: share the answer.
            return await asyncio.shield(task)
        task = self._loop.create_task(self._resolver.resolve(host, port, self._family))
        self._lookups[key] = task
        task.add_done_callback(functools.partial(self._lookup_done, key))
        for trace in traces:
            await trace.send_dns_resolvehost_start(host)
        addrs = await asyncio.shield(task)
        for trace in traces:
            await trace.send_dns_resolvehost_end(host)
        return addrs

    def _lookup_done(
        self, key: tuple[str, int], task: asyncio.Task[list[ResolveResult]]
    ) -> None:
        if self._lookups.get(key) is task:
            del self._lookups[key]
        if task.cancelled():
            return
        if task.exception() is None and not self._closed:
            self._cache.add(key, task.result())

    async def _lookup_traced(
        self, host: str, port: int, traces: Sequence[ConnectorTrace]
    ) -> list[ResolveResult]:
        for trace in traces:
            await trace.send_dns_resolvehost_start(host)
        addrs = await self._resolver.resolve(host, port, self._family)
        for trace in traces:
            await trace.send_dns_resolvehost_end(host)
        return addrs

    # -- connecting ---------------------------------------------------------

    async def _create_connection(
        self,
        req: ConnectRequest,
        traces: Sequence[ConnectorTrace],
        timeout: ClientTimeout,
    ) -> ResponseHandler:
        """Open a connection to the host, or to the proxy of the request."""
        if req.proxy is not None:
            return await self._create_proxy_connection(req, traces, timeout)
        return await self._create_direct_connection(req, traces, timeout)

    async def _create_direct_connection(
        self,
        req: ConnectRequest,
        traces: Sequence[ConnectorTrace],
        timeout: ClientTimeout,
    ) -> ResponseHandler:
        key = req.connection_key
        host = req.host
        port = req.port if req.port is not None else (443 if req.is_ssl() else 80)
        hosts = await self._resolve(host, port, key, traces, ClientConnectorDNSError)
        context: ssl.SSLContext | None = None
        server_hostname: str | None = None
        if req.is_ssl():
            context = ssl_context_for(req.ssl, self._ssl)
            server_hostname = (req.server_hostname or host).rstrip(".")
        protocol = await self._connect_addrs(
            hosts, key, timeout, ClientConnectorError, context, server_hostname
        )
        fingerprint = fingerprint_of(req.ssl, self._ssl) if req.is_ssl() else None
        if fingerprint is not None:
            self._check_fingerprint(fingerprint, protocol)
        return protocol

    async def _resolve(
        self,
        host: str,
        port: int,
        key: ConnectionKey,
        traces: Sequence[ConnectorTrace],
        error: type[ClientConnectorError],
    ) -> list[ResolveResult]:
        try:
            hosts = await self._resolve_host(host, port, traces)
        except OSError as exc:
            if exc.errno is None and isinstance(exc, asyncio.TimeoutError):
                raise
            raise error(key, exc) from exc
        if not hosts:
            raise error(key, OSError(None, f"no address found for {host!r}"))
        return hosts

    def _check_fingerprint(
        self, fingerprint: Fingerprint, protocol: ResponseHandler
    ) -> None:
        try:
            fingerprint.check(protocol.transport)
        except BaseException:
            if protocol.transport is not None:
                protocol.transport.abort()
            raise

    async def _connect_addrs(
        self,
        hosts: list[ResolveResult],
        key: ConnectionKey,
        timeout: ClientTimeout,
        error: type[ClientConnectorError],
        context: ssl.SSLContext | None,
        server_hostname: str | None,
    ) -> ResponseHandler:
        """Connect a socket with Happy Eyeballs and wrap it in a protocol."""
        target = f"{key.host}:{key.port}"
        try:
            with _sock_connect_timeout(
                self._loop, timeout.sock_connect, self._timeout_ceil_threshold, target
            ):
                sock = await aiohappyeyeballs.start_connection(
                    _addr_infos(hosts),
                    local_addr_infos=self._local_addr_infos,
                    happy_eyeballs_delay=self._happy_eyeballs_delay,
                    interleave=self._interleave,
                    loop=self._loop,
                    socket_factory=self._socket_factory,
                )
                try:
                    _, protocol = await self._loop.create_connection(
                        self._factory,
                        sock=sock,
                        ssl=context,
                        server_hostname=server_hostname,
                    )
                except BaseException:
                    sock.close()
                    raise
        except _CERT_ERRORS as exc:
            raise ClientConnectorCertificateError(key, exc) from exc
        except _SSL_ERRORS as exc:
            raise ClientConnectorSSLError(key, exc) from exc
        except OSError as exc:
            if exc.errno is None and isinstance(exc, asyncio.TimeoutError):
                raise
            raise error(key, exc) from exc
        return protocol

    # -- proxies ------------------------------------------------------------

    async def _create_proxy_connection(
        self,
        req: ConnectRequest,
        traces: Sequence[ConnectorTrace],
        timeout: ClientTimeout,
    ) -> ResponseHandler:
        """Connect to the proxy; for a TLS target, tunnel with CONNECT."""
        proxy = req.proxy
        if proxy is None or proxy.raw_host is None:
            raise ValueError("the request has no usable proxy URL")
        key = req.connection_key
        proxy_port = proxy.port or (443 if proxy.scheme == "https" else 80)
        hosts = await self._resolve(
            proxy.raw_host, proxy_port, key, traces, ClientProxyConnectionError
        )
        proxy_context: ssl.SSLContext | None = None
        proxy_hostname: str | None = None
        if proxy.scheme == "https":
            proxy_context = ssl_context_for(True, self._ssl)
            proxy_hostname = proxy.raw_host
        protocol = await self._connect_addrs(
            hosts,
            key,
            timeout,
            ClientProxyConnectionError,
            proxy_context,
            proxy_hostname,
        )
        if not req.is_ssl():
            return protocol
        try:
            return await self._tunnel(req, protocol, timeout)
        except BaseException:
            protocol.close()
            raise

    async def _tunnel(
        self, req: ConnectRequest, protocol: ResponseHandler, timeout: ClientTimeout
    ) -> ResponseHandler:
        """Send CONNECT through the proxy connection, then start TLS on it."""
        proxy = req.proxy
        transport = protocol.transport
        if proxy is None or transport is None:
            raise ClientConnectionError("the proxy closed the connection")
        key = req.connection_key
        host = req.host
        port = req.port if req.port is not None else 443
        authority = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        headers: CIMultiDict[str] = CIMultiDict()
        headers[hdrs.HOST] = authority
        if req.proxy_headers:
            headers.update(req.proxy_headers)
        if req.proxy_auth is not None:
            headers[hdrs.PROXY_AUTHORIZATION] = req.proxy_auth.encode()
        _check_header_values(headers)
        head = f"CONNECT {authority} HTTP/1.1\r\n" + "".join(
            f"{name}: {value}\r\n" for name, value in headers.items()
        )
        protocol.set_response_params(
            # A refusal may come without a length, to be read until close.
            read_until_eof=True,
            request_method=hdrs.METH_CONNECT,
            read_timeout=timeout.sock_read,
            timeout_ceil_threshold=self._timeout_ceil_threshold,
        )
        transport.write(head.encode("latin-1") + b"\r\n")
        while True:
            message, _ = await protocol.read_head()
            if message.code >= 200 or message.code == 101:
                break
        if not 200 <= message.code < 300:
            raise ClientHttpProxyError(
                RequestInfo(proxy, hdrs.METH_CONNECT, CIMultiDictProxy(headers)),
                (),
                status=message.code,
                message=message.reason,
                headers=message.headers,
            )
        context = ssl_context_for(req.ssl, self._ssl)
        server_hostname = (req.server_hostname or host).rstrip(".")
        tls_protocol = self._factory()
        try:
            with _sock_connect_timeout(
                self._loop,
                timeout.sock_connect,
                self._timeout_ceil_threshold,
                authority,
            ):
                tls_transport = await self._loop.start_tls(
                    transport, tls_protocol, context, server_hostname=server_hostname
                )
        except _CERT_ERRORS as exc:
            raise ClientConnectorCertificateError(key, exc) from exc
        except _SSL_ERRORS as exc:
            raise ClientConnectorSSLError(key, exc) from exc
        except OSError as exc:
            if exc.errno is None and isinstance(exc, asyncio.TimeoutError):
                raise
            raise ClientConnectorError(key, exc) from exc
        if tls_transport is None:
            raise ClientConnectionError("the proxy closed the connection")
        # start_tls() does not call connection_made() on the new protocol.
        tls_protocol.connection_made(tls_transport)
        fingerprint = fingerprint_of(req.ssl, self._ssl)
        if fingerprint is not None:
            self._check_fingerprint(fingerprint, tls_protocol)
        # The plain protocol is left behind: the TLS layer now owns the socket.
        protocol.force_close()
        return tls_protocol


def _check_header_values(headers: CIMultiDict[str]) -> None:
    for name, value in headers.items():
        if any(c in value or c in name for c in "\r\n\x00"):
            raise ValueError(f"invalid character in proxy header {name!r}")


class UnixConnector(BaseConnector):
    """Connects to a Unix domain socket, whatever the URL's host."""

    def __init__(
        self,
        path: str,
        *,
        keepalive_timeout: float | Sentinel | None = sentinel,
        force_close: bool = False,
        limit: int = 100,
        limit_per_host: int = 0,
        timeout_ceil_threshold: float = 5,
        conn_timeout: float | None = None,
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        if conn_timeout is not None:
            # Long gone from BaseConnector; ClientTimeout.connect does this.
            raise TypeError("conn_timeout is not supported, use ClientTimeout")
        super().__init__(
            keepalive_timeout=keepalive_timeout,
            force_close=force_close,
            limit=limit,
            limit_per_host=limit_per_host,
            timeout_ceil_threshold=timeout_ceil_threshold,
            loop=loop,
        )
        self._path = path

    @property
    def path(self) -> str:
        """The path of the Unix socket."""
        return self._path

    async def _create_connection(
        self,
        req: ConnectRequest,
        traces: Sequence[ConnectorTrace],
        timeout: ClientTimeout,
    ) -> ResponseHandler:
        """Connect to the socket at ``path``."""
        try:
            with _sock_connect_timeout(
                self._loop,
                timeout.sock_connect,
                self._timeout_ceil_threshold,
                self._path,
            ):
                _, protocol = await self._loop.create_unix_connection(
                    self._factory, self._path
                )
        except OSError as exc:
            if exc.errno is None and isinstance(exc, asyncio.TimeoutError):
                raise
            raise UnixClientConnectorError(self._path, req.connection_key, exc) from exc
        return protocol
