"""The client's abstractions: cookie storage and name resolution."""

from __future__ import annotations

import socket
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sized
from http.cookies import BaseCookie, Morsel
from typing import Any, TypedDict

from yarl import URL

__all__ = (
    "AbstractCookieJar",
    "AbstractResolver",
    "ClearCookiePredicate",
    "LooseCookies",
    "ResolveResult",
)

ClearCookiePredicate = Callable[["Morsel[str]"], bool]

#: What ``update_cookies`` and the ``cookies`` parameters accept.
LooseCookies = (
    Mapping[str, "str | BaseCookie[str] | Morsel[Any]"]
    | Iterable[tuple[str, "str | BaseCookie[str] | Morsel[Any]"]]
    | BaseCookie[str]
)


class ResolveResult(TypedDict):
    """One address a host name resolved to, ready for ``socket.connect``."""

    hostname: str
    host: str
    port: int
    family: int
    proto: int
    flags: int


class AbstractResolver(ABC):
    """Base of the resolvers a ``TCPConnector`` can use."""

    @abstractmethod
    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        """Resolve ``host`` to the addresses to try, in order."""

    @abstractmethod
    async def close(self) -> None:
        """Release the resolver's resources."""


class AbstractCookieJar(Sized, Iterable["Morsel[str]"], ABC):
    """Cookie storage of a client session."""

    @abstractmethod
    def clear(self, predicate: ClearCookiePredicate | None = None) -> None:
        """Remove every cookie, or those for which ``predicate`` is true."""

    @abstractmethod
    def clear_domain(self, domain: str) -> None:
        """Remove the cookies of ``domain`` and its subdomains."""

    @abstractmethod
    def update_cookies(
        self, cookies: LooseCookies, response_url: URL | None = None
    ) -> None:
        """Store cookies a response at ``response_url`` sets."""

    @abstractmethod
    def filter_cookies(self, request_url: URL) -> BaseCookie[str]:
        """The cookies to send with a request to ``request_url``."""

    @property
    @abstractmethod
    def quote_cookie(self) -> bool:
        """Whether cookie values are quoted when sent."""

    @abstractmethod
    def __iter__(self) -> Iterator[Morsel[str]]:
        """Iterate over the stored cookies."""

    @abstractmethod
    def __len__(self) -> int:
        """The number of stored cookies."""
