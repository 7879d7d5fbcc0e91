"""HTTP Digest access authentication (RFC 7616) as a client middleware.

The sans-I/O half parses ``WWW-Authenticate`` challenges
(``parse_digest_challenges``) and computes ``Authorization`` values
(``digest_authorization``); ``DigestAuthMiddleware`` drives it: it answers a
401 carrying a Digest challenge by sending the request once more with
credentials, and, with ``preemptive=True``, keeps answering the same
protection space without waiting for a 401 (RFC 7616 3.6), counting the uses
of each nonce.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final
from urllib.parse import quote

from yarl import URL

from aiohttp_core import hdrs
from aiohttp_core.payload import BytesPayload

from .exceptions import ClientResponseError

if TYPE_CHECKING:
    from .middlewares import ClientHandlerType
    from .request import ClientRequest
    from .response import ClientResponse

__all__ = ("DigestAuthMiddleware",)

# RFC 7616 3.3 and 6.1: the algorithms, each with the hash that runs it.
# The "-sess" variants hash the same way; only A1 changes.
# MD5 is flagged so that FIPS builds of Python still answer MD5 challenges.
_HASHES: Final[dict[str, Callable[[bytes], str]]] = {
    "MD5": lambda data: hashlib.md5(data, usedforsecurity=False).hexdigest(),
    "SHA-256": lambda data: hashlib.sha256(data).hexdigest(),
    "SHA-512-256": lambda data: hashlib.new("sha512_256", data).hexdigest(),
}
# When a server offers several challenges, the strongest usable one wins.
_STRENGTH: Final = ("SHA-512-256", "SHA-256", "MD5")

#: The largest 401 body read so that its connection can be reused for the
#: retry; a longer one closes the connection instead.
DRAIN_LIMIT: Final = 64 * 1024
_DIGITS_RE: Final = re.compile(r"[0-9]{1,7}", re.ASCII)
#: How many protection spaces are remembered for preemptive use; the oldest
#: is forgotten first.
MAX_PROTECTION_SPACES: Final = 64

# RFC 9110 11.6.1 and 5.6:
#   challenge    = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
#   auth-param   = token BWS "=" BWS ( token / quoted-string )
#   token        = 1*tchar
#   quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE
#   token68      = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
_TOKEN: Final = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_QUOTED_STRING: Final = r'"(?:[^"\\]|\\.)*"'
_AUTH_PARAM_RE: Final = re.compile(
    rf"({_TOKEN})[ \t]*=[ \t]*({_TOKEN}|{_QUOTED_STRING})[ \t]*(?:,|$)",
    re.ASCII | re.DOTALL,
)
_SCHEME_RE: Final = re.compile(rf"({_TOKEN})(?:[ \t]+|$|(?=,))", re.ASCII)
_TOKEN68_RE: Final = re.compile(r"[A-Za-z0-9\-._~+/]+=*[ \t]*(?:,|$)", re.ASCII)
_SEPARATORS_RE: Final = re.compile(r"[ \t,]*")
_QUOTED_PAIR_RE: Final = re.compile(r"\\(.)", re.DOTALL)
# What a quoted-string can carry, escaping '"' and '\\' (RFC 9110 5.6.4),
# ASCII only: any other name goes in the RFC 8187 username* form.
_QUOTABLE_RE: Final = re.compile(r"[\t\x20-\x7e]*", re.ASCII)


class DigestChallengeError(ValueError):
    """A Digest challenge the client cannot answer."""


def _ascii_upper(value: str) -> str:
    # str.upper() maps some non-ASCII letters to ASCII ones ("\u017f" to
    # "S"); a value that is not ASCII is left as is and matches nothing.
    return value.upper() if value.isascii() else value


def _ascii_lower(value: str) -> str:
    return value.lower() if value.isascii() else value


def parse_auth_params(header: str) -> list[tuple[str, dict[str, str]]]:
    """The challenges of one ``WWW-Authenticate`` value: (scheme, params).

    Scheme and parameter names come back lower-cased, quoted values
    unquoted.  A token68 challenge gets no parameters.  Parsing stops at the
    first byte that fits no rule; the challenges before it are kept.
    """
    challenges: list[tuple[str, dict[str, str]]] = []
    pos = 0
    end = len(header)
    params: dict[str, str] | None = None
    while True:
        pos += len(_SEPARATORS_RE.match(header, pos)[0])  # type: ignore[index]
        if pos >= end:
            break
        if params is not None and (match := _AUTH_PARAM_RE.match(header, pos)):
            value = match[2]
            if value.startswith('"'):
                value = _QUOTED_PAIR_RE.sub(r"\1", value[1:-1])
            params.setdefault(match[1].lower(), value)
            pos = match.end()
            continue
        match = _SCHEME_RE.match(header, pos)
        if match is None:
            break
        params = {}
        challenges.append((match[1].lower(), params))
        pos = match.end()
        token68 = _TOKEN68_RE.match(header, pos)
        if token68 and not _AUTH_PARAM_RE.match(header, pos):
            pos = token68.end()
            params = None  # a token68 challenge takes no parameters
    return challenges


@dataclass(slots=True)
class DigestChallenge:
    """A parsed Digest challenge and the uses made of its nonce."""

    realm: str
    nonce: str
    algorithm: str = "MD5"  # canonical: upper case, "-SESS" suffix kept
    qop: tuple[str, ...] = ()
    opaque: str | None = None
    stale: bool = False
    domain: tuple[str, ...] = ()
    nonce_count: int = field(default=0, compare=False)

    @property
    def hash_name(self) -> str:
        """The hash the algorithm uses (without the ``-sess`` suffix)."""
        return self.algorithm.removesuffix("-SESS")

    @property
    def supported(self) -> bool:
        """Whether this client can answer the challenge."""
        qop_ok = not self.qop or any(q in ("auth", "auth-int") for q in self.qop)
        return self.hash_name in _HASHES and qop_ok


def parse_digest_challenges(headers: Iterable[str]) -> list[DigestChallenge]:
    """Every Digest challenge in ``WWW-Authenticate`` values, in order.

    A Digest challenge without ``realm`` or ``nonce`` is skipped.
    """
    found = []
    for header in headers:
        for scheme, params in parse_auth_params(header):
            if scheme != "digest" or "realm" not in params or "nonce" not in params:
                continue
            qop = tuple(
                _ascii_lower(q.strip(" \t"))
                for q in params.get("qop", "").split(",")
                if q.strip(" \t")
            )
            found.append(
                DigestChallenge(
                    realm=params["realm"],
                    nonce=params["nonce"],
                    algorithm=_ascii_upper(params.get("algorithm", "MD5")),
                    qop=qop,
                    opaque=params.get("opaque"),
                    stale=_ascii_lower(params.get("stale", "")) == "true",
                    domain=tuple(params.get("domain", "").split()),
                )
            )
    return found


def choose_challenge(challenges: list[DigestChallenge]) -> DigestChallenge:
    """The strongest challenge this client supports.

    Raises ``DigestChallengeError`` naming what was offered when none is.
    """
    usable = [c for c in challenges if c.supported]
    if not usable:
        offered = ", ".join(f"{c.algorithm} qop={','.join(c.qop)}" for c in challenges)
        raise DigestChallengeError(f"unsupported Digest challenge: {offered}")
    return min(usable, key=lambda c: _STRENGTH.index(c.hash_name))


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def digest_authorization(
    challenge: DigestChallenge,
    login: str,
    password: str,
    method: str,
    uri: str,
    *,
    nonce_count: int,
    cnonce: str,
    body: bytes | None = None,
) -> str:
    """The ``Authorization`` value answering ``challenge`` (RFC 7616 3.4).

    ``body`` is the request body when ``qop=auth-int`` is wanted and offered;
    otherwise ``qop=auth`` is used when offered, and the RFC 2069 form when
    the challenge offers no qop at all.
    """
    hash_name = challenge.hash_name
    if hash_name not in _HASHES:
        raise DigestChallengeError(
            f"unsupported Digest algorithm: {challenge.algorithm}"
        )
    h = _HASHES[hash_name]
    if body is not None and "auth-int" in challenge.qop:
        qop: str | None = "auth-int"
    elif "auth" in challenge.qop:
        qop = "auth"
    elif not challenge.qop:
        qop = None
    else:
        raise DigestChallengeError(
            f"Digest qop {','.join(challenge.qop)} needs a body known in advance"
        )
    ha1 = h(f"{login}:{challenge.realm}:{password}".encode())
    if challenge.algorithm.endswith("-SESS"):
        ha1 = h(f"{ha1}:{challenge.nonce}:{cnonce}".encode())
    a2 = f"{method}:{uri}"
    if qop == "auth-int":
        a2 = f"{a2}:{h(body or b'')}"
    ha2 = h(a2.encode())
    nc = f"{nonce_count:08x}"
    if qop is None:
        response = h(f"{ha1}:{challenge.nonce}:{ha2}".encode())
    else:
        response = h(f"{ha1}:{challenge.nonce}:{nc}:{cnonce}:{qop}:{ha2}".encode())
    if _QUOTABLE_RE.fullmatch(login):
        user = f"username={_quote(login)}"
    else:
        # RFC 7616 3.4.4: a name a quoted-string cannot carry goes in the
        # extended form of RFC 8187.
        user = f"username*=UTF-8''{quote(login, safe='')}"
    parts = [
        user,
        f"realm={_quote(challenge.realm)}",
        f"nonce={_quote(challenge.nonce)}",
        f"uri={_quote(uri)}",
        f"algorithm={challenge.algorithm}",
        f"response={_quote(response)}",
    ]
    if challenge.opaque is not None:
        parts.append(f"opaque={_quote(challenge.opaque)}")
    if qop is not None:
        parts += [f"qop={qop}", f"nc={nc}", f"cnonce={_quote(cnonce)}"]
    return "Digest " + ", ".join(parts)


@dataclass(slots=True)
class _ProtectionSpace:
    """Where a remembered challenge applies: an origin and path prefixes."""

    origin: URL
    prefixes: tuple[str, ...]
    challenge: DigestChallenge

    def covers(self, url: URL) -> bool:
        return url.origin() == self.origin and any(
            url.raw_path.startswith(prefix) for prefix in self.prefixes
        )


def _space_for(url: URL, challenge: DigestChallenge) -> _ProtectionSpace:
    """The protection space of a challenge received for ``url`` (RFC 7616 3.3).

    URIs of the ``domain`` list on other origins are ignored: credentials
    are sent preemptively only where they were asked for.
    """
    origin = url.origin()
    prefixes = []
    for uri in challenge.domain:
        try:
            target = url.join(URL(uri))
        except ValueError:
            continue
        if target.origin() == origin:
            prefixes.append(target.raw_path or "/")
    return _ProtectionSpace(origin, tuple(prefixes) or ("/",), challenge)


class DigestAuthMiddleware:
    """Client middleware answering HTTP Digest challenges (RFC 7616).

    Handles MD5, SHA-256 and SHA-512-256 with their ``-sess`` variants, qop
    ``auth`` and, for bodies known in advance, ``auth-int``.  A 401 with a
    Digest challenge is retried once with credentials; a request that
    already carries an ``Authorization`` header is left alone.  With
    ``preemptive=True`` the last successful challenge of a protection space
    is answered in advance, and a ``stale=true`` 401 is retried with the new
    nonce.  An unsupported challenge raises ``ClientResponseError``.
    """

    def __init__(self, login: str, password: str, *, preemptive: bool = True) -> None:
        if not isinstance(login, str):
            raise TypeError(f"login must be a str, got {type(login).__name__}")
        if not isinstance(password, str):
            raise TypeError(f"password must be a str, got {type(password).__name__}")
        self._login = login
        self._password = password
        self._preemptive = preemptive
        self._spaces: list[_ProtectionSpace] = []

    @property
    def preemptive(self) -> bool:
        """Whether credentials are sent before the server asks for them."""
        return self._preemptive

    async def __call__(
        self, request: ClientRequest, handler: ClientHandlerType
    ) -> ClientResponse:
        """Send ``request``, answering one Digest challenge if one comes."""
        if hdrs.AUTHORIZATION in request.headers:
            return await handler(request)
        space = self._find_space(request.url) if self._preemptive else None
        if space is not None:
            await self._authorize(request, space.challenge)
        response = await handler(request)
        if response.status != 401:
            return response
        challenges = parse_digest_challenges(
            response.headers.getall(hdrs.WWW_AUTHENTICATE, ())
        )
        if not challenges:
            return response
        if space is not None and space in self._spaces:
            # Its nonce is no longer good; a success below brings it back.
            self._spaces.remove(space)
        body = request.body
        if not isinstance(body, bytes) and body.consumed:
            return response  # the body cannot be sent a second time
        try:
            challenge = choose_challenge(challenges)
            await self._drain(response)
            await self._authorize(request, challenge)
        except DigestChallengeError as exc:
            response.release()
            raise ClientResponseError(
                response.request_info,
                response.history,
                status=response.status,
                message=str(exc),
                headers=response.headers,
            ) from None
        response = await handler(request)
        if response.status != 401 and self._preemptive:
            self._remember(_space_for(request.url, challenge))
        return response

    def _remember(self, space: _ProtectionSpace) -> None:
        spaces = [
            s
            for s in self._spaces
            if (s.origin, s.prefixes) != (space.origin, space.prefixes)
        ]
        spaces.append(space)
        self._spaces = spaces[-MAX_PROTECTION_SPACES:]

    def _find_space(self, url: URL) -> _ProtectionSpace | None:
        for space in reversed(self._spaces):
            if space.covers(url):
                return space
        return None

    async def _authorize(
        self, request: ClientRequest, challenge: DigestChallenge
    ) -> None:
        body: bytes | None = None
        if "auth-int" in challenge.qop and not request.compress:
            payload = request.body
            if isinstance(payload, bytes):
                body = payload
            elif isinstance(payload, BytesPayload):
                body = await payload.as_bytes()
        challenge.nonce_count += 1
        request.headers[hdrs.AUTHORIZATION] = digest_authorization(
            challenge,
            self._login,
            self._password,
            request.method,
            request.url.raw_path_qs or "/",
            nonce_count=challenge.nonce_count,
            cnonce=secrets.token_hex(16),
            body=body,
        )

    @staticmethod
    async def _drain(response: ClientResponse) -> None:
        """Finish with a 401, keeping its connection when the body is short."""
        length = response.headers.get(hdrs.CONTENT_LENGTH, "")
        if _DIGITS_RE.fullmatch(length) and int(length) <= DRAIN_LIMIT:
            await response.read()
        response.release()
