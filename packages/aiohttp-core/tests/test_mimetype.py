"""Tests of parse_mimetype and parse_content_type."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from multidict import MultiDict, MultiDictProxy

from aiohttp_core.mimetype import (
    MimeType,
    ascii_lower,
    parse_content_type,
    parse_mimetype,
)


def _mime(
    mtype: str, subtype: str, suffix: str = "", params: dict[str, str] | None = None
) -> MimeType:
    return MimeType(mtype, subtype, suffix, MultiDictProxy(MultiDict(params or {})))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", _mime("", "")),
        ("*", _mime("*", "*")),
        ("*/*", _mime("*", "*")),
        ("application/json", _mime("application", "json")),
        (
            "application/json;  charset=utf-8",
            _mime("application", "json", "", {"charset": "utf-8"}),
        ),
        (
            'application/json; charset="utf-8"',
            _mime("application", "json", "", {"charset": "utf-8"}),
        ),
        (
            'ApPlIcAtIoN/JSON;ChaRseT="UTF-8"',
            _mime("application", "json", "", {"charset": "UTF-8"}),
        ),
        ("application/rss+xml", _mime("application", "rss", "xml")),
        ("text/plain;base64", _mime("text", "plain", "", {"base64": ""})),
        ("text/plain;", _mime("text", "plain")),
        ("text/plain;;;", _mime("text", "plain")),
        ("  text/plain  ", _mime("text", "plain")),
        ("text", _mime("text", "")),
        (
            'text/plain; a="x;y"; b=2',
            _mime("text", "plain", "", {"a": "x;y", "b": "2"}),
        ),
        ('text/plain; a="x\\"y"', _mime("text", "plain", "", {"a": 'x"y'})),
        (
            'text/plain; a="unterminated',
            _mime("text", "plain", "", {"a": "unterminated"}),
        ),
        ("text/plain; A = B ", _mime("text", "plain", "", {"a": "B"})),
        ("text/plain; =x; b=1", _mime("text", "plain", "", {"b": "1"})),
    ],
)
def test_parse_mimetype(value: str, expected: MimeType) -> None:
    assert parse_mimetype(value) == expected


def test_parse_mimetype_repeated_parameter() -> None:
    params = parse_mimetype("text/plain; a=1; A=2").parameters
    assert params.getall("a") == ["1", "2"]


def test_parse_mimetype_lowercases_ascii_only() -> None:
    # KELVIN SIGN lower-cases to "k" with str.lower(); it must stay as it is.
    mime = parse_mimetype("\u212aEXT/PLAIN; \u212aEY=V")
    assert mime.type == "\u212aext"
    assert list(mime.parameters) == ["\u212aey"]


def test_parse_mimetype_parameters_read_only() -> None:
    params = parse_mimetype("text/plain; a=1").parameters
    with pytest.raises(TypeError):
        params["b"] = "2"  # type: ignore[index]


def test_parse_mimetype_is_cached() -> None:
    assert parse_mimetype("text/html; charset=utf-8") is parse_mimetype(
        "text/html; charset=utf-8"
    )


@given(st.text())
def test_parse_mimetype_never_raises(value: str) -> None:
    mime = parse_mimetype(value)
    assert isinstance(mime, MimeType)


def test_ascii_lower() -> None:
    assert ascii_lower("AbC\u212a\u0130") == "abc\u212a\u0130"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ("application/octet-stream", {})),
        ("", ("application/octet-stream", {})),
        (" \t", ("application/octet-stream", {})),
        ("text/html", ("text/html", {})),
        ("Text/HTML; Charset=UTF-8", ("text/html", {"charset": "UTF-8"})),
        ("application/ld+json", ("application/ld+json", {})),
        (
            'multipart/form-data; boundary="a b"',
            ("multipart/form-data", {"boundary": "a b"}),
        ),
        ("garbage", ("garbage", {})),
        (
            "text/plain; charset=utf-8; charset=latin-1",
            ("text/plain", {"charset": "utf-8"}),
        ),
    ],
)
def test_parse_content_type(
    value: str | None, expected: tuple[str, dict[str, str]]
) -> None:
    assert parse_content_type(value) == expected


def test_parse_content_type_returns_fresh_dict() -> None:
    _, params = parse_content_type("text/plain; charset=utf-8")
    params["charset"] = "changed"
    assert parse_content_type("text/plain; charset=utf-8")[1] == {"charset": "utf-8"}
