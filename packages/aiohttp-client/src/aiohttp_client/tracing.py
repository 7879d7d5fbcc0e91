"""Client tracing: the signals a request fires and the parameters they carry.

A ``TraceConfig`` holds one ``aiosignal.Signal`` per stage of a request (see
the request life cycle in the tracing reference).  For every request the
session builds one ``Trace`` per config, with a fresh context from
``TraceConfig.trace_config_ctx``; the connector and the session call the
``Trace.send_*`` coroutines as the request goes through its stages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, Final, Generic, TypeVar, overload

from aiosignal import Signal
from multidict import CIMultiDict
from yarl import URL

if TYPE_CHECKING:
    from .response import ClientResponse
    from .session import ClientSession

__all__ = (
    "TraceConfig",
    "TraceConnectionCreateEndParams",
    "TraceConnectionCreateStartParams",
    "TraceConnectionQueuedEndParams",
    "TraceConnectionQueuedStartParams",
    "TraceConnectionReuseconnParams",
    "TraceDnsCacheHitParams",
    "TraceDnsCacheMissParams",
    "TraceDnsResolveHostEndParams",
    "TraceDnsResolveHostStartParams",
    "TraceRequestChunkSentParams",
    "TraceRequestEndParams",
    "TraceRequestExceptionParams",
    "TraceRequestHeadersSentParams",
    "TraceRequestRedirectParams",
    "TraceRequestStartParams",
    "TraceResponseChunkReceivedParams",
)

_T = TypeVar("_T")
_P = TypeVar("_P")


@dataclass(frozen=True)
class TraceRequestStartParams:
    """Parameters of ``on_request_start``; ``headers`` may be mutated."""

    method: str
    url: URL
    headers: CIMultiDict[str]


@dataclass(frozen=True)
class TraceRequestChunkSentParams:
    """Parameters of ``on_request_chunk_sent``."""

    method: str
    url: URL
    chunk: bytes


@dataclass(frozen=True)
class TraceResponseChunkReceivedParams:
    """Parameters of ``on_response_chunk_received``."""

    method: str
    url: URL
    chunk: bytes


@dataclass(frozen=True)
class TraceRequestEndParams:
    """Parameters of ``on_request_end``."""

    method: str
    url: URL
    headers: CIMultiDict[str]
    response: ClientResponse


@dataclass(frozen=True)
class TraceRequestExceptionParams:
    """Parameters of ``on_request_exception``."""

    method: str
    url: URL
    headers: CIMultiDict[str]
    exception: BaseException


@dataclass(frozen=True)
class TraceRequestRedirectParams:
    """Parameters of ``on_request_redirect``."""

    method: str
    url: URL
    headers: CIMultiDict[str]
    response: ClientResponse


@dataclass(frozen=True)
class TraceConnectionQueuedStartParams:
    """Parameters of ``on_connection_queued_start`` (none yet)."""


@dataclass(frozen=True)
class TraceConnectionQueuedEndParams:
    """Parameters of ``on_connection_queued_end`` (none yet)."""


@dataclass(frozen=True)
class TraceConnectionCreateStartParams:
    """Parameters of ``on_connection_create_start`` (none yet)."""


@dataclass(frozen=True)
class TraceConnectionCreateEndParams:
    """Parameters of ``on_connection_create_end`` (none yet)."""


@dataclass(frozen=True)
class TraceConnectionReuseconnParams:
    """Parameters of ``on_connection_reuseconn`` (none yet)."""


@dataclass(frozen=True)
class TraceDnsResolveHostStartParams:
    """Parameters of ``on_dns_resolvehost_start``."""

    host: str


@dataclass(frozen=True)
class TraceDnsResolveHostEndParams:
    """Parameters of ``on_dns_resolvehost_end``."""

    host: str


@dataclass(frozen=True)
class TraceDnsCacheHitParams:
    """Parameters of ``on_dns_cache_hit``."""

    host: str


@dataclass(frozen=True)
class TraceDnsCacheMissParams:
    """Parameters of ``on_dns_cache_miss``."""

    host: str


@dataclass(frozen=True)
class TraceRequestHeadersSentParams:
    """Parameters of ``on_request_headers_sent``."""

    method: str
    url: URL
    headers: CIMultiDict[str]


# A signal whose handlers are ``async def h(session, context, params)``.
_TraceSignal = Signal["ClientSession", _T, _P]


_SIGNAL_NAMES: Final = (
    "on_request_start",
    "on_request_chunk_sent",
    "on_response_chunk_received",
    "on_request_end",
    "on_request_exception",
    "on_request_redirect",
    "on_connection_queued_start",
    "on_connection_queued_end",
    "on_connection_create_start",
    "on_connection_create_end",
    "on_connection_reuseconn",
    "on_dns_resolvehost_start",
    "on_dns_resolvehost_end",
    "on_dns_cache_hit",
    "on_dns_cache_miss",
    "on_request_headers_sent",
)


class TraceConfig(Generic[_T]):
    """The signals fired along a request, and a factory for their contexts."""

    _on_request_start: _TraceSignal[_T, TraceRequestStartParams]
    _on_request_chunk_sent: _TraceSignal[_T, TraceRequestChunkSentParams]
    _on_response_chunk_received: _TraceSignal[_T, TraceResponseChunkReceivedParams]
    _on_request_end: _TraceSignal[_T, TraceRequestEndParams]
    _on_request_exception: _TraceSignal[_T, TraceRequestExceptionParams]
    _on_request_redirect: _TraceSignal[_T, TraceRequestRedirectParams]
    _on_connection_queued_start: _TraceSignal[_T, TraceConnectionQueuedStartParams]
    _on_connection_queued_end: _TraceSignal[_T, TraceConnectionQueuedEndParams]
    _on_connection_create_start: _TraceSignal[_T, TraceConnectionCreateStartParams]
    _on_connection_create_end: _TraceSignal[_T, TraceConnectionCreateEndParams]
    _on_connection_reuseconn: _TraceSignal[_T, TraceConnectionReuseconnParams]
    _on_dns_resolvehost_start: _TraceSignal[_T, TraceDnsResolveHostStartParams]
    _on_dns_resolvehost_end: _TraceSignal[_T, TraceDnsResolveHostEndParams]
    _on_dns_cache_hit: _TraceSignal[_T, TraceDnsCacheHitParams]
    _on_dns_cache_miss: _TraceSignal[_T, TraceDnsCacheMissParams]
    _on_request_headers_sent: _TraceSignal[_T, TraceRequestHeadersSentParams]

    @overload
    def __init__(self: TraceConfig[SimpleNamespace]) -> None: ...

    @overload
    def __init__(self, trace_config_ctx_factory: Callable[..., _T]) -> None: ...

    def __init__(self, trace_config_ctx_factory: Callable[..., Any] = SimpleNamespace):
        self._factory = trace_config_ctx_factory
        for name in _SIGNAL_NAMES:
            setattr(self, f"_{name}", Signal(self))

    def trace_config_ctx(self, trace_request_ctx: object = None) -> _T:
        """A new context for one request, built by the factory."""
        result: _T = self._factory(trace_request_ctx=trace_request_ctx)
        return result

    def freeze(self) -> None:
        """Freeze every signal; a session does this when it takes the config."""
        for signal in self._signals():
            signal.freeze()

    @property
    def frozen(self) -> bool:
        """Whether ``freeze`` has run."""
        return self._on_request_start.frozen

    def _signals(self) -> Iterator[Signal[Any, Any, Any]]:
        for name in _SIGNAL_NAMES:
            signal: Signal[Any, Any, Any] = getattr(self, f"_{name}")
            yield signal

    @property
    def on_request_start(self) -> _TraceSignal[_T, TraceRequestStartParams]:
        """Fired when a request starts."""
        return self._on_request_start

    @property
    def on_request_chunk_sent(self) -> _TraceSignal[_T, TraceRequestChunkSentParams]:
        """Fired for each chunk of request body written."""
        return self._on_request_chunk_sent

    @property
    def on_response_chunk_received(
        self,
    ) -> _TraceSignal[_T, TraceResponseChunkReceivedParams]:
        """Fired for each chunk of response body read."""
        return self._on_response_chunk_received

    @property
    def on_request_end(self) -> _TraceSignal[_T, TraceRequestEndParams]:
        """Fired when a request ends with a response."""
        return self._on_request_end

    @property
    def on_request_exception(self) -> _TraceSignal[_T, TraceRequestExceptionParams]:
        """Fired when a request ends with an exception."""
        return self._on_request_exception

    @property
    def on_request_redirect(self) -> _TraceSignal[_T, TraceRequestRedirectParams]:
        """Fired when a response redirects the request."""
        return self._on_request_redirect

    @property
    def on_connection_queued_start(
        self,
    ) -> _TraceSignal[_T, TraceConnectionQueuedStartParams]:
        """Fired when a request starts waiting for a free connection slot."""
        return self._on_connection_queued_start

    @property
    def on_connection_queued_end(
        self,
    ) -> _TraceSignal[_T, TraceConnectionQueuedEndParams]:
        """Fired when a queued request got its connection slot."""
        return self._on_connection_queued_end

    @property
    def on_connection_create_start(
        self,
    ) -> _TraceSignal[_T, TraceConnectionCreateStartParams]:
        """Fired when a request starts opening a new connection."""
        return self._on_connection_create_start

    @property
    def on_connection_create_end(
        self,
    ) -> _TraceSignal[_T, TraceConnectionCreateEndParams]:
        """Fired when the new connection is open."""
        return self._on_connection_create_end

    @property
    def on_connection_reuseconn(
        self,
    ) -> _TraceSignal[_T, TraceConnectionReuseconnParams]:
        """Fired when a request reuses a pooled connection."""
        return self._on_connection_reuseconn

    @property
    def on_dns_resolvehost_start(
        self,
    ) -> _TraceSignal[_T, TraceDnsResolveHostStartParams]:
        """Fired when resolving the request's host starts."""
        return self._on_dns_resolvehost_start

    @property
    def on_dns_resolvehost_end(self) -> _TraceSignal[_T, TraceDnsResolveHostEndParams]:
        """Fired when resolving the request's host ended."""
        return self._on_dns_resolvehost_end

    @property
    def on_dns_cache_hit(self) -> _TraceSignal[_T, TraceDnsCacheHitParams]:
        """Fired when the host's addresses came from the DNS cache."""
        return self._on_dns_cache_hit

    @property
    def on_dns_cache_miss(self) -> _TraceSignal[_T, TraceDnsCacheMissParams]:
        """Fired when the host's addresses were not in the DNS cache."""
        return self._on_dns_cache_miss

    @property
    def on_request_headers_sent(
        self,
    ) -> _TraceSignal[_T, TraceRequestHeadersSentParams]:
        """Fired when the request head has been written."""
        return self._on_request_headers_sent


class Trace:
    """One config's signals bound to one request's session and context."""

    __slots__ = ("_config", "_ctx", "_session")

    def __init__(
        self,
        session: ClientSession,
        trace_config: TraceConfig[Any],
        trace_config_ctx: Any,
    ) -> None:
        # Signals refuse to send until frozen; a session freezes its configs,
        # this covers a Trace built around a config nobody froze yet.
        trace_config.freeze()
        self._config = trace_config
        self._session = session
        self._ctx = trace_config_ctx

    async def send_request_start(
        self, method: str, url: URL, headers: CIMultiDict[str]
    ) -> None:
        """Fire ``on_request_start``."""
        params = TraceRequestStartParams(method, url, headers)
        await self._config.on_request_start.send(self._session, self._ctx, params)

    async def send_request_chunk_sent(
        self, method: str, url: URL, chunk: bytes
    ) -> None:
        """Fire ``on_request_chunk_sent``."""
        params = TraceRequestChunkSentParams(method, url, chunk)
        await self._config.on_request_chunk_sent.send(self._session, self._ctx, params)

    async def send_response_chunk_received(
        self, method: str, url: URL, chunk: bytes
    ) -> None:
        """Fire ``on_response_chunk_received``."""
        params = TraceResponseChunkReceivedParams(method, url, chunk)
        signal = self._config.on_response_chunk_received
        await signal.send(self._session, self._ctx, params)

    async def send_request_end(
        self,
        method: str,
        url: URL,
        headers: CIMultiDict[str],
        response: ClientResponse,
    ) -> None:
        """Fire ``on_request_end``."""
        params = TraceRequestEndParams(method, url, headers, response)
        await self._config.on_request_end.send(self._session, self._ctx, params)

    async def send_request_exception(
        self,
        method: str,
        url: URL,
        headers: CIMultiDict[str],
        exception: BaseException,
    ) -> None:
        """Fire ``on_request_exception``."""
        params = TraceRequestExceptionParams(method, url, headers, exception)
        await self._config.on_request_exception.send(self._session, self._ctx, params)

    async def send_request_redirect(
        self,
        method: str,
        url: URL,
        headers: CIMultiDict[str],
        response: ClientResponse,
    ) -> None:
        """Fire ``on_request_redirect``."""
        params = TraceRequestRedirectParams(method, url, headers, response)
        await self._config.on_request_redirect.send(self._session, self._ctx, params)

    async def send_connection_queued_start(self) -> None:
        """Fire ``on_connection_queued_start``."""
        params = TraceConnectionQueuedStartParams()
        signal = self._config.on_connection_queued_start
        await signal.send(self._session, self._ctx, params)

    async def send_connection_queued_end(self) -> None:
        """Fire ``on_connection_queued_end``."""
        params = TraceConnectionQueuedEndParams()
        signal = self._config.on_connection_queued_end
        await signal.send(self._session, self._ctx, params)

    async def send_connection_create_start(self) -> None:
        """Fire ``on_connection_create_start``."""
        params = TraceConnectionCreateStartParams()
        signal = self._config.on_connection_create_start
        await signal.send(self._session, self._ctx, params)

    async def send_connection_create_end(self) -> None:
        """Fire ``on_connection_create_end``."""
        params = TraceConnectionCreateEndParams()
        signal = self._config.on_connection_create_end
        await signal.send(self._session, self._ctx, params)

    async def send_connection_reuseconn(self) -> None:
        """Fire ``on_connection_reuseconn``."""
        params = TraceConnectionReuseconnParams()
        signal = self._config.on_connection_reuseconn
        await signal.send(self._session, self._ctx, params)

    async def send_dns_resolvehost_start(self, host: str) -> None:
        """Fire ``on_dns_resolvehost_start``."""
        params = TraceDnsResolveHostStartParams(host)
        signal = self._config.on_dns_resolvehost_start
        await signal.send(self._session, self._ctx, params)

    async def send_dns_resolvehost_end(self, host: str) -> None:
        """Fire ``on_dns_resolvehost_end``."""
        params = TraceDnsResolveHostEndParams(host)
        signal = self._config.on_dns_resolvehost_end
        await signal.send(self._session, self._ctx, params)

    async def send_dns_cache_hit(self, host: str) -> None:
        """Fire ``on_dns_cache_hit``."""
        params = TraceDnsCacheHitParams(host)
        await self._config.on_dns_cache_hit.send(self._session, self._ctx, params)

    async def send_dns_cache_miss(self, host: str) -> None:
        """Fire ``on_dns_cache_miss``."""
        params = TraceDnsCacheMissParams(host)
        await self._config.on_dns_cache_miss.send(self._session, self._ctx, params)

    async def send_request_headers(
        self, method: str, url: URL, headers: CIMultiDict[str]
    ) -> None:
        """Fire ``on_request_headers_sent``."""
        params = TraceRequestHeadersSentParams(method, url, headers)
        signal = self._config.on_request_headers_sent
        await signal.send(self._session, self._ctx, params)
