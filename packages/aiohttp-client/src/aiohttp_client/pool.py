"""The connection pool: ``BaseConnector`` and the ``Connection`` it hands out.

``BaseConnector`` keeps idle connections per ``ConnectionKey`` and hands
them out again while they are reusable and younger than
``keepalive_timeout``.  At most ``limit`` connections are in use at once and
at most ``limit_per_host`` per ``(host, port, is_ssl)``; requests beyond
that wait in FIFO order.  A waiter is given its slot when it is woken, so a
newcomer cannot take it first; a waiter cancelled after it was woken hands
the slot to the next one.  How a new connection is opened is left to
subclasses (``_create_connection``): ``tcp_connector`` and
``unix_connector`` hold the two we ship, so this module knows nothing of
names, TLS or proxies.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import sys
import warnings
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from types import TracebackType
from typing import Any, Final, Protocol

from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from aiohttp_core.basic_auth import BasicAuth
from aiohttp_core.helpers import Sentinel, sentinel

from .client_proto import ResponseHandler
from .connection_key import ConnectionKey
from .dns_cache import DNSTrace
from .exceptions import ClientConnectionError, ConnectionTimeoutError
from .timeouts import DEFAULT_TIMEOUT, ClientTimeout
from .tls import SSLSetting

__all__ = (
    "CLEANUP_CLOSED_DELAY",
    "DEFAULT_KEEPALIVE_TIMEOUT",
    "BaseConnector",
    "ConnectRequest",
    "Connection",
    "ConnectorTrace",
)


#: Seconds an idle connection is kept for reuse, unless told otherwise.
DEFAULT_KEEPALIVE_TIMEOUT: Final = 15.0

#: Seconds after which ``enable_cleanup_closed`` aborts a closed TLS
#: transport that did not finish its shutdown.
CLEANUP_CLOSED_DELAY: Final = 2.0

# asyncio stopped leaking TLS transports whose peer never completes the
# shutdown in these versions; enable_cleanup_closed is moot there.
_NEEDS_CLEANUP_CLOSED: Final = sys.version_info < (3, 12, 7) or (
    sys.version_info[:2] == (3, 13) and sys.version_info < (3, 13, 1)
)

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


class ConnectorTrace(DNSTrace, Protocol):
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
        callbacks = self._callbacks
        if not callbacks:
            return
        self._callbacks = []
        for callback in callbacks:
            # try/except rather than contextlib.suppress: this runs for
            # every request, and suppress costs three calls.
            try:  # noqa: SIM105
                callback()
            except Exception:
                pass

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
            waited = False
        else:
            await self._wait_for_slot(host_key, traces)
            waited = True
        protocol: ResponseHandler | None = None
        try:
            if waited:
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
                self._check_open()
                for trace in traces:
                    await trace.send_connection_create_end()
        except BaseException:
            # Cancelled (a timeout) or failed after the connection was made,
            # in a trace signal say: nobody else holds it, close it here.
            if protocol is not None:
                protocol.close()
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

    @contextlib.contextmanager
    def _sock_connect_timeout(
        self, timeout: float | None, target: str
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

        when = self._loop.time() + timeout
        if timeout >= self._timeout_ceil_threshold:
            when = float(int(when) + 1)
        handle = self._loop.call_at(when, expire)
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
