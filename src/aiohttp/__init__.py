"""Async HTTP client/server framework for asyncio.

This package holds no logic: it gathers the public names of the aiohttp
pieces (aiohttp-core, -ws, -client, -web, -testing, -gunicorn) where the
documentation puts them.
"""

import importlib
from typing import TYPE_CHECKING

from frozenlist import FrozenList

from aiohttp_client import (
    DEFAULT_TIMEOUT,
    AddrInfoType,
    AsyncResolver,
    BaseConnector,
    ClientConnectionError,
    ClientConnectionResetError,
    ClientConnectorCertificateError,
    ClientConnectorDNSError,
    ClientConnectorError,
    ClientConnectorSSLError,
    ClientError,
    ClientHandlerType,
    ClientHttpProxyError,
    ClientMiddlewareType,
    ClientOSError,
    ClientPayloadError,
    ClientProxyConnectionError,
    ClientRequest,
    ClientResponse,
    ClientResponseError,
    ClientSession,
    ClientSSLError,
    ClientTimeout,
    ClientWebSocketResponse,
    ClientWSTimeout,
    Connection,
    ConnectionTimeoutError,
    ContentTypeError,
    CookieJar,
    DefaultResolver,
    DigestAuthMiddleware,
    DummyCookieJar,
    Fingerprint,
    InvalidURL,
    InvalidUrlClientError,
    InvalidUrlRedirectClientError,
    NonHttpUrlClientError,
    NonHttpUrlRedirectClientError,
    RedirectClientError,
    RequestInfo,
    ServerConnectionError,
    ServerDisconnectedError,
    ServerFingerprintMismatch,
    ServerTimeoutError,
    SocketFactoryType,
    SocketTimeoutError,
    TCPConnector,
    ThreadedResolver,
    TooManyRedirects,
    TraceConfig,
    TraceConnectionCreateEndParams,
    TraceConnectionCreateStartParams,
    TraceConnectionQueuedEndParams,
    TraceConnectionQueuedStartParams,
    TraceConnectionReuseconnParams,
    TraceDnsCacheHitParams,
    TraceDnsCacheMissParams,
    TraceDnsResolveHostEndParams,
    TraceDnsResolveHostStartParams,
    TraceRequestChunkSentParams,
    TraceRequestEndParams,
    TraceRequestExceptionParams,
    TraceRequestHeadersSentParams,
    TraceRequestRedirectParams,
    TraceRequestStartParams,
    TraceResponseChunkReceivedParams,
    UnixClientConnectorError,
    UnixConnector,
    WSServerHandshakeError,
    request,
)
from aiohttp_core import hdrs
from aiohttp_core.basic_auth import BasicAuth
from aiohttp_core.chain_map import ChainMapProxy
from aiohttp_core.compression import set_zlib_backend
from aiohttp_core.content_disposition import ContentDisposition
from aiohttp_core.etag import ETag
from aiohttp_core.formdata import FormData
from aiohttp_core.http_messages import HttpVersion, HttpVersion10, HttpVersion11
from aiohttp_core.multipart import (
    BadContentDispositionHeader,
    BadContentDispositionParam,
    BodyPartReader,
    MultipartReader,
    MultipartResponseWrapper,
    MultipartWriter,
    content_disposition_filename,
    parse_content_disposition,
)
from aiohttp_core.payload import (
    PAYLOAD_REGISTRY,
    AsyncIterablePayload,
    BufferedReaderPayload,
    BytesIOPayload,
    BytesPayload,
    IOBasePayload,
    JsonPayload,
    Payload,
    StringIOPayload,
    StringPayload,
    TextIOPayload,
    get_payload,
    payload_type,
)
from aiohttp_core.streams import (
    EMPTY_PAYLOAD,
    DataQueue,
    EmptyStreamReader,
    EofStream,
    StreamReader,
)
from aiohttp_ws import (
    WebSocketError,
    WSCloseCode,
    WSMessage,
    WSMessageTypeError,
    WSMsgType,
)

if TYPE_CHECKING:
    from aiohttp_gunicorn import GunicornUVLoopWebWorker, GunicornWebWorker

__version__ = "4.0.0a0"

__all__ = (
    "DEFAULT_TIMEOUT",
    "EMPTY_PAYLOAD",
    "PAYLOAD_REGISTRY",
    "AddrInfoType",
    "AsyncIterablePayload",
    "AsyncResolver",
    "BadContentDispositionHeader",
    "BadContentDispositionParam",
    "BaseConnector",
    "BasicAuth",
    "BodyPartReader",
    "BufferedReaderPayload",
    "BytesIOPayload",
    "BytesPayload",
    "ChainMapProxy",
    "ClientConnectionError",
    "ClientConnectionResetError",
    "ClientConnectorCertificateError",
    "ClientConnectorDNSError",
    "ClientConnectorError",
    "ClientConnectorSSLError",
    "ClientError",
    "ClientHandlerType",
    "ClientHttpProxyError",
    "ClientMiddlewareType",
    "ClientOSError",
    "ClientPayloadError",
    "ClientProxyConnectionError",
    "ClientRequest",
    "ClientResponse",
    "ClientResponseError",
    "ClientSSLError",
    "ClientSession",
    "ClientTimeout",
    "ClientWSTimeout",
    "ClientWebSocketResponse",
    "Connection",
    "ConnectionTimeoutError",
    "ContentDisposition",
    "ContentTypeError",
    "CookieJar",
    "DataQueue",
    "DefaultResolver",
    "DigestAuthMiddleware",
    "DummyCookieJar",
    "ETag",
    "EmptyStreamReader",
    "EofStream",
    "Fingerprint",
    "FormData",
    "FrozenList",
    "GunicornUVLoopWebWorker",
    "GunicornWebWorker",
    "HttpVersion",
    "HttpVersion10",
    "HttpVersion11",
    "IOBasePayload",
    "InvalidURL",
    "InvalidUrlClientError",
    "InvalidUrlRedirectClientError",
    "JsonPayload",
    "MultipartReader",
    "MultipartResponseWrapper",
    "MultipartWriter",
    "NonHttpUrlClientError",
    "NonHttpUrlRedirectClientError",
    "Payload",
    "RedirectClientError",
    "RequestInfo",
    "ServerConnectionError",
    "ServerDisconnectedError",
    "ServerFingerprintMismatch",
    "ServerTimeoutError",
    "SocketFactoryType",
    "SocketTimeoutError",
    "StreamReader",
    "StringIOPayload",
    "StringPayload",
    "TCPConnector",
    "TextIOPayload",
    "ThreadedResolver",
    "TooManyRedirects",
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
    "UnixClientConnectorError",
    "UnixConnector",
    "WSCloseCode",
    "WSMessage",
    "WSMessageTypeError",
    "WSMsgType",
    "WSServerHandshakeError",
    "WebSocketError",
    "content_disposition_filename",
    "get_payload",
    "hdrs",
    "parse_content_disposition",
    "payload_type",
    "request",
    "set_zlib_backend",
)


# The gunicorn workers import gunicorn: load them only when asked for, so
# that "import aiohttp" stays free of it.
_LAZY_GUNICORN = frozenset({"GunicornUVLoopWebWorker", "GunicornWebWorker"})
# Submodules that documented code reaches as attributes right after
# "import aiohttp" (``aiohttp.multipart.MultipartReader``); imported on first
# use so that "import aiohttp" stays light.
_SUBMODULES = frozenset(
    {
        "abc",
        "client",
        "client_exceptions",
        "connector",
        "cookiejar",
        "formdata",
        "helpers",
        "http",
        "multipart",
        "payload",
        "resolver",
        "streams",
        "test_utils",
        "tracing",
        "typedefs",
        "web",
    }
)


def __getattr__(name: str) -> object:
    """Import the gunicorn workers on first access."""
    if name in _LAZY_GUNICORN:
        import aiohttp_gunicorn

        value: object = getattr(aiohttp_gunicorn, name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
