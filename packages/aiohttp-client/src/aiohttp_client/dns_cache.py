"""The DNS cache of ``TCPConnector`` and the lookups it shares.

``HostResolver`` answers "which addresses does (host, port) have?" for a
connector: an IP literal is answered on the spot, a host name spelled as a
bare number is refused, and any other name goes through a resolver.  With
the cache on, answers are kept ``ttl`` seconds in a ``DNSCache`` bounded to
``DNS_CACHE_MAX_ENTRIES`` names (the oldest goes first), and concurrent
requests for the same name share one lookup instead of each starting its
own.  It lives apart from the connector so that the pool code does not mix
with name resolution.
"""

from __future__ import annotations

import asyncio
import functools
import socket
from collections import OrderedDict
from collections.abc import Sequence
from typing import Final, Protocol

from aiohttp_core.helpers import is_ip_address

from .abc import AbstractResolver, ResolveResult
from .resolver import DefaultResolver, is_numeric_host_spelling

__all__ = ("DNS_CACHE_MAX_ENTRIES", "DNSCache", "DNSTrace", "HostResolver")


#: How many host names the DNS cache of a ``TCPConnector`` remembers; the
#: oldest entry goes first.
DNS_CACHE_MAX_ENTRIES: Final = 1024

HostPort = tuple[str, int]


class DNSTrace(Protocol):
    """The trace signals sent while a host name is resolved."""

    async def send_dns_resolvehost_start(self, host: str) -> None:
        """A lookup of ``host`` started."""

    async def send_dns_resolvehost_end(self, host: str) -> None:
        """A lookup of ``host`` ended."""

    async def send_dns_cache_hit(self, host: str) -> None:
        """``host`` was found in the DNS cache."""

    async def send_dns_cache_miss(self, host: str) -> None:
        """``host`` was not in the DNS cache."""


class DNSCache:
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
            HostPort, tuple[list[ResolveResult], float | None]
        ] = OrderedDict()

    def get(self, key: HostPort) -> list[ResolveResult] | None:
        """The addresses stored for ``key``, or None if absent or expired."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        addrs, expires = entry
        if expires is not None and self._loop.time() >= expires:
            del self._entries[key]
            return None
        return addrs

    def add(self, key: HostPort, addrs: list[ResolveResult]) -> None:
        """Store ``addrs`` for ``key`` as the newest entry."""
        expires = None if self._ttl is None else self._loop.time() + self._ttl
        self._entries.pop(key, None)
        self._entries[key] = (addrs, expires)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)

    def remove(self, key: HostPort) -> None:
        """Forget ``key``, if stored."""
        self._entries.pop(key, None)

    def clear(self) -> None:
        """Forget every entry."""
        self._entries.clear()

    def snapshot(self) -> dict[HostPort, list[ResolveResult]]:
        """A copy of the stored entries, expired ones included."""
        return {key: addrs for key, (addrs, _) in self._entries.items()}


class HostResolver:
    """Resolves (host, port) for a connector, through the cache if enabled."""

    __slots__ = (
        "_cache",
        "_closed",
        "_family",
        "_lookups",
        "_loop",
        "_owns_resolver",
        "_resolver",
        "_use_cache",
    )

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        resolver: AbstractResolver | None,
        *,
        use_cache: bool,
        ttl: float | None,
        family: socket.AddressFamily,
    ) -> None:
        self._loop = loop
        self._owns_resolver = resolver is None
        self._resolver = DefaultResolver() if resolver is None else resolver
        self._use_cache = use_cache
        self._cache = DNSCache(loop, ttl, DNS_CACHE_MAX_ENTRIES)
        self._lookups: dict[HostPort, asyncio.Task[list[ResolveResult]]] = {}
        self._family = family
        self._closed = False

    @property
    def use_cache(self) -> bool:
        """True if resolved addresses are cached."""
        return self._use_cache

    @property
    def family(self) -> socket.AddressFamily:
        """The socket family asked for (0: IPv4 and IPv6)."""
        return self._family

    @property
    def cache(self) -> DNSCache:
        """The cache of resolved addresses."""
        return self._cache

    async def close(self) -> None:
        """Cancel lookups in flight; close the resolver if we made it."""
        self._closed = True
        lookups, self._lookups = self._lookups, {}
        for task in lookups.values():
            task.cancel()
        if self._owns_resolver:
            await self._resolver.close()

    async def resolve(
        self, host: str, port: int, traces: Sequence[DNSTrace]
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
        if not self._use_cache:
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
        self, key: HostPort, task: asyncio.Task[list[ResolveResult]]
    ) -> None:
        if self._lookups.get(key) is task:
            del self._lookups[key]
        if task.cancelled():
            return
        if task.exception() is None and not self._closed:
            self._cache.add(key, task.result())

    async def _lookup_traced(
        self, host: str, port: int, traces: Sequence[DNSTrace]
    ) -> list[ResolveResult]:
        for trace in traces:
            await trace.send_dns_resolvehost_start(host)
        addrs = await self._resolver.resolve(host, port, self._family)
        for trace in traces:
            await trace.send_dns_resolvehost_end(host)
        return addrs
