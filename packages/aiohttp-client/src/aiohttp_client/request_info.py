"""What a response and an error remember of the request they answer."""

from __future__ import annotations

from dataclasses import dataclass

from multidict import CIMultiDictProxy
from yarl import URL

__all__ = ("RequestInfo",)


@dataclass(frozen=True, slots=True, init=False)
class RequestInfo:
    """The URL, method and headers a request was sent with.

    ``url`` is the URL as requested (fragment kept), ``real_url`` the one
    sent; they differ only by the fragment unless given apart.
    """

    url: URL
    method: str
    headers: CIMultiDictProxy[str]
    real_url: URL

    def __init__(
        self,
        url: URL,
        method: str,
        headers: CIMultiDictProxy[str],
        real_url: URL | None = None,
    ) -> None:
        object.__setattr__(self, "url", url)
        object.__setattr__(self, "method", method)
        object.__setattr__(self, "headers", headers)
        object.__setattr__(self, "real_url", url if real_url is None else real_url)
