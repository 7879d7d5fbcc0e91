"""Tests of BasicAuth: construction, encode, decode and from_url."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from yarl import URL

from aiohttp_core.basic_auth import BasicAuth


def test_fields_and_defaults() -> None:
    auth = BasicAuth("nkim")
    assert auth == ("nkim", "", "latin1")
    assert (auth.login, auth.password, auth.encoding) == ("nkim", "", "latin1")


def test_keywords_as_documented() -> None:
    auth = BasicAuth(login="nkim", password="pwd", encoding="utf-8")
    assert auth == BasicAuth("nkim", "pwd", "utf-8")


def test_immutable() -> None:
    auth = BasicAuth("nkim", "pwd")
    with pytest.raises(AttributeError):
        auth.login = "other"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        auth.extra = 1  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("login", "password"),
    [(None, "pwd"), ("nkim", None)],
)
def test_none_refused(login: str | None, password: str | None) -> None:
    with pytest.raises(ValueError, match="None is not allowed"):
        BasicAuth(login, password)  # type: ignore[arg-type]


def test_colon_in_login_refused() -> None:
    with pytest.raises(ValueError, match='":" is not allowed in login'):
        BasicAuth("nk:im", "pwd")


def test_colon_in_password_allowed() -> None:
    auth = BasicAuth("nkim", "p:w:d")
    assert BasicAuth.decode(auth.encode()) == auth


def test_repr_hides_password() -> None:
    text = repr(BasicAuth("nkim", "s3cret"))
    assert "s3cret" not in text
    assert "nkim" in text


def test_encode() -> None:
    assert BasicAuth("nkim", "pwd").encode() == "Basic bmtpbTpwd2Q="


def test_encode_empty_password() -> None:
    assert BasicAuth("nkim").encode() == "Basic bmtpbTo="


def test_encode_non_latin1_needs_utf8() -> None:
    with pytest.raises(UnicodeEncodeError):
        BasicAuth("пользователь", "пароль").encode()
    auth = BasicAuth("пользователь", "пароль", encoding="utf-8")
    assert BasicAuth.decode(auth.encode(), encoding="utf-8") == auth


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Basic bmtpbTpwd2Q=", ("nkim", "pwd")),
        ("basic bmtpbTpwd2Q=", ("nkim", "pwd")),
        ("BASIC bmtpbTpwd2Q=", ("nkim", "pwd")),
        ("Basic   bmtpbTpwd2Q=", ("nkim", "pwd")),
        (" Basic bmtpbTpwd2Q=\t", ("nkim", "pwd")),
        ("Basic bmtpbTo=", ("nkim", "")),
        ("Basic OnB3ZA==", ("", "pwd")),
        ("Basic bmtpbTpwOnc6ZA==", ("nkim", "p:w:d")),
        ("Basic 6Dpw", ("\xe8", "p")),  # latin-1 byte
    ],
)
def test_decode(header: str, expected: tuple[str, str]) -> None:
    assert BasicAuth.decode(header) == BasicAuth(*expected)


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("", "Could not parse"),
        ("Basic", "Could not parse"),
        ("Basic ", "Could not parse"),
        ("Basic bmtp bTpwd2Q=", "Could not parse"),
        ("Basic\tbmtpbTpwd2Q=", "Could not parse"),
        ("Basic bmtpbTpwd2Q=, Basic bmtpbTpwd2Q=", "Could not parse"),
        ("Basic realm=x", "Could not parse"),
        ("Ba\u017fic bmtpbTpwd2Q=", "Could not parse"),  # LATIN SMALL LONG S
        ("\u212aasic bmtpbTpwd2Q=", "Could not parse"),  # KELVIN SIGN
        ("Bearer bmtpbTpwd2Q=", "Unknown authorization method"),
        ("Digest bmtpbTpwd2Q=", "Unknown authorization method"),
        ("Basic bmtpbTpwd2Q", "Invalid base64"),  # missing padding
        ("Basic bmtpbTpwd2Q==", "Invalid base64"),  # excess padding
        ("Basic bm-pbTpwd2Q=", "Invalid base64"),  # urlsafe alphabet
        ("Basic bmtpbQ==", "Invalid credentials"),  # no colon
        ("Basic " + "=" * 4, "Could not parse"),
    ],
)
def test_decode_invalid(header: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        BasicAuth.decode(header)


def test_decode_bytes_invalid_in_encoding() -> None:
    # 0xE8 alone is not UTF-8.
    with pytest.raises(ValueError, match="not valid utf-8"):
        BasicAuth.decode("Basic 6Dpw", encoding="utf-8")


def test_decode_keeps_encoding() -> None:
    header = BasicAuth("\u20ac", "x", encoding="utf-8").encode()
    assert BasicAuth.decode(header, encoding="utf-8").encoding == "utf-8"


@given(
    login=st.text(st.characters(codec="latin-1", exclude_characters=":")),
    password=st.text(st.characters(codec="latin-1")),
)
def test_round_trip_latin1(login: str, password: str) -> None:
    auth = BasicAuth(login, password)
    assert BasicAuth.decode(auth.encode()) == auth


@given(
    login=st.text(st.characters(codec="utf-8", exclude_characters=":")),
    password=st.text(st.characters(codec="utf-8")),
)
def test_round_trip_utf8(login: str, password: str) -> None:
    auth = BasicAuth(login, password, encoding="utf-8")
    assert BasicAuth.decode(auth.encode(), encoding="utf-8") == auth


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://user:pass@example.com", ("user", "pass")),
        ("http://user@example.com", ("user", "")),
        ("http://:pass@example.com", ("", "pass")),
        ("http://us%20er:p%40ss@example.com", ("us er", "p@ss")),
        ("http://%D0%B8%D0%BC%D1%8F:x@example.com", ("имя", "x")),
    ],
)
def test_from_url(url: str, expected: tuple[str, str]) -> None:
    assert BasicAuth.from_url(URL(url)) == BasicAuth(*expected)


def test_from_url_without_credentials() -> None:
    assert BasicAuth.from_url(URL("http://example.com")) is None


def test_from_url_encoding() -> None:
    auth = BasicAuth.from_url(URL("http://user:pass@example.com"), encoding="utf-8")
    assert auth is not None
    assert auth.encoding == "utf-8"


def test_from_url_escaped_colon_in_user_refused() -> None:
    with pytest.raises(ValueError, match="not allowed in login"):
        BasicAuth.from_url(URL("http://us%3Aer:x@example.com"))


def test_from_url_needs_url() -> None:
    with pytest.raises(TypeError):
        BasicAuth.from_url("http://user:pass@example.com")  # type: ignore[arg-type]
