"""The client's cookie storage, following the storage model of RFC 6265.

``CookieJar`` keeps what responses set and hands back what a request may
carry.  Its rules, with the RFC 6265 section each one comes from:

* 5.3 step 6: a cookie without a Domain attribute is *host-only*: it goes
  back to the exact host that set it.  A Domain attribute must domain-match
  the response's host (5.1.3), or the cookie is ignored.
* 5.3 step 5: a Domain attribute that is a public suffix is refused unless
  it equals the host (then the cookie is host-only).  With no public suffix
  list at hand, every single-label domain ("com", "localhost") counts as
  one, which covers the top-level domains.
* 5.1.3: IP addresses only ever domain-match themselves; and with
  ``unsafe=False`` (the default) a response from an IP address sets nothing.
* 5.1.4 and 5.2.4: the default path, and path-matching.
* 5.2.1, 5.2.2 and 5.3 step 3: Max-Age wins over Expires; a date in the past
  or a Max-Age of zero or less deletes the stored cookie.  Expires is read
  with the lenient cookie-date algorithm of 5.1.1.
* 5.4: Secure cookies go only to https/wss or to the origins given in
  ``treat_as_secure_origin``; the Cookie header lists longer paths first,
  then older cookies first.
* 6.1 (limits): a cookie's name and value together may take 4096 bytes, a
  domain 180 cookies and the jar 3000; beyond these the oldest is evicted.

Two rules come from RFC 6265bis, the revision browsers follow: an expiry
is capped at 400 days, and the ``__Secure-`` and ``__Host-`` name prefixes
are enforced on cookies a response sets (not on those the caller stores
without a response URL).  Expired cookies are not timed individually: a heap ordered by
expiry is checked whenever the jar is used, and compacted when stale
entries outnumber the live ones.
"""

from __future__ import annotations

import calendar
import contextlib
import heapq
import json
import os
import re
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from http.cookies import BaseCookie, CookieError, Morsel, SimpleCookie
from pathlib import Path
from typing import Any, Final

from yarl import URL

from aiohttp_core.helpers import is_ip_address

from .abc import AbstractCookieJar, ClearCookiePredicate, LooseCookies

__all__ = ("CookieJar", "DummyCookieJar")

#: RFC 6265 6.1 asks for at least 4096 bytes of name and value per cookie.
MAX_COOKIE_SIZE: Final = 4096
#: RFC 6265 6.1 asks for at least 50; browsers keep 180 per domain.
MAX_COOKIES_PER_DOMAIN: Final = 180
#: RFC 6265 6.1 asks for at least 3000 cookies in total.
MAX_COOKIES: Final = 3000
#: RFC 6265bis 5.6 caps Max-Age and Expires at 400 days.
MAX_AGE_CAP: Final = 400 * 24 * 3600

_SECURE_SCHEMES: Final = frozenset({"https", "wss"})
_FILE_FORMAT: Final = "aiohttp-cookie-jar"
_FILE_VERSION: Final = 1

# RFC 6265 5.1.1:
#   delimiter   = %x09 / %x20-2F / %x3B-40 / %x5B-60 / %x7B-7E
#   time        = hms-time ( non-digit *OCTET )
#   hms-time    = time-field ":" time-field ":" time-field
#   time-field  = 1*2DIGIT
#   day-of-month = 1*2DIGIT ( non-digit *OCTET )
#   month       = ( "jan" / "feb" / ... / "dec" ) *OCTET
#   year        = 2*4DIGIT ( non-digit *OCTET )
_DATE_DELIMITER_RE: Final = re.compile(r"[\x09\x20-\x2f\x3b-\x40\x5b-\x60\x7b-\x7e]+")
_TIME_RE: Final = re.compile(
    r"([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(?:[^0-9].*)?", re.ASCII | re.DOTALL
)
_DAY_OF_MONTH_RE: Final = re.compile(r"([0-9]{1,2})(?:[^0-9].*)?", re.ASCII | re.DOTALL)
_MONTH_RE: Final = re.compile(
    r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec).*",
    re.ASCII | re.IGNORECASE | re.DOTALL,
)
_YEAR_RE: Final = re.compile(r"([0-9]{2,4})(?:[^0-9].*)?", re.ASCII | re.DOTALL)
_MONTH_NAMES: Final = (
    "jan", "feb", "mar", "apr", "may", "jun",
    "jul", "aug", "sep", "oct", "nov", "dec",
)  # fmt: skip
_MONTHS: Final = {name: number for number, name in enumerate(_MONTH_NAMES, 1)}
# RFC 6265 5.2.2: max-age-av = "Max-Age=" non-zero-digit *DIGIT, read
# leniently as an optional minus sign and digits.
_MAX_AGE_RE: Final = re.compile(r"(-?)([0-9]+)", re.ASCII)


def parse_cookie_date(value: str) -> float | None:
    """The POSIX time of an Expires value (RFC 6265 5.1.1), or None if invalid."""
    hms: tuple[int, int, int] | None = None
    day = month = year = None
    for token in _DATE_DELIMITER_RE.split(value):
        if not token:
            continue
        if hms is None and (match := _TIME_RE.fullmatch(token)):
            hms = (int(match[1]), int(match[2]), int(match[3]))
        elif day is None and (match := _DAY_OF_MONTH_RE.fullmatch(token)):
            day = int(match[1])
        elif month is None and (match := _MONTH_RE.fullmatch(token)):
            month = _MONTHS[match[1].lower()]
        elif year is None and (match := _YEAR_RE.fullmatch(token)):
            year = int(match[1])
    if hms is None or day is None or month is None or year is None:
        return None
    if 70 <= year <= 99:
        year += 1900
    elif 0 <= year <= 69:
        year += 2000
    hour, minute, second = hms
    if year < 1601 or hour > 23 or minute > 59 or second > 59:
        return None
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    return float(calendar.timegm((year, month, day, hour, minute, second)))


def _is_secure_scheme(url: URL) -> bool:
    return url.scheme in _SECURE_SCHEMES


def _default_path(url: URL) -> str:
    """The default-path of RFC 6265 5.1.4 for cookies set by ``url``."""
    path = url.path
    if not path.startswith("/"):
        return "/"
    cut = path.rfind("/")
    return "/" if cut == 0 else path[:cut]


def _path_match(request_path: str, cookie_path: str) -> bool:
    """RFC 6265 5.1.4 path-match."""
    if not request_path.startswith(cookie_path):
        return False
    return (
        len(request_path) == len(cookie_path)
        or cookie_path.endswith("/")
        or request_path[len(cookie_path)] == "/"
    )


def _domain_match(host: str, domain: str) -> bool:
    """RFC 6265 5.1.3 domain-match of a canonical ``host`` against ``domain``."""
    if host == domain:
        return True
    return (
        host.endswith(domain)
        and host[-len(domain) - 1] == "."
        and (not is_ip_address(host))
    )


def _canonical_domain(value: str) -> str | None:
    """A Domain attribute as stored (RFC 6265 5.2.3), or None when unusable."""
    value = value.removeprefix(".")
    if not value.isascii():
        try:
            value = value.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    return value.lower()


def _parent_domains(host: str) -> Iterator[str]:
    """``host`` and every domain it domain-matches, most specific first."""
    yield host
    if is_ip_address(host):
        return
    start = host.find(".")
    while start != -1:
        yield host[start + 1 :]
        start = host.find(".", start + 1)


def _prefix_allows(name: str, secure: bool, host_only: bool, path: str) -> bool:
    """RFC 6265bis 4.1.3: what the ``__Secure-`` and ``__Host-`` names demand.

    ``secure`` is true for a Secure cookie set by a secure origin.
    """
    if name.startswith("__Secure-"):
        return secure
    if name.startswith("__Host-"):
        return secure and host_only and path == "/"
    return True


def _morsel_key(morsel: Morsel[Any]) -> str | None:
    key: str | None = morsel.key
    return key or None


@dataclass(slots=True)
class _Cookie:
    """One stored cookie: its morsel and the state RFC 6265 5.3 keeps with it."""

    morsel: Morsel[str]
    domain: str
    path: str
    host_only: bool
    secure: bool
    expires: float | None
    seq: int

    @property
    def name(self) -> str:
        name: str = self.morsel.key
        return name


_Key = tuple[str, str, str]  # (domain, path, name): a cookie's identity


class CookieJar(AbstractCookieJar):
    """Cookie storage following RFC 6265, bounded in size.

    ``treat_as_secure_origin`` lists origins (``str`` or ``URL``, one or a
    list) that receive Secure cookies as if they were https; an origin
    written without a port matches its scheme and host on any port.
    """

    # The wall clock: Expires is an absolute date.  A class attribute so
    # that a subclass can run the jar on another clock.
    _time = staticmethod(time.time)

    def __init__(
        self,
        *,
        unsafe: bool = False,
        quote_cookie: bool = True,
        treat_as_secure_origin: str | URL | Iterable[str | URL] | None = None,
        max_cookies: int = MAX_COOKIES,
        max_cookies_per_domain: int = MAX_COOKIES_PER_DOMAIN,
        max_cookie_size: int = MAX_COOKIE_SIZE,
        loop: object = None,
    ) -> None:
        for name, limit in (
            ("max_cookies", max_cookies),
            ("max_cookies_per_domain", max_cookies_per_domain),
            ("max_cookie_size", max_cookie_size),
        ):
            if limit < 1:
                raise ValueError(f"{name} must be at least 1, got {limit!r}")
        self._unsafe = unsafe
        self._quote_cookie = quote_cookie
        self._secure_origins = _parse_origins(treat_as_secure_origin)
        self._max_cookies = max_cookies
        self._max_per_domain = max_cookies_per_domain
        self._max_cookie_size = max_cookie_size
        # Both dicts keep creation order (a replaced cookie keeps its place,
        # as RFC 6265 5.3 step 11 keeps its creation-time), so the first
        # entry is always the oldest.
        self._cookies: dict[_Key, _Cookie] = {}
        self._by_domain: dict[str, dict[_Key, _Cookie]] = {}
        self._expiry_heap: list[tuple[float, int, _Key]] = []
        self._seq = 0

    @property
    def quote_cookie(self) -> bool:
        """Whether cookie values are sent as quoted strings when needed."""
        return self._quote_cookie

    @property
    def unsafe(self) -> bool:
        """Whether responses from IP addresses may set cookies."""
        return self._unsafe

    def __len__(self) -> int:
        self._drop_expired(self._time())
        return len(self._cookies)

    def __iter__(self) -> Iterator[Morsel[str]]:
        self._drop_expired(self._time())
        return iter([cookie.morsel for cookie in self._cookies.values()])

    def __repr__(self) -> str:
        return f"<CookieJar {len(self._cookies)} cookies>"

    def clear(self, predicate: ClearCookiePredicate | None = None) -> None:
        """Remove every cookie, or those for which ``predicate(morsel)`` is true."""
        if predicate is None:
            self._cookies.clear()
            self._by_domain.clear()
            self._expiry_heap.clear()
            return
        self._drop_expired(self._time())
        for key, cookie in list(self._cookies.items()):
            if predicate(cookie.morsel):
                self._remove(key)

    def clear_domain(self, domain: str) -> None:
        """Remove the cookies of ``domain`` and of its subdomains."""
        target = _canonical_domain(domain)
        if not target:
            raise ValueError(f"not a domain: {domain!r}")
        for key, cookie in list(self._cookies.items()):
            if cookie.domain and _domain_match(cookie.domain, target):
                self._remove(key)

    def update_cookies(
        self, cookies: LooseCookies, response_url: URL | None = None
    ) -> None:
        """Store the cookies a response from ``response_url`` sets.

        With no ``response_url`` (or one without a host) a cookie without a
        Domain attribute is shared: it is sent with every request.
        """
        now = self._time()
        self._drop_expired(now)
        host = None if response_url is None else response_url.raw_host
        if host is not None and not self._unsafe and is_ip_address(host):
            return
        if response_url is None or host is None:
            default_path = "/"
            secure_origin = True
        else:
            default_path = _default_path(response_url)
            secure_origin = self._is_secure(response_url)
        for morsel in _morsels(cookies):
            self._set(morsel, host, default_path, secure_origin, now)

    def filter_cookies(self, request_url: URL) -> BaseCookie[str]:
        """The cookies a request to ``request_url`` carries, in header order."""
        result: BaseCookie[str] = SimpleCookie() if self._quote_cookie else BaseCookie()
        if not self._cookies:
            return result
        self._drop_expired(self._time())
        host = request_url.raw_host
        domains = [""] if host is None else ["", *_parent_domains(host)]
        secure = self._is_secure(request_url)
        path = request_url.path or "/"
        found: list[_Cookie] = []
        for domain in domains:
            bucket = self._by_domain.get(domain)
            if not bucket:
                continue
            for cookie in bucket.values():
                if cookie.host_only and domain != host:
                    continue
                if cookie.secure and not secure:
                    continue
                if _path_match(path, cookie.path):
                    found.append(cookie)
        # RFC 6265 5.4 step 2: longer paths first, then earlier creation.
        found.sort(key=lambda cookie: (-len(cookie.path), cookie.seq))
        for cookie in found:
            name = cookie.name
            if name in result:  # a header can carry one value per name here
                continue
            stored = cookie.morsel
            sent: Morsel[str] = Morsel()
            coded = stored.coded_value if self._quote_cookie else stored.value
            sent.set(name, stored.value, coded)
            result[name] = sent
        return result

    def save(self, file_path: str | os.PathLike[str]) -> None:
        """Write the cookies to ``file_path`` as JSON, readable only by the owner."""
        self._drop_expired(self._time())
        document = {
            "format": _FILE_FORMAT,
            "version": _FILE_VERSION,
            "cookies": [_dump(cookie) for cookie in self._cookies.values()],
        }
        path = Path(file_path)
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as file:
                json.dump(document, file, ensure_ascii=True)
            os.replace(tmp_name, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)
            raise

    def load(self, file_path: str | os.PathLike[str]) -> None:
        """Replace the cookies with those ``save`` wrote to ``file_path``.

        Raises ``ValueError`` when the file is not such a file.
        """
        with open(file_path, encoding="utf-8") as file:
            try:
                document = json.load(file)
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                raise ValueError(f"{file_path}: not a cookie jar file: {exc}") from exc
        try:
            loaded = _parse_document(document)
        except (KeyError, TypeError, ValueError, CookieError) as exc:
            raise ValueError(f"{file_path}: corrupt cookie jar file: {exc}") from exc
        self.clear()
        now = self._time()
        for cookie in loaded:
            if cookie.expires is None or cookie.expires > now:
                self._insert(cookie)

    def _is_secure(self, url: URL) -> bool:
        if _is_secure_scheme(url):
            return True
        origins = self._secure_origins
        if not origins:
            return False
        scheme, host = url.scheme, url.raw_host
        return (scheme, host, None) in origins or (scheme, host, url.port) in origins

    def _set(
        self,
        morsel: Morsel[Any],
        host: str | None,
        default_path: str,
        secure_origin: bool,
        now: float,
    ) -> None:
        """Store one cookie by RFC 6265 5.3, or ignore it."""
        name = _morsel_key(morsel)
        if name is None:
            return
        value = str(morsel.value)
        if len(name.encode()) + len(value.encode()) > self._max_cookie_size:
            return
        domain_attr = str(morsel.get("domain") or "")
        host_only = True
        domain = host or ""
        if domain_attr:
            canonical = _canonical_domain(domain_attr)
            if canonical is None:
                return
            if not canonical:
                pass  # 5.2.3: an empty Domain attribute is ignored
            elif host is None:
                domain, host_only = canonical, is_ip_address(canonical)
            elif canonical == host:
                # 5.3 step 5: a public suffix equal to the host makes the
                # cookie host-only, and so does an address (5.1.3); any
                # other domain reaches the subdomains too.
                host_only = "." not in canonical or is_ip_address(canonical)
            elif "." not in canonical or is_ip_address(canonical):
                return  # a public suffix, or another address
            elif _domain_match(host, canonical):
                domain, host_only = canonical, False
            else:
                return
        if host is None and not domain:
            host_only = False  # shared: sent with every request
        path_attr = str(morsel.get("path") or "")
        path = path_attr if path_attr.startswith("/") else default_path
        secure = bool(morsel.get("secure"))
        if host is not None and not _prefix_allows(
            name, secure and secure_origin, host_only, path
        ):
            return
        key: _Key = (domain, path, name)
        expires = _expiry(morsel, now)
        if expires is not None and expires <= now:
            self._remove(key)
            return
        stored: Morsel[str] = morsel.copy()
        stored["domain"] = domain
        stored["path"] = path
        old = self._cookies.get(key)
        if old is not None:
            old.morsel = stored
            old.host_only = host_only
            old.secure = secure
            old.expires = expires
            self._schedule(old)
            return
        self._insert(_Cookie(stored, domain, path, host_only, secure, expires, 0))

    def _insert(self, cookie: _Cookie) -> None:
        """Add a cookie that is not stored yet, evicting the oldest if full."""
        bucket = self._by_domain.setdefault(cookie.domain, {})
        if len(bucket) >= self._max_per_domain:
            self._remove(next(iter(bucket)))
        if len(self._cookies) >= self._max_cookies:
            self._remove(next(iter(self._cookies)))
        self._seq += 1
        cookie.seq = self._seq
        key: _Key = (cookie.domain, cookie.path, cookie.name)
        self._cookies[key] = cookie
        # The eviction above may have removed the bucket.
        self._by_domain.setdefault(cookie.domain, bucket)[key] = cookie
        self._schedule(cookie)

    def _remove(self, key: _Key) -> None:
        cookie = self._cookies.pop(key, None)
        if cookie is None:
            return
        bucket = self._by_domain[cookie.domain]
        del bucket[key]
        if not bucket:
            del self._by_domain[cookie.domain]

    def _schedule(self, cookie: _Cookie) -> None:
        if cookie.expires is None:
            return
        key: _Key = (cookie.domain, cookie.path, cookie.name)
        heapq.heappush(self._expiry_heap, (cookie.expires, cookie.seq, key))
        # Replaced and removed cookies leave stale entries; rebuild the heap
        # once they outnumber the live cookies so it stays bounded.
        if len(self._expiry_heap) > 2 * len(self._cookies) + 64:
            self._expiry_heap = [
                (c.expires, c.seq, k)
                for k, c in self._cookies.items()
                if c.expires is not None
            ]
            heapq.heapify(self._expiry_heap)

    def _drop_expired(self, now: float) -> None:
        heap = self._expiry_heap
        while heap and heap[0][0] <= now:
            expires, seq, key = heapq.heappop(heap)
            cookie = self._cookies.get(key)
            if cookie is not None and cookie.seq == seq and cookie.expires == expires:
                self._remove(key)


class DummyCookieJar(AbstractCookieJar):
    """A cookie jar that keeps nothing."""

    def __init__(self, *, loop: object = None) -> None:
        pass

    @property
    def quote_cookie(self) -> bool:
        """Always true; there is nothing to quote."""
        return True

    def __len__(self) -> int:
        return 0

    def __iter__(self) -> Iterator[Morsel[str]]:
        return iter(())

    def clear(self, predicate: ClearCookiePredicate | None = None) -> None:
        """Nothing to remove."""

    def clear_domain(self, domain: str) -> None:
        """Nothing to remove."""

    def update_cookies(
        self, cookies: LooseCookies, response_url: URL | None = None
    ) -> None:
        """Ignore the cookies."""

    def filter_cookies(self, request_url: URL) -> BaseCookie[str]:
        """Always empty."""
        return SimpleCookie()


def _parse_origins(
    value: str | URL | Iterable[str | URL] | None,
) -> frozenset[tuple[str, str, int | None]]:
    """``treat_as_secure_origin`` as (scheme, host, port or None) triples."""
    if value is None:
        return frozenset()
    items: Iterable[str | URL] = [value] if isinstance(value, (str, URL)) else value
    origins = set()
    for item in items:
        if not isinstance(item, (str, URL)):
            raise TypeError(
                f"treat_as_secure_origin takes str or URL items, got {item!r}"
            )
        url = URL(item) if isinstance(item, str) else item
        if not url.absolute or not url.raw_host:
            raise ValueError(f"not an origin: {str(item)!r}")
        origins.add((url.scheme, url.raw_host, url.explicit_port))
    return frozenset(origins)


def _morsels(cookies: LooseCookies) -> Iterator[Morsel[Any]]:
    """Every cookie of what ``update_cookies`` accepts, as morsels."""
    items: Iterable[tuple[str, Any]] = (
        cookies.items() if isinstance(cookies, Mapping) else cookies
    )
    for name, value in items:
        if isinstance(value, Morsel):
            yield value
        elif isinstance(value, BaseCookie):
            yield from value.values()
        elif isinstance(value, str):
            tmp: SimpleCookie = SimpleCookie()
            tmp[name] = value
            yield tmp[name]
        else:
            raise TypeError(
                f"cookie {name!r}: expected str, Morsel or BaseCookie, "
                f"got {type(value).__name__}"
            )


def _expiry(morsel: Morsel[Any], now: float) -> float | None:
    """When the cookie expires (RFC 6265 5.3 step 3), capped; None for never."""
    max_age = morsel.get("max-age")
    delta: float | None = None
    if isinstance(max_age, int) and not isinstance(max_age, bool):
        delta = max_age
    elif isinstance(max_age, str) and (match := _MAX_AGE_RE.fullmatch(max_age)):
        # Digits past the cap's length cannot matter; do not int() them.
        delta = -1 if match[1] else int(match[2][:12])
    if delta is not None:
        return now + min(delta, MAX_AGE_CAP) if delta > 0 else now
    expires = morsel.get("expires")
    if isinstance(expires, (int, float)) and not isinstance(expires, bool):
        when: float | None = now + expires  # http.cookies: seconds from now
    elif isinstance(expires, str) and expires:
        when = parse_cookie_date(expires)
    else:
        when = None
    if when is None:
        return None
    return min(when, now + MAX_AGE_CAP)


def _dump(cookie: _Cookie) -> dict[str, Any]:
    morsel = cookie.morsel
    attributes = {
        name: value if isinstance(value, bool) else str(value)
        for name, value in morsel.items()
        if value
    }
    return {
        "name": cookie.name,
        "value": morsel.value,
        "coded_value": morsel.coded_value,
        "domain": cookie.domain,
        "path": cookie.path,
        "host_only": cookie.host_only,
        "secure": cookie.secure,
        "expires": cookie.expires,
        "attributes": attributes,
    }


def _typed(entry: Mapping[str, Any], name: str, kind: type | tuple[type, ...]) -> Any:
    """``entry[name]`` if it is a ``kind``; JSON's true/false are not numbers."""
    value = entry[name]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise TypeError(f"{name!r} has the wrong type: {value!r}")
    return value


def _parse_document(document: Any) -> list[_Cookie]:
    if not isinstance(document, dict) or document.get("format") != _FILE_FORMAT:
        raise ValueError("missing the cookie jar format marker")
    if document.get("version") != _FILE_VERSION:
        raise ValueError(f"unsupported version {document.get('version')!r}")
    entries = document["cookies"]
    if not isinstance(entries, list):
        raise TypeError("'cookies' is not a list")
    known = set(Morsel())
    cookies = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise TypeError(f"a cookie entry is not an object: {entry!r}")
        morsel: Morsel[str] = Morsel()
        morsel.set(
            _typed(entry, "name", str),
            _typed(entry, "value", str),
            _typed(entry, "coded_value", str),
        )
        attributes = _typed(entry, "attributes", dict)
        for attr, value in attributes.items():
            # Attributes a newer Python knows and this one does not are
            # dropped rather than refused.
            if attr in known and isinstance(value, (str, bool)):
                morsel[attr] = value
        expires = entry["expires"]
        if expires is not None:
            expires = float(_typed(entry, "expires", (int, float)))
        domain = _typed(entry, "domain", str)
        path = _typed(entry, "path", str)
        if not path.startswith("/"):
            raise ValueError(f"cookie path {path!r} is not absolute")
        morsel["domain"] = domain
        morsel["path"] = path
        cookies.append(
            _Cookie(
                morsel,
                domain,
                path,
                _typed(entry, "host_only", bool),
                _typed(entry, "secure", bool),
                expires,
                0,
            )
        )
    return cookies
