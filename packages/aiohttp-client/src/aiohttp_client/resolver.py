"""Name resolvers: the thread pool's ``getaddrinfo`` and aiodns.

``DefaultResolver`` is ``AsyncResolver`` when aiodns can be imported and
``ThreadedResolver`` otherwise.  Every resolver answers an IP literal
without a lookup and refuses host names spelled as bare numbers (see
``is_numeric_host_spelling``), and reports a failed lookup as an
``socket.gaierror`` (an ``OSError``) that the connector
turns into ``ClientConnectorDNSError``.
"""

from __future__ import annotations

import asyncio
import inspect
import ipaddress
import re
import socket
from typing import TYPE_CHECKING, Any, Final

from aiohttp_core.helpers import is_ip_address

from .abc import AbstractResolver, ResolveResult

if TYPE_CHECKING:
    import aiodns

__all__ = (
    "AsyncResolver",
    "DefaultResolver",
    "ThreadedResolver",
    "is_numeric_host_spelling",
)

# A label that the IPv4 parser of URLs and of inet_aton() reads as a number:
# decimal, octal (leading 0) or hexadecimal (0x).  WHATWG URL calls a host
# whose last label is such a number one that "ends in a number".
_NUMERIC_LABEL_RE: Final = re.compile(r"(?:0[xX][0-9A-Fa-f]*|[0-9]+)", re.ASCII)

_NAME_FLAGS: Final = socket.NI_NUMERICHOST | socket.NI_NUMERICSERV


def is_numeric_host_spelling(host: str) -> bool:
    """Tell whether ``host`` is a number-like spelling other than a dotted quad.

    ``2130706433``, ``127.1``, ``0x7f000001``, ``0x7f.1``, ``017700000001``
    and ``127.0.0.01`` all mean 127.0.0.1 to ``inet_aton()`` (which the C
    library's ``getaddrinfo`` uses on names), yet none of them is an IP
    literal of RFC 3986.  We refuse them rather than let the resolver turn
    them into addresses that the URL did not spell.
    """
    name = host[:-1] if host.endswith(".") else host
    last = name.rpartition(".")[2]
    if not _NUMERIC_LABEL_RE.fullmatch(last):
        return False
    return not is_ip_address(name)


def _refuse_numeric(host: str) -> None:
    if is_numeric_host_spelling(host):
        raise socket.gaierror(
            socket.EAI_NONAME,
            f"{host!r} is a number, not an IP address literal or a host name",
        )


def _literal_result(host: str, port: int, family: int) -> list[ResolveResult]:
    """The result for an IP literal, which needs no lookup."""
    address = ipaddress.ip_address(host)
    addr_family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
    if family and family != addr_family:
        raise socket.gaierror(
            socket.EAI_ADDRFAMILY,
            f"{host!r} is not an address of the requested family",
        )
    return [
        ResolveResult(
            hostname=host,
            host=host,
            port=port,
            family=addr_family,
            proto=socket.IPPROTO_TCP,
            flags=socket.AI_NUMERICHOST | socket.AI_NUMERICSERV,
        )
    ]


class ThreadedResolver(AbstractResolver):
    """Resolves with ``getaddrinfo`` in the loop's default executor."""

    def __init__(self) -> None:
        self._loop = asyncio.get_running_loop()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        """Resolve ``host`` to the addresses to try, in the system's order."""
        if is_ip_address(host):
            return _literal_result(host, port, family)
        _refuse_numeric(host)
        infos = await self._loop.getaddrinfo(
            host,
            port,
            type=socket.SOCK_STREAM,
            family=family,
            flags=socket.AI_ADDRCONFIG,
        )
        results: list[ResolveResult] = []
        for addr_family, _, proto, _, address in infos:
            if addr_family == socket.AF_INET6:
                if len(address) < 3 or not isinstance(address[0], str):
                    # Python built without IPv6 support gives an int here.
                    continue
                if address[3]:
                    # A link-local address only works with its zone, which
                    # only getnameinfo spells out ("fe80::1%eth0").
                    resolved, _ = await self._loop.getnameinfo(address, _NAME_FLAGS)
                else:
                    resolved = address[0]
            else:
                resolved = str(address[0])
            results.append(
                ResolveResult(
                    hostname=host,
                    host=resolved,
                    port=int(address[1]),
                    family=addr_family,
                    proto=proto,
                    flags=_NAME_FLAGS,
                )
            )
        if not results:
            raise socket.gaierror(socket.EAI_NONAME, f"no address found for {host!r}")
        return results

    async def close(self) -> None:
        """Nothing to release: the executor belongs to the loop."""


class AsyncResolver(AbstractResolver):
    """Resolves with aiodns (c-ares) on the event loop, without threads."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        try:
            import aiodns
        except ImportError as exc:
            raise RuntimeError(
                "AsyncResolver needs aiodns: install it with 'pip install aiodns'"
            ) from exc
        self._resolver: aiodns.DNSResolver = aiodns.DNSResolver(*args, **kwargs)
        self._error_type: type[Exception] = aiodns.error.DNSError

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        """Resolve ``host`` to the addresses to try, as c-ares orders them."""
        if is_ip_address(host):
            return _literal_result(host, port, family)
        _refuse_numeric(host)
        try:
            answer = await self._resolver.getaddrinfo(
                host,
                port=port,
                type=socket.SOCK_STREAM,
                family=family,
                flags=socket.AI_ADDRCONFIG,
            )
        except self._error_type as exc:
            code = exc.args[0] if exc.args else None
            message = exc.args[1] if len(exc.args) > 1 else "DNS lookup failed"
            # gaierror, not OSError: OSError(4, ...) would become an
            # InterruptedError, c-ares codes are not errno values.
            raise socket.gaierror(code, message) from exc
        results: list[ResolveResult] = []
        for node in answer.nodes:
            address: tuple[Any, ...] = node.addr
            resolved = address[0].decode("ascii")
            if node.family == socket.AF_INET6 and len(address) > 3 and address[3]:
                resolved, _ = await asyncio.get_running_loop().getnameinfo(
                    (resolved, *address[1:]), _NAME_FLAGS
                )
            results.append(
                ResolveResult(
                    hostname=host,
                    host=resolved,
                    port=int(address[1]),
                    family=node.family,
                    proto=node.protocol,
                    flags=_NAME_FLAGS,
                )
            )
        if not results:
            raise socket.gaierror(None, f"DNS lookup of {host!r} found no address")
        return results

    async def close(self) -> None:
        """Stop the c-ares channel."""
        closing = self._resolver.close()
        if inspect.isawaitable(closing):
            await closing


def _default_resolver() -> type[AbstractResolver]:
    try:
        import aiodns  # noqa: F401
    except ImportError:
        return ThreadedResolver
    return AsyncResolver


#: The resolver a ``TCPConnector`` uses unless given one.
DefaultResolver: type[AbstractResolver] = _default_resolver()
