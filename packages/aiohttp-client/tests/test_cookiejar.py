"""CookieJar and DummyCookieJar: the RFC 6265 rules, limits and the file format."""

from __future__ import annotations

import calendar
import json
import os
import stat
from collections.abc import Awaitable, Callable
from http.cookies import BaseCookie, CookieError, Morsel, SimpleCookie
from pathlib import Path
from typing import Any

import pytest
from yarl import URL

from aiohttp_client import ClientSession
from aiohttp_client.abc import AbstractCookieJar
from aiohttp_client.cookiejar import (
    MAX_AGE_CAP,
    MAX_COOKIE_SIZE,
    MAX_COOKIES,
    MAX_COOKIES_PER_DOMAIN,
    CookieJar,
    DummyCookieJar,
    parse_cookie_date,
)
from aiohttp_web.app import Application
from aiohttp_web.request import Request
from aiohttp_web.response import Response

ServeApp = Callable[..., Awaitable[URL]]

T0 = 1_700_000_000.0


class ClockJar(CookieJar):
    """A jar on a clock the test moves."""

    now = T0

    def _time(self) -> float:  # type: ignore[override]
        return self.now


def set_cookie(jar: CookieJar, header: str, url: str | None) -> None:
    jar.update_cookies(SimpleCookie(header), None if url is None else URL(url))


def sent(jar: AbstractCookieJar, url: str) -> str:
    """The Cookie header a request to ``url`` carries, in the jar's order."""
    cookies = jar.filter_cookies(URL(url))
    return "; ".join(f"{name}={m.coded_value}" for name, m in cookies.items())


# --- cookie-date (RFC 6265 5.1.1) ------------------------------------------


def ts(*fields: int) -> float:
    return float(calendar.timegm(fields))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Wed, 21 Oct 2015 07:28:00 GMT", ts(2015, 10, 21, 7, 28, 0)),
        ("Wednesday, 21-Oct-15 07:28:00 GMT", ts(2015, 10, 21, 7, 28, 0)),
        ("Wed Oct 21 07:28:00 2015", ts(2015, 10, 21, 7, 28, 0)),
        ("21 october 2015 7:8:9", ts(2015, 10, 21, 7, 8, 9)),
        ("Thu, 01-Jan-1970 00:00:00 GMT", 0.0),
        ("01 Jan 70 00:00:00", 0.0),
        ("01 Jan 99 00:00:00", ts(1999, 1, 1, 0, 0, 0)),
        ("01 Jan 69 00:00:00", ts(2069, 1, 1, 0, 0, 0)),
        ("01 Jan 00 00:00:00", ts(2000, 1, 1, 0, 0, 0)),
        ("31 Dec 2015 23:59:59", ts(2015, 12, 31, 23, 59, 59)),
        ("29 Feb 2016 00:00:00", ts(2016, 2, 29, 0, 0, 0)),
        ("01 Jan 1601 00:00:00", ts(1601, 1, 1, 0, 0, 0)),
        ("Wed,21Oct2015 07:28:00GMT", None),  # tokens glued: no day, no year
        ("Wed, 21 Oct 2015 07:28:00 GMT; junk=1", ts(2015, 10, 21, 7, 28, 0)),
        ("  21 Oct 2015 07:28:00  ", ts(2015, 10, 21, 7, 28, 0)),
        ("", None),
        ("garbage", None),
        ("21 Oct 2015", None),  # no time
        ("Oct 2015 07:28:00", None),  # no day (2015 is read as a year)
        ("21 2015 07:28:00", None),  # no month
        ("21 Oct 07:28:00", None),  # no year
        ("21 Oct 2015 24:00:00", None),
        ("21 Oct 2015 23:60:00", None),
        ("21 Oct 2015 23:59:60", None),
        ("00 Oct 2015 07:28:00", None),
        ("32 Oct 2015 07:28:00", None),
        ("30 Feb 2016 07:28:00", None),
        ("29 Feb 2015 07:28:00", None),
        ("31 Dec 1600 23:59:59", None),
        ("21 Oct 2015 07:28:00:99", ts(2015, 10, 21, 7, 28, 0)),
        ("21 Oct 2015 123:28:00", None),
        ("\u0661\u0662 Oct 2015 07:28:00", None),  # Arabic-Indic digits
    ],
)
def test_parse_cookie_date(value: str, expected: float | None) -> None:
    assert parse_cookie_date(value) == expected


# --- domains (RFC 6265 5.1.3, 5.3 steps 5-6) --------------------------------


def test_host_only_cookie_goes_only_to_its_host() -> None:
    jar = CookieJar()
    set_cookie(jar, "a=1", "http://www.example.com/")
    assert sent(jar, "http://www.example.com/") == "a=1"
    assert sent(jar, "http://sub.www.example.com/") == ""
    assert sent(jar, "http://example.com/") == ""
    assert sent(jar, "http://WWW.EXAMPLE.COM/") == "a=1"
    (morsel,) = jar
    assert morsel["domain"] == "www.example.com"


def test_domain_cookie_goes_to_the_domain_and_subdomains() -> None:
    jar = CookieJar()
    set_cookie(jar, "a=1; Domain=example.com", "http://www.example.com/")
    assert sent(jar, "http://example.com/") == "a=1"
    assert sent(jar, "http://www.example.com/") == "a=1"
    assert sent(jar, "http://a.b.example.com/") == "a=1"
    assert sent(jar, "http://notexample.com/") == ""
    assert sent(jar, "http://example.com.evil/") == ""
    assert sent(jar, "http://example.org/") == ""


@pytest.mark.parametrize("attr", [".example.com", "EXAMPLE.com", ".Example.COM"])
def test_domain_attribute_is_canonicalized(attr: str) -> None:
    jar = CookieJar()
    set_cookie(jar, f"a=1; Domain={attr}", "http://www.example.com/")
    assert sent(jar, "http://sub.example.com/") == "a=1"
    (morsel,) = jar
    assert morsel["domain"] == "example.com"


def test_domain_equal_to_host_is_a_domain_cookie() -> None:
    jar = CookieJar()
    set_cookie(jar, "a=1; Domain=example.com", "http://example.com/")
    assert sent(jar, "http://www.example.com/") == "a=1"


@pytest.mark.parametrize(
    "attr",
    [
        "other.com",
        "ample.com",  # a suffix, but not at a label boundary
        "sub.www.example.com",  # more specific than the host
        "com",  # a top-level domain
        "127.0.0.1",
    ],
)
def test_domain_attribute_must_domain_match_the_host(attr: str) -> None:
    jar = CookieJar()
    set_cookie(jar, f"a=1; Domain={attr}", "http://www.example.com/")
    assert len(jar) == 0


def test_single_label_domain_equal_to_host_is_host_only() -> None:
    jar = CookieJar()
    set_cookie(jar, "a=1; Domain=localhost", "http://localhost/")
    assert sent(jar, "http://localhost/") == "a=1"
    assert sent(jar, "http://sub.localhost/") == ""


def test_empty_domain_attribute_makes_a_host_only_cookie() -> None:
    jar = CookieJar()
    morsel: Morsel[str] = Morsel()
    morsel.set("a", "1", "1")
    morsel["domain"] = "."
    jar.update_cookies({"a": morsel}, URL("http://www.example.com/"))
    assert sent(jar, "http://www.example.com/") == "a=1"
    assert sent(jar, "http://sub.www.example.com/") == ""


def test_internationalized_domain_attribute() -> None:
    jar = CookieJar()
    morsel: Morsel[str] = Morsel()
    morsel.set("a", "1", "1")
    morsel["domain"] = "bücher.example"
    jar.update_cookies([("a", morsel)], URL("http://www.bücher.example/"))
    assert sent(jar, "http://shop.xn--bcher-kva.example/") == "a=1"
    bad: Morsel[str] = Morsel()
    bad.set("b", "2", "2")
    bad["domain"] = "a\udcff.example"  # cannot be IDNA-encoded
    jar.update_cookies([("b", bad)], URL("http://www.bücher.example/"))
    assert len(jar) == 1


# --- IP addresses and ``unsafe`` ---------------------------------------------


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/", "http://[::1]/"])
def test_ip_hosts_set_nothing_by_default(url: str) -> None:
    jar = CookieJar()
    assert not jar.unsafe
    set_cookie(jar, "a=1", url)
    assert len(jar) == 0
    assert sent(jar, url) == ""


def test_unsafe_accepts_cookies_from_ip_addresses() -> None:
    jar = CookieJar(unsafe=True)
    set_cookie(jar, "a=1", "http://127.0.0.1:8080/")
    set_cookie(jar, "b=2; Domain=127.0.0.1", "http://127.0.0.1/")
    set_cookie(jar, "c=3; Domain=0.0.1", "http://127.0.0.1/")
    set_cookie(jar, "d=4", "http://[::1]/")
    assert sent(jar, "http://127.0.0.1:9999/") == "a=1; b=2"
    assert sent(jar, "http://127.0.0.2/") == ""
    assert sent(jar, "http://1.127.0.0.1/") == ""
    assert sent(jar, "http://[::1]:81/") == "d=4"


def test_ip_address_never_matches_as_a_parent() -> None:
    jar = CookieJar(unsafe=True)
    set_cookie(jar, "a=1; Domain=0.0.1", None)
    set_cookie(jar, "b=2; Domain=127.0.0.1", None)
    assert sent(jar, "http://127.0.0.1/") == "b=2"
    # "0.0.1" is a name, and a name under it may receive its cookie.
    assert sent(jar, "http://1.127.0.0.1/") == "a=1"


# --- paths (RFC 6265 5.1.4, 5.2.4) --------------------------------------------


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("http://h.example/", "/"),
        ("http://h.example", "/"),
        ("http://h.example/a", "/"),
        ("http://h.example/a/b", "/a"),
        ("http://h.example/a/b/", "/a/b"),
        ("http://h.example/a/b?q=/x/y", "/a"),
    ],
)
def test_default_path(url: str, path: str) -> None:
    jar = CookieJar()
    set_cookie(jar, "a=1", url)
    (morsel,) = jar
    assert morsel["path"] == path


@pytest.mark.parametrize("attr", ["", "x", "x/y"])
def test_relative_path_attribute_gives_the_default_path(attr: str) -> None:
    jar = CookieJar()
    set_cookie(jar, f"a=1; Path={attr}", "http://h.example/a/b")
    (morsel,) = jar
    assert morsel["path"] == "/a"


@pytest.mark.parametrize(
    ("cookie_path", "request_path", "matches"),
    [
        ("/", "/", True),
        ("/", "/anything/at/all", True),
        ("/a", "/a", True),
        ("/a", "/a/", True),
        ("/a", "/a/b", True),
        ("/a", "/ab", False),
        ("/a", "/", False),
        ("/a", "/A", False),
        ("/a/", "/a/b", True),
        ("/a/", "/a", False),
        ("/a/b", "/a", False),
    ],
)
def test_path_match(cookie_path: str, request_path: str, matches: bool) -> None:
    jar = CookieJar()
    set_cookie(jar, f"a=1; Path={cookie_path}", "http://h.example/")
    assert (sent(jar, "http://h.example" + request_path) == "a=1") is matches


def test_longer_paths_first_then_older_first() -> None:
    jar = CookieJar()
    set_cookie(jar, "z=1; Path=/", "http://h.example/")
    set_cookie(jar, "y=2; Path=/a/b", "http://h.example/")
    set_cookie(jar, "x=3; Path=/a", "http://h.example/")
    set_cookie(jar, "w=4; Path=/a", "http://h.example/")
    set_cookie(jar, "v=5; Domain=h.example; Path=/a/b", "http://h.example/")
    assert sent(jar, "http://h.example/a/b/c") == "y=2; v=5; x=3; w=4; z=1"


def test_same_name_on_two_paths_sends_the_most_specific() -> None:
    jar = CookieJar()
    set_cookie(jar, "a=root; Path=/", "http://h.example/")
    set_cookie(jar, "a=deep; Path=/a", "http://h.example/")
    assert len(jar) == 2
    assert sent(jar, "http://h.example/a/x") == "a=deep"
    assert sent(jar, "http://h.example/b") == "a=root"


def test_same_name_domain_and_path_replaces() -> None:
    jar = CookieJar()
    set_cookie(jar, "a=1; Path=/p", "http://h.example/")
    set_cookie(jar, "a=2; Path=/p", "http://h.example/")
    assert len(jar) == 1
    assert sent(jar, "http://h.example/p") == "a=2"


def test_replacing_keeps_the_creation_order() -> None:
    jar = CookieJar()
    set_cookie(jar, "a=1", "http://h.example/")
    set_cookie(jar, "b=1", "http://h.example/")
    set_cookie(jar, "a=2", "http://h.example/")
    assert sent(jar, "http://h.example/") == "a=2; b=1"


# --- Secure (RFC 6265 5.4) ------------------------------------------------------


def test_secure_cookies_go_only_to_secure_schemes() -> None:
    jar = CookieJar()
    set_cookie(jar, "s=1; Secure", "https://h.example/")
    set_cookie(jar, "p=2", "https://h.example/")
    assert sent(jar, "https://h.example/") == "s=1; p=2"
    assert sent(jar, "wss://h.example/") == "s=1; p=2"
    assert sent(jar, "http://h.example/") == "p=2"
    assert sent(jar, "ws://h.example/") == "p=2"
    assert sent(jar, "http://localhost/") == ""


def test_localhost_is_not_a_secure_origin_by_default() -> None:
    jar = CookieJar()
    set_cookie(jar, "s=1; Secure", "https://localhost/")
    assert sent(jar, "http://localhost/") == ""


@pytest.mark.parametrize(
    "origins",
    [
        "http://h.example",
        URL("http://h.example"),
        ["http://other.example", "http://h.example"],
        ("http://h.example:8080",),
        ["http://H.EXAMPLE:8080/some/path"],
    ],
)
def test_treat_as_secure_origin(origins: object) -> None:
    jar = CookieJar(treat_as_secure_origin=origins)  # type: ignore[arg-type]
    set_cookie(jar, "s=1; Secure", "http://h.example:8080/")
    assert sent(jar, "http://h.example:8080/") == "s=1"
    assert sent(jar, "https://h.example/") == "s=1"
    assert sent(jar, "http://other-host.example:8080/") == ""
    assert sent(jar, "ws://h.example:8080/") == ""


def test_secure_origin_with_a_port_matches_only_that_port() -> None:
    jar = CookieJar(treat_as_secure_origin="http://h.example:8080")
    set_cookie(jar, "s=1; Secure; Domain=h.example", None)
    assert sent(jar, "http://h.example:8080/") == "s=1"
    assert sent(jar, "http://h.example:8081/") == ""
    assert sent(jar, "http://h.example/") == ""


def test_treat_as_secure_origin_bad_input() -> None:
    with pytest.raises(TypeError, match="str or URL"):
        CookieJar(treat_as_secure_origin=[b"http://h.example"])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="not an origin"):
        CookieJar(treat_as_secure_origin="/relative")


# --- name prefixes (RFC 6265bis 4.1.3) ------------------------------------------


@pytest.mark.parametrize(
    ("header", "url", "kept"),
    [
        ("__Secure-a=1; Secure", "https://h.example/", True),
        ("__Secure-a=1; Secure; Domain=h.example", "https://x.h.example/", True),
        ("__Secure-a=1", "https://h.example/", False),
        ("__Secure-a=1; Secure", "http://h.example/", False),
        ("__Host-a=1; Secure; Path=/", "https://h.example/", True),
        ("__Host-a=1; Secure", "https://h.example/a/b", False),
        ("__Host-a=1; Secure; Path=/; Domain=h.example", "https://h.example/", False),
        ("__Host-a=1; Path=/", "https://h.example/", False),
        ("__Host-a=1; Secure; Path=/", "http://h.example/", False),
        ("__host-a=1", "http://h.example/", True),  # prefixes are case-sensitive
    ],
)
def test_name_prefixes(header: str, url: str, kept: bool) -> None:
    jar = CookieJar()
    set_cookie(jar, header, url)
    assert len(jar) == int(kept)


def test_name_prefixes_do_not_apply_to_cookies_without_a_response() -> None:
    jar = CookieJar()
    jar.update_cookies({"__Host-a": "1", "__Secure-b": "2"})
    assert sent(jar, "http://h.example/x") == "__Host-a=1; __Secure-b=2"


# --- expiry (RFC 6265 5.2.1, 5.2.2, 5.3 step 3) ---------------------------------


def test_max_age_expires_exactly_at_its_end() -> None:
    jar = ClockJar()
    set_cookie(jar, "a=1; Max-Age=10", "http://h.example/")
    jar.now = T0 + 9.999
    assert sent(jar, "http://h.example/") == "a=1"
    assert len(jar) == 1
    jar.now = T0 + 10
    assert sent(jar, "http://h.example/") == ""
    assert len(jar) == 0
    assert list(jar) == []


def test_expires_date() -> None:
    jar = ClockJar()
    when = T0 + 3600
    date = "Tue, 14 Nov 2023 23:13:20 GMT"  # T0 + 3600
    assert parse_cookie_date(date) == when
    set_cookie(jar, f'a=1; Expires="{date}"', "http://h.example/")
    set_cookie(jar, f"b=2; Expires={date}", "http://h.example/")
    jar.now = when - 1
    assert sent(jar, "http://h.example/") == "a=1; b=2"
    jar.now = when
    assert sent(jar, "http://h.example/") == ""


def test_max_age_wins_over_expires() -> None:
    jar = ClockJar()
    set_cookie(
        jar,
        "a=1; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=100",
        "http://h.example/",
    )
    set_cookie(
        jar,
        "b=1; Expires=Fri, 01 Jan 2100 00:00:00 GMT; Max-Age=0",
        "http://h.example/",
    )
    assert sent(jar, "http://h.example/") == "a=1"


@pytest.mark.parametrize("max_age", ["abc", "1.5", "+5", " 5", ""])
def test_invalid_max_age_is_ignored(max_age: str) -> None:
    jar = ClockJar()
    morsel: Morsel[str] = Morsel()
    morsel.set("a", "1", "1")
    morsel["max-age"] = max_age
    morsel["expires"] = "Thu, 01 Jan 1970 00:00:00 GMT"
    jar.update_cookies({"a": morsel}, URL("http://h.example/"))
    assert len(jar) == 0  # the Expires date in the past applied
    morsel["expires"] = ""
    jar.update_cookies({"a": morsel}, URL("http://h.example/"))
    assert len(jar) == 1  # a session cookie
    (stored,) = jar
    jar.now = T0 + 10 * MAX_AGE_CAP
    assert list(jar) == [stored]


@pytest.mark.parametrize(
    "attrs",
    [
        "Max-Age=0",
        "Max-Age=-1",
        "Max-Age=-99999999999999999999",
        "Expires=Thu, 01 Jan 1970 00:00:00 GMT",
    ],
)
def test_expired_cookie_deletes_the_stored_one(attrs: str) -> None:
    jar = ClockJar()
    set_cookie(jar, "a=1; Path=/p", "http://h.example/")
    set_cookie(jar, "a=1; Path=/q", "http://h.example/")
    set_cookie(jar, f"a=gone; Path=/p; {attrs}", "http://h.example/")
    assert [m["path"] for m in jar] == ["/q"]
    set_cookie(jar, f"new=1; {attrs}", "http://h.example/")
    assert len(jar) == 1


def test_unparsable_expires_makes_a_session_cookie() -> None:
    jar = ClockJar()
    set_cookie(jar, "a=1; Expires=soon", "http://h.example/")
    jar.now = T0 + 10 * MAX_AGE_CAP
    assert len(jar) == 1


@pytest.mark.parametrize(
    "attrs",
    ["Max-Age=99999999999999999999999", "Expires=Fri, 01 Jan 9999 00:00:00 GMT"],
)
def test_expiry_is_capped_at_400_days(attrs: str) -> None:
    jar = ClockJar()
    set_cookie(jar, f"a=1; {attrs}", "http://h.example/")
    jar.now = T0 + MAX_AGE_CAP - 1
    assert len(jar) == 1
    jar.now = T0 + MAX_AGE_CAP
    assert len(jar) == 0


def test_morsel_with_numeric_max_age_and_expires() -> None:
    jar = ClockJar()
    a: Morsel[str] = Morsel()
    a.set("a", "1", "1")
    a["max-age"] = 5  # type: ignore[assignment]
    b: Morsel[str] = Morsel()
    b.set("b", "2", "2")
    b["expires"] = 7  # http.cookies: seconds from now
    jar.update_cookies([("a", a), ("b", b)], URL("http://h.example/"))
    jar.now = T0 + 5
    assert sent(jar, "http://h.example/") == "b=2"
    jar.now = T0 + 7
    assert sent(jar, "http://h.example/") == ""


def test_expiry_schedule_stays_bounded() -> None:
    jar = ClockJar()
    for i in range(1, 2000):
        set_cookie(jar, f"a={i}; Max-Age={i}", "http://h.example/")
    assert len(jar) == 1
    assert len(jar._expiry_heap) <= 2 * len(jar._cookies) + 65
    jar.now = T0 + 1998
    assert sent(jar, "http://h.example/") == "a=1999"
    jar.now = T0 + 1999
    assert len(jar) == 0


def test_attributes_are_kept_on_the_stored_morsel() -> None:
    jar = CookieJar()
    set_cookie(
        jar, "a=1; HttpOnly; SameSite=Strict; Secure; Path=/x", "https://h.example/"
    )
    (morsel,) = jar
    assert morsel["httponly"] is True
    assert morsel["samesite"] == "Strict"
    assert morsel["secure"] is True
    assert morsel["path"] == "/x"
    assert morsel["domain"] == "h.example"
    assert sent(jar, "https://h.example/x") == "a=1"


# --- shared cookies and the accepted inputs -------------------------------------


def test_shared_cookies_go_everywhere() -> None:
    jar = CookieJar()
    jar.update_cookies({"a": "1"})
    jar.update_cookies({"b": "2"}, URL("/relative"))
    for url in ["http://h.example/", "https://127.0.0.1:1/deep/path", "http://[::1]/"]:
        assert sent(jar, url) == "a=1; b=2"
    (morsel, _) = jar
    assert morsel["domain"] == ""
    assert morsel["path"] == "/"


def test_shared_cookie_with_a_domain_goes_to_that_domain() -> None:
    jar = CookieJar()
    set_cookie(jar, "a=1; Domain=example.com; Path=/p", None)
    assert sent(jar, "http://www.example.com/p/q") == "a=1"
    assert sent(jar, "http://www.example.com/") == ""
    assert sent(jar, "http://other.com/p") == ""


def test_update_cookies_inputs() -> None:
    jar = CookieJar()
    morsel: Morsel[str] = Morsel()
    morsel.set("m", "3", "3")
    base: BaseCookie[str] = BaseCookie()
    base["k"] = "4"
    url = URL("http://h.example/")
    jar.update_cookies({"a": "1"}, url)
    jar.update_cookies([("b", "2"), ("ignored-name", morsel)], url)
    jar.update_cookies({"cookie": base}, url)
    jar.update_cookies(SimpleCookie("s=5; Path=/"), url)
    assert sent(jar, "http://h.example/") == "a=1; b=2; m=3; k=4; s=5"


def test_update_cookies_copies_the_morsel() -> None:
    jar = CookieJar()
    morsel: Morsel[str] = Morsel()
    morsel.set("m", "3", "3")
    jar.update_cookies({"m": morsel}, URL("http://h.example/"))
    morsel.set("m", "changed", "changed")
    morsel["domain"] = "elsewhere.example"
    assert sent(jar, "http://h.example/") == "m=3"


def test_update_cookies_bad_input() -> None:
    jar = CookieJar()
    with pytest.raises(TypeError, match="expected str, Morsel or BaseCookie"):
        jar.update_cookies({"a": 1})  # type: ignore[dict-item]
    with pytest.raises(CookieError):
        jar.update_cookies({"bad name": "1"})
    jar.update_cookies({"a": Morsel()})  # a morsel never set has no name
    assert len(jar) == 0


def test_filter_cookies_quotes_per_quote_cookie() -> None:
    quoting = CookieJar()
    plain = CookieJar(quote_cookie=False)
    assert quoting.quote_cookie
    assert not plain.quote_cookie
    for jar in (quoting, plain):
        set_cookie(jar, 'a="x y"', "http://h.example/")
        jar.update_cookies({"b": "p;q"}, URL("http://h.example/"))
    assert sent(quoting, "http://h.example/") == r'a="x y"; b="p\073q"'
    assert sent(plain, "http://h.example/") == "a=x y; b=p;q"
    assert type(quoting.filter_cookies(URL("http://h.example/"))) is SimpleCookie
    assert type(plain.filter_cookies(URL("http://h.example/"))) is BaseCookie


def test_filtered_morsels_carry_no_attributes() -> None:
    jar = CookieJar()
    set_cookie(jar, "a=1; Path=/; Domain=h.example; Max-Age=9", "http://h.example/")
    filtered = jar.filter_cookies(URL("http://h.example/"))
    assert filtered.output(header="Cookie:") == "Cookie: a=1"


def test_filter_cookies_on_an_empty_jar() -> None:
    assert sent(CookieJar(), "http://h.example/") == ""


# --- clear and clear_domain -------------------------------------------------------


def fill(jar: CookieJar) -> None:
    set_cookie(jar, "a=1", "http://example.com/")
    set_cookie(jar, "b=2", "http://www.example.com/")
    set_cookie(jar, "c=3; Domain=example.com", "http://deep.www.example.com/")
    set_cookie(jar, "d=4", "http://notexample.com/")
    set_cookie(jar, "e=5", "http://com/")
    jar.update_cookies({"f": "6"})


def test_clear() -> None:
    jar = CookieJar()
    fill(jar)
    assert len(jar) == 6
    jar.clear()
    assert len(jar) == 0
    assert sent(jar, "http://example.com/") == ""


def test_clear_with_predicate() -> None:
    jar = CookieJar()
    fill(jar)
    jar.clear(lambda morsel: morsel.key in {"a", "f"})
    assert sorted(m.key for m in jar) == ["b", "c", "d", "e"]


@pytest.mark.parametrize(
    ("domain", "left"),
    [
        ("example.com", ["d", "e", "f"]),
        (".Example.com", ["d", "e", "f"]),
        ("www.example.com", ["a", "c", "d", "e", "f"]),
        ("com", ["f"]),
        ("other.org", ["a", "b", "c", "d", "e", "f"]),
    ],
)
def test_clear_domain(domain: str, left: list[str]) -> None:
    jar = CookieJar()
    fill(jar)
    jar.clear_domain(domain)
    assert sorted(m.key for m in jar) == left


def test_clear_domain_refuses_an_empty_domain() -> None:
    with pytest.raises(ValueError, match="not a domain"):
        CookieJar().clear_domain("")


# --- limits ----------------------------------------------------------------------


def test_default_limits() -> None:
    assert (MAX_COOKIE_SIZE, MAX_COOKIES_PER_DOMAIN, MAX_COOKIES) == (4096, 180, 3000)


def test_cookie_size_limit_one_byte_over() -> None:
    jar = CookieJar()
    name = "n"
    url = URL("http://h.example/")
    jar.update_cookies({name: "v" * (MAX_COOKIE_SIZE - 1)}, url)
    assert len(jar) == 1
    jar.clear()
    jar.update_cookies({name: "v" * MAX_COOKIE_SIZE}, url)
    assert len(jar) == 0
    jar.update_cookies({name: "é" * ((MAX_COOKIE_SIZE - 1) // 2)}, url)
    assert len(jar) == 1  # 4095 bytes in UTF-8


def test_cookies_per_domain_limit_one_over_evicts_the_oldest() -> None:
    jar = CookieJar()
    url = URL("http://h.example/")
    for i in range(MAX_COOKIES_PER_DOMAIN):
        jar.update_cookies({f"c{i}": "v"}, url)
    jar.update_cookies({"other": "v"}, URL("http://o.example/"))
    assert len(jar) == MAX_COOKIES_PER_DOMAIN + 1
    jar.update_cookies({"c0": "replaced"}, url)  # a replacement does not grow
    assert len(jar) == MAX_COOKIES_PER_DOMAIN + 1
    jar.update_cookies({"one-over": "v"}, url)
    assert len(jar) == MAX_COOKIES_PER_DOMAIN + 1
    names = [m.key for m in jar if m["domain"] == "h.example"]
    assert "c0" not in names  # replacing did not make it younger
    assert names[0] == "c1"
    assert names[-1] == "one-over"
    assert sent(jar, "http://o.example/") == "other=v"


def test_total_limit_one_over_evicts_the_oldest() -> None:
    jar = CookieJar(max_cookies=3)
    for host in ["a", "b", "c"]:
        jar.update_cookies({"n": host}, URL(f"http://{host}.example/"))
    assert len(jar) == 3
    jar.update_cookies({"n": "d"}, URL("http://d.example/"))
    assert [m.value for m in jar] == ["b", "c", "d"]
    assert sent(jar, "http://a.example/") == ""


def test_default_total_limit_one_over() -> None:
    jar = CookieJar()
    per_domain = MAX_COOKIES // 20
    for d in range(20):
        url = URL(f"http://d{d}.example/")
        jar.update_cookies([(f"c{i}", "v") for i in range(per_domain)], url)
    assert len(jar) == MAX_COOKIES
    jar.update_cookies({"over": "v"}, URL("http://new.example/"))
    assert len(jar) == MAX_COOKIES
    assert sent(jar, "http://new.example/") == "over=v"
    assert not sent(jar, "http://d0.example/").startswith("c0=")
    assert sent(jar, "http://d0.example/").startswith("c1=")


def test_custom_limits() -> None:
    jar = CookieJar(max_cookies_per_domain=2, max_cookie_size=4)
    url = URL("http://h.example/")
    jar.update_cookies([("a", "123"), ("b", "1234"), ("c", "1"), ("d", "2")], url)
    assert sent(jar, "http://h.example/") == "c=1; d=2"


@pytest.mark.parametrize(
    "kwargs",
    [{"max_cookies": 0}, {"max_cookies_per_domain": 0}, {"max_cookie_size": -1}],
)
def test_limits_must_be_positive(kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError, match="must be at least 1"):
        CookieJar(**kwargs)  # type: ignore[arg-type]


# --- save and load ---------------------------------------------------------------


def test_save_load_round_trip(tmp_path: Path) -> None:
    jar = ClockJar(unsafe=True)
    set_cookie(jar, "host=1", "http://www.example.com/")
    set_cookie(jar, "dom=2; Domain=example.com; Path=/p", "http://www.example.com/")
    set_cookie(jar, "exp=3; Max-Age=60", "http://www.example.com/")
    set_cookie(jar, "sec=4; Secure; HttpOnly; SameSite=Lax", "https://www.example.com/")
    set_cookie(jar, 'q="a b"', "http://www.example.com/")
    set_cookie(jar, "ip=5", "http://127.0.0.1/")
    jar.update_cookies({"shared": "6"})
    path = tmp_path / "cookies.json"
    jar.save(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600

    loaded = ClockJar(unsafe=True)
    loaded.update_cookies({"stale": "x"})
    loaded.load(str(path))
    assert [(m.key, m.value, m["domain"], m["path"]) for m in loaded] == [
        (m.key, m.value, m["domain"], m["path"]) for m in jar
    ]
    assert sent(loaded, "https://www.example.com/p") == (
        'dom=2; host=1; exp=3; sec=4; q="a b"; shared=6'
    )
    assert sent(loaded, "http://sub.www.example.com/p") == "dom=2; shared=6"
    assert sent(loaded, "http://127.0.0.1/") == "ip=5; shared=6"
    (sec,) = (m for m in loaded if m.key == "sec")
    assert (sec["httponly"], sec["samesite"]) == (True, "Lax")
    loaded.now = T0 + 59
    assert "exp=3" in sent(loaded, "http://www.example.com/")
    loaded.now = T0 + 60
    assert "exp" not in sent(loaded, "http://www.example.com/")


def test_load_drops_cookies_that_expired_meanwhile(tmp_path: Path) -> None:
    jar = ClockJar()
    set_cookie(jar, "short=1; Max-Age=10", "http://h.example/")
    set_cookie(jar, "long=2; Max-Age=100", "http://h.example/")
    jar.save(tmp_path / "c.json")
    later = ClockJar()
    later.now = T0 + 10
    later.load(tmp_path / "c.json")
    assert sent(later, "http://h.example/") == "long=2"


def test_save_replaces_the_file_whole(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text("old content that is longer than the new one " * 100)
    jar = CookieJar()
    jar.save(path)
    assert json.loads(path.read_text())["cookies"] == []
    assert os.listdir(tmp_path) == ["c.json"]


def test_save_into_a_missing_directory_fails_cleanly(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        CookieJar().save(tmp_path / "missing" / "c.json")


def test_load_a_missing_file() -> None:
    with pytest.raises(FileNotFoundError):
        CookieJar().load("/nonexistent/cookies.json")


def good_document() -> dict[str, object]:
    return {
        "format": "aiohttp-cookie-jar",
        "version": 1,
        "cookies": [
            {
                "name": "a",
                "value": "1",
                "coded_value": "1",
                "domain": "h.example",
                "path": "/",
                "host_only": True,
                "secure": False,
                "expires": None,
                "attributes": {"httponly": True, "unknown-attr": "x"},
            }
        ],
    }


def test_load_a_hand_written_file(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text(json.dumps(good_document()))
    jar = CookieJar()
    jar.load(path)
    assert sent(jar, "http://h.example/") == "a=1"
    assert sent(jar, "http://x.h.example/") == ""


def corrupt(field: str, value: object) -> dict[str, object]:
    document = good_document()
    cookies = document["cookies"]
    assert isinstance(cookies, list)
    if value is KeyError:
        del cookies[0][field]
    else:
        cookies[0][field] = value
    return document


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\x80\x03}q\x00.",  # a pickle
        b"\xff\xfe{}",
        b"[]",
        json.dumps({"format": "other", "version": 1, "cookies": []}).encode(),
        json.dumps({"format": "aiohttp-cookie-jar", "version": 2}).encode(),
        json.dumps({"format": "aiohttp-cookie-jar", "version": 1}).encode(),
        json.dumps(
            {"format": "aiohttp-cookie-jar", "version": 1, "cookies": {}}
        ).encode(),
        json.dumps(
            {"format": "aiohttp-cookie-jar", "version": 1, "cookies": [1]}
        ).encode(),
        json.dumps(corrupt("name", KeyError)).encode(),
        json.dumps(corrupt("name", "bad name")).encode(),
        json.dumps(corrupt("value", 1)).encode(),
        json.dumps(corrupt("host_only", "yes")).encode(),
        json.dumps(corrupt("expires", True)).encode(),
        json.dumps(corrupt("expires", "tomorrow")).encode(),
        json.dumps(corrupt("path", "relative")).encode(),
        json.dumps(corrupt("attributes", [])).encode(),
    ],
)
def test_load_a_corrupt_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "c.json"
    path.write_bytes(content)
    jar = CookieJar()
    jar.update_cookies({"kept": "1"})
    with pytest.raises(ValueError, match="cookie jar file"):
        jar.load(path)
    assert sent(jar, "http://h.example/") == "kept=1"  # untouched


# --- DummyCookieJar and the interface -----------------------------------------------


def test_dummy_cookie_jar_keeps_nothing() -> None:
    jar = DummyCookieJar()
    DummyCookieJar(loop=None)
    assert isinstance(jar, AbstractCookieJar)
    jar.update_cookies({"a": "1"})
    jar.update_cookies(SimpleCookie("b=2"), URL("http://h.example/"))
    assert len(jar) == 0
    assert list(jar) == []
    assert sent(jar, "http://h.example/") == ""
    assert isinstance(jar.filter_cookies(URL("http://h.example/")), SimpleCookie)
    assert jar.quote_cookie
    jar.clear()
    jar.clear(lambda m: True)
    jar.clear_domain("h.example")


def test_cookie_jar_is_an_abstract_cookie_jar() -> None:
    jar = CookieJar(loop=None)
    assert isinstance(jar, AbstractCookieJar)
    jar.update_cookies({"a": "1"})
    assert repr(jar) == "<CookieJar 1 cookies>"


# --- through a session, against a real server ------------------------------------


def cookie_app() -> Application:
    """``/set?h=<Set-Cookie>`` sets cookies; other paths echo the Cookie header."""

    async def set_cookie_handler(request: Request) -> Response:
        response = Response(text="set")
        for value in request.query.getall("h", []):
            response.headers.add("Set-Cookie", value)
        return response

    async def echo(request: Request) -> Response:
        return Response(text=request.headers.get("Cookie", ""))

    app = Application()
    app.router.add_get("/set", set_cookie_handler)
    app.router.add_get("/{tail:.*}", echo)
    return app


async def fetch(session: ClientSession, url: URL, **kwargs: Any) -> str:
    async with session.get(url, **kwargs) as resp:
        assert resp.status == 200
        return await resp.text()


async def test_session_stores_and_sends_cookies(serve_app: ServeApp) -> None:
    url = await serve_app(cookie_app())
    jar = CookieJar(unsafe=True)
    async with ClientSession(cookie_jar=jar) as session:
        await fetch(
            session,
            url / "set",
            params=[
                ("h", "root=1; Path=/"),
                ("h", "deep=2; Path=/a/b"),
                ("h", "mid=3; Path=/a"),
                ("h", "gone=4; Max-Age=0"),
                ("h", "sec=5; Secure; Path=/"),
            ],
        )
        assert sorted(m.key for m in jar) == ["deep", "mid", "root", "sec"]
        # Longer paths first, in the header the server receives.
        assert await fetch(session, url / "a" / "b" / "c") == "deep=2; mid=3; root=1"
        assert await fetch(session, url / "x") == "root=1"
        await fetch(session, url / "set", params={"h": "root=1; Path=/; Max-Age=0"})
        assert await fetch(session, url / "x") == ""


async def test_default_jar_ignores_cookies_from_ip_addresses(
    serve_app: ServeApp,
) -> None:
    url = await serve_app(cookie_app())
    async with ClientSession() as session:
        await fetch(session, url / "set", params={"h": "a=1"})
        assert len(session.cookie_jar) == 0
        assert await fetch(session, url / "x") == ""


async def test_secure_cookies_over_tls(serve_app: ServeApp, tls: Any) -> None:
    https = await serve_app(cookie_app(), ssl_context=tls.server_context)
    http = await serve_app(cookie_app())
    jar = CookieJar(unsafe=True)
    async with ClientSession(cookie_jar=jar) as session:
        await fetch(
            session,
            https / "set",
            params=[("h", "s=1; Secure; Path=/"), ("h", "p=2; Path=/")],
            ssl=tls.client_context,
        )
        assert await fetch(session, https / "x", ssl=tls.client_context) == "s=1; p=2"
        assert await fetch(session, http / "x") == "p=2"  # same host, plain http
    secure_origin = CookieJar(unsafe=True, treat_as_secure_origin=str(http))
    secure_origin.update_cookies(SimpleCookie("s=1; Secure"), https)
    async with ClientSession(cookie_jar=secure_origin) as session:
        assert await fetch(session, http / "x") == "s=1"


async def test_dummy_jar_in_a_session(serve_app: ServeApp) -> None:
    url = await serve_app(cookie_app())
    async with ClientSession(cookie_jar=DummyCookieJar()) as session:
        await fetch(session, url / "set", params={"h": "a=1"})
        assert await fetch(session, url / "x") == ""


async def test_saved_cookies_reach_the_next_session(
    serve_app: ServeApp, tmp_path: Path
) -> None:
    url = await serve_app(cookie_app())
    path = tmp_path / "jar.json"
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as session:
        await fetch(session, url / "set", params={"h": "kept=yes; Max-Age=3600"})
        jar = session.cookie_jar
        assert isinstance(jar, CookieJar)
        jar.save(path)
    fresh = CookieJar(unsafe=True)
    fresh.load(path)
    async with ClientSession(cookie_jar=fresh) as session:
        assert await fetch(session, url / "x") == "kept=yes"
