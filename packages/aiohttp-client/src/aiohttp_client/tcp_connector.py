"""``TCPConnector``: connections over TCP, with TLS and through proxies.

A new connection starts with the addresses of the host, from the
``HostResolver`` of ``dns_cache`` (cached, one lookup per name at a time);
the socket is connected with Happy Eyeballs (aiohappyeyeballs) under the
``sock_connect`` timeout, wrapped in TLS for https and checked against a
pinned ``Fingerprint`` if one is set.  Through an HTTP proxy, an http
request goes to the proxy as is, while an https one first opens a CONNECT
tunnel (``proxy_tunnel``) and then starts TLS inside it.  The pool itself
lives in ``pool``; this module only says how a TCP connection is made.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import warnings
from collections.abc import Sequence
from ssl import SSLContext
from types import MappingProxyType
from typing import Any, Final

import aiohappyeyeballs
from aiohappyeyeballs import AddrInfoType, SocketFactoryType

from aiohttp_core.helpers import Sentinel, sentinel

from .abc import AbstractResolver, ResolveResult
from .client_proto import ResponseHandler
from .connection_key import ConnectionKey
from .dns_cache import HostResolver
from .exceptions import (
    ClientConnectionError,
    ClientConnectorCertificateError,
    ClientConnectorDNSError,
    ClientConnectorError,
    ClientConnectorSSLError,
    ClientProxyConnectionError,
)
from .pool import BaseConnector, ConnectorTrace, ConnectRequest
from .proxy_tunnel import connect_authority, request_tunnel
from .timeouts import ClientTimeout
from .tls import Fingerprint, SSLSetting, fingerprint_of, ssl_context_for

__all__ = ("AddrInfoType", "SocketFactoryType", "TCPConnector")


_CERT_ERRORS: Final = (ssl.CertificateError,)
_SSL_ERRORS: Final = (ssl.SSLError,)


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
        self._hosts = HostResolver(
            self._loop,
            resolver,
            use_cache=use_dns_cache,
            ttl=ttl_dns_cache,
            family=socket.AddressFamily(family),
        )
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
        return self._hosts.family

    @property
    def dns_cache(self) -> bool:
        """True if resolved addresses are cached."""
        return self._hosts.use_cache

    @property
    def cached_hosts(self) -> MappingProxyType[tuple[str, int], list[ResolveResult]]:
        """The DNS cache: addresses per (host, port)."""
        return MappingProxyType(self._hosts.cache.snapshot())

    def clear_dns_cache(self, host: str | None = None, port: int | None = None) -> None:
        """Forget the addresses of (host, port), or every cached address."""
        if host is not None and port is not None:
            self._hosts.cache.remove((host, port))
        elif host is not None or port is not None:
            raise ValueError("either both host and port or none of them are allowed")
        else:
            self._hosts.cache.clear()

    async def _close_resources(self) -> None:
        await self._hosts.close()

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
            hosts = await self._hosts.resolve(host, port, traces)
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
            with self._sock_connect_timeout(timeout.sock_connect, target):
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
        authority = connect_authority(host, req.port if req.port is not None else 443)
        await request_tunnel(
            req,
            proxy,
            authority,
            protocol,
            transport,
            timeout,
            self._timeout_ceil_threshold,
        )
        context = ssl_context_for(req.ssl, self._ssl)
        server_hostname = (req.server_hostname or host).rstrip(".")
        tls_protocol = self._factory()
        try:
            with self._sock_connect_timeout(timeout.sock_connect, authority):
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
