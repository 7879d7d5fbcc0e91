"""Client middlewares: the handler types and the chain that wraps one request."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from .request import ClientRequest
    from .response import ClientResponse

__all__ = ("ClientHandlerType", "ClientMiddlewareType", "build_client_middlewares")

#: Sends one request and returns its response.
ClientHandlerType: TypeAlias = Callable[["ClientRequest"], Awaitable["ClientResponse"]]

#: Wraps a handler: ``async def mw(request, handler) -> ClientResponse``.
ClientMiddlewareType: TypeAlias = Callable[
    ["ClientRequest", ClientHandlerType], Awaitable["ClientResponse"]
]


def _bind(
    middleware: ClientMiddlewareType, handler: ClientHandlerType
) -> ClientHandlerType:
    def call(request: ClientRequest) -> Awaitable[ClientResponse]:
        return middleware(request, handler)

    return call


def build_client_middlewares(
    handler: ClientHandlerType, middlewares: Sequence[ClientMiddlewareType]
) -> ClientHandlerType:
    """Wrap ``handler`` so that the first middleware listed runs first."""
    for middleware in reversed(middlewares):
        handler = _bind(middleware, handler)
    return handler
