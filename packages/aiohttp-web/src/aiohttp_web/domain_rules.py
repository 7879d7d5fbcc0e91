"""Rules choosing a sub-application by the host a request is for.

``Application.add_domain`` mounts a sub-application with a ``Domain`` rule
(one host, optionally with a port) or a ``MaskDomain`` rule (``*.example.com``).
Rules compare IDNA-encoded, lower-case host names, so ``пример.рф`` matches a
request for ``xn--e1afmkfd.xn--p1ai``.
"""

from __future__ import annotations

import abc
import re
from typing import TYPE_CHECKING, Any, Final

from yarl import URL

from aiohttp_core import hdrs

if TYPE_CHECKING:
    from .request import Request

__all__ = ("AbstractRuleMatching", "Domain", "MaskDomain")


class AbstractRuleMatching(abc.ABC):
    """A condition on a request deciding whether a sub-application serves it."""

    @abc.abstractmethod
    async def match(self, request: Request) -> bool:
        """Tell whether ``request`` is for the sub-application."""

    @abc.abstractmethod
    def get_info(self) -> dict[str, Any]:
        """A description of the rule."""

    @property
    @abc.abstractmethod
    def canonical(self) -> str:
        """The rule as a string, e.g. the domain."""


# RFC 1035 2.3.1 labels (letters, digits, inner hyphens), plus "_" which
# private networks use in host names.
_LABEL_RE: Final = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?", re.ASCII)
# A Host field value (RFC 9110 7.2): reg-name or IP literal, optional port.
_HOST_FIELD_RE: Final = re.compile(
    r"(?:\[(?P<ip6>[0-9a-f:.]+)\]|(?P<name>[a-z0-9_.~!$&'()*+,;=%-]+))"
    r"(?::(?P<port>[0-9]{1,5}))?",
    re.ASCII,
)
# Ports that a rule without a port accepts: the same host, spelled out.
_DEFAULT_PORTS: Final = frozenset({None, 80, 443})


def _parse_host_field(value: str) -> tuple[str, int | None] | None:
    """``(host, port)`` from a Host field value, lower-cased; None if invalid."""
    if not value.isascii():
        return None
    match = _HOST_FIELD_RE.fullmatch(value.lower())
    if match is None:
        return None
    host = match["ip6"] or match["name"].rstrip(".")
    port = None if match["port"] is None else int(match["port"])
    return host, port


class Domain(AbstractRuleMatching):
    """Matches requests whose Host is one domain (IDNA-encoded, optional port).

    A rule without a port accepts the host alone or with port 80 or 443; a
    rule with a port accepts only that port.
    """

    _allow_star: bool = False

    def __init__(self, domain: str) -> None:
        self._host, self._port = self._validate(domain)
        self._domain = (
            self._host if self._port is None else f"{self._host}:{self._port}"
        )

    def _validate(self, domain: str) -> tuple[str, int | None]:
        if not isinstance(domain, str):
            raise TypeError(f"Domain must be a str, got {domain!r}")
        domain = domain.strip()
        if not domain:
            raise ValueError("Domain cannot be empty")
        if "://" in domain:
            raise ValueError("Scheme not supported")
        try:
            url = URL("http://" + domain)
            port = url.explicit_port
        except ValueError as exc:
            raise ValueError(f"Domain not valid: {domain!r}") from exc
        host = (url.raw_host or "").rstrip(".")
        if url.raw_path not in ("", "/") or url.raw_user or url.query_string:
            raise ValueError(f"Domain not valid: {domain!r}")
        if not host or len(host) > 253 or not self._valid_host(host):
            raise ValueError(f"Domain not valid: {domain!r}")
        return host, port

    def _valid_host(self, host: str) -> bool:
        if ":" in host:  # an IPv6 literal, validated by yarl
            return True
        for label in host.split("."):
            if label == "*" and self._allow_star:
                continue
            if _LABEL_RE.fullmatch(label) is None:
                return False
        return True

    @property
    def canonical(self) -> str:
        """The domain, IDNA-encoded, with its port if one was given."""
        return self._domain

    async def match(self, request: Request) -> bool:
        """Tell whether the host ``request`` is for is this domain."""
        if not request.headers.get(hdrs.HOST):
            # Checked first: without it request.host would ask the resolver
            # for this machine's name, a blocking call.
            return False
        # request.host is the Host field, unless the target was in absolute
        # form: then its authority wins, as RFC 9112 3.2.2 requires.
        return self.match_domain(request.host)

    def match_domain(self, host: str) -> bool:
        """Tell whether a Host field value is this domain."""
        parsed = _parse_host_field(host)
        if parsed is None:
            return False
        name, port = parsed
        if not self._match_host(name):
            return False
        if self._port is None:
            return port in _DEFAULT_PORTS
        return port == self._port

    def _match_host(self, host: str) -> bool:
        return host == self._host

    def get_info(self) -> dict[str, Any]:
        """``{'domain': domain}``."""
        return {"domain": self._domain}

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._domain}>"


class MaskDomain(Domain):
    """Matches a domain mask: each ``*`` label stands for one or more labels."""

    _allow_star = True

    def __init__(self, domain: str) -> None:
        super().__init__(domain)
        any_labels = r"[a-z0-9_-]+(?:\.[a-z0-9_-]+)*"
        regex = r"\.".join(
            any_labels if label == "*" else re.escape(label)
            for label in self._host.split(".")
        )
        self._mask = re.compile(regex, re.ASCII)

    def _match_host(self, host: str) -> bool:
        return self._mask.fullmatch(host) is not None
