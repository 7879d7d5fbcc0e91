"""The abstract base classes users subclass, gathered from the pieces that own them."""

from aiohttp_client.abc import (
    AbstractCookieJar,
    AbstractResolver,
    ClearCookiePredicate,
    ResolveResult,
)
from aiohttp_core.abc import AbstractStreamWriter
from aiohttp_web.abc import (
    AbstractAccessLogger,
    AbstractAsyncAccessLogger,
    AbstractMatchInfo,
    AbstractRouter,
    AbstractView,
)

__all__ = (
    "AbstractAccessLogger",
    "AbstractAsyncAccessLogger",
    "AbstractCookieJar",
    "AbstractMatchInfo",
    "AbstractResolver",
    "AbstractRouter",
    "AbstractStreamWriter",
    "AbstractView",
    "ClearCookiePredicate",
    "ResolveResult",
)
