"""Tests of Content-Disposition parsing (RFC 6266 / 8187 / 2231) and building."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st
from multidict import MultiDictProxy

from aiohttp_core.content_disposition import (
    ContentDisposition,
    content_disposition_filename,
    content_disposition_header,
    parse_content_disposition,
)


def _parse(header: str | None) -> tuple[str | None, dict[str, str]]:
    disptype, params = parse_content_disposition(header)
    return disptype, dict(params)


# RFC 6266 appendix D, then cases in the spirit of the tc2231 test suite.
@pytest.mark.parametrize(
    ("header", "disptype", "params"),
    [
        (
            "Attachment; filename=example.html",
            "attachment",
            {"filename": "example.html"},
        ),
        (
            'INLINE; FILENAME= "an example.html"',
            "inline",
            {"filename": "an example.html"},
        ),
        (
            "attachment; filename*= UTF-8''%e2%82%ac%20rates",
            "attachment",
            {"filename": "\u20ac rates"},
        ),
        (
            "attachment; filename=\"EURO rates\"; filename*=utf-8''%e2%82%ac%20rates",
            "attachment",
            {"filename": "\u20ac rates"},
        ),
        ("inline", "inline", {}),
        ("attachment", "attachment", {}),
        ("  attachment  ", "attachment", {}),
        ("attachment;", "attachment", {}),
        ("attachment; ;", "attachment", {}),
        ("foo-bar; x=1", "foo-bar", {"x": "1"}),
        ('attachment; filename="a\\"b"', "attachment", {"filename": 'a"b'}),
        ('attachment; filename="f\\oo.html"', "attachment", {"filename": "foo.html"}),
        ('attachment; filename="a;b.html"', "attachment", {"filename": "a;b.html"}),
        (
            'attachment; filename="foo-%41.html"',
            "attachment",
            {"filename": "foo-%41.html"},
        ),
        (
            'attachment; filename="foo-\u00e4.html"',
            "attachment",
            {"filename": "foo-\u00e4.html"},
        ),
        (
            "attachment; filename*=iso-8859-1''foo-%E4.html",
            "attachment",
            {"filename": "foo-\u00e4.html"},
        ),
        (
            "attachment; filename*=UTF-8''foo-a%cc%88.html",
            "attachment",
            {"filename": "foo-a\u0308.html"},
        ),
        (
            "attachment; filename*=UTF-8''A-%2541.html",
            "attachment",
            {"filename": "A-%41.html"},
        ),
        (
            "attachment; filename*=utf-8'en'%e2%82%ac",
            "attachment",
            {"filename": "\u20ac"},
        ),
        (
            "attachment; filename*=UTF-8''%e2%82%ac.txt; filename=\"euro.txt\"",
            "attachment",
            {"filename": "\u20ac.txt"},
        ),
        (
            'form-data; name="field"; filename="x.bin"',
            "form-data",
            {"name": "field", "filename": "x.bin"},
        ),
        ("attachment; Name=\"A\"; NAME*=utf-8''b", "attachment", {"name": "b"}),
    ],
)
def test_parse(header: str, disptype: str, params: dict[str, str]) -> None:
    assert _parse(header) == (disptype, params)


@pytest.mark.parametrize(
    ("header", "params"),
    [
        ("attachment; filename*=\"UTF-8''foo-%c3%a4.html\"", {}),  # quoted ext-value
        ("attachment; filename*=''foo.html", {}),  # no charset
        ("attachment; filename*=UTF-8'foo.html", {}),  # one quote only
        ("attachment; filename*=UTF-8''%ff", {}),  # not UTF-8
        ("attachment; filename*=UTF-8''a%2", {}),  # broken pct-encoding
        ("attachment; filename*=UTF-8''a b", {}),
        ("attachment; filename*=no-such-charset''x", {}),
        ("attachment; filename*=base64''x", {}),  # not a text encoding
        ("attachment; filename=\"fb\"; filename*=UTF-8''%ff", {"filename": "fb"}),
        ("attachment; filename=foo bar.html; x=1", {"x": "1"}),  # unquoted space
        ("attachment; filename *=UTF-8''foo.html", {}),
        ('attachment; filename="a\r\nSet-Cookie: x"', {}),
        ('attachment; filename="a\x00b"', {}),
        ("attachment; filename=\u00e4.html", {}),  # non-ASCII token
        ("attachment; filename", {}),
        ("attachment; =foo", {}),
        ('attachment; filename="unterminated; x=1', {}),
        ('attachment; x="y"z; w=1', {"w": "1"}),
        ('attachment; x="a;b"c; w=1', {"w": "1"}),
    ],
)
def test_parse_skips_malformed_parameters(header: str, params: dict[str, str]) -> None:
    assert _parse(header) == ("attachment", params)


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "   ",
        '"inline"',
        "inline attachment",
        "filename=foo.html ;attachment",
        "; filename=foo.html",
        "attach\u00e9ment",
        'attachment; filename="foo.html"; filename="bar.html"',
        "attachment; filename=a; FILENAME=b",
        "attachment; filename*=UTF-8''a; filename*=UTF-8''b",
    ],
)
def test_parse_invalid(header: str | None) -> None:
    disptype, params = parse_content_disposition(header)
    assert disptype is None
    assert not params


@pytest.mark.parametrize(
    ("header", "params"),
    [
        ('attachment; filename*0="foo."; filename*1="html"', {"filename": "foo.html"}),
        (
            'attachment; filename*0="foo"; filename*1="\\b\\a\\r.html"',
            {"filename": "foobar.html"},
        ),
        (
            "attachment; filename*0*=UTF-8''foo-%c3%a4; filename*1=\".html\"",
            {"filename": "foo-\u00e4.html"},
        ),
        # A multi-byte character split over two sections.
        (
            "attachment; filename*0*=UTF-8''%e2%82; filename*1*=%ac.txt",
            {"filename": "\u20ac.txt"},
        ),
        ('attachment; filename*1="bar"; filename*0="foo"', {"filename": "foobar"}),
        ('attachment; filename*0="foo"; filename*2="bar"', {"filename": "foo"}),
        ('attachment; filename*1="foo."; filename*2="html"', {}),
        (
            'attachment; filename*0="foo"; filename*01="bar"',
            {"filename": "foo", "filename*01": "bar"},
        ),
        # Only section 0 may name a charset.
        ("attachment; filename*0*=UTF-8''a; filename*1*=UTF-8''b", {}),
        ("attachment; filename*0*=nope''a; filename*1=b", {}),
        ("attachment; filename*0*=\"UTF-8''a\"; filename*1=b", {}),
        # Continuations win over the plain parameter, the extended form over both.
        (
            'attachment; filename="plain"; filename*0="con"; filename*1="t"',
            {"filename": "cont"},
        ),
        (
            'attachment; filename*0="con"; filename*1="t"; filename*=UTF-8\'\'ext',
            {"filename": "ext"},
        ),
        # Plain sections take the charset of section 0.
        (
            "attachment; filename*0*=iso-8859-1''%e4; filename*1=\"\u00e4\"",
            {"filename": "\u00e4\u00e4"},
        ),
        ("attachment; filename*0*=us-ascii''a; filename*1=\"\u00e4\"", {}),
    ],
)
def test_parse_continuations(header: str, params: dict[str, str]) -> None:
    assert _parse(header) == ("attachment", params)


def test_parse_keeps_parameter_order() -> None:
    _, params = parse_content_disposition("attachment; b=1; a=2; c*=UTF-8''3")
    assert list(params.items()) == [("b", "1"), ("a", "2"), ("c", "3")]


def test_content_disposition_from_header() -> None:
    cd = ContentDisposition.from_header("attachment; filename*=UTF-8''%e2%82%ac")
    assert cd.type == "attachment"
    assert cd.filename == "\u20ac"
    assert isinstance(cd.parameters, MultiDictProxy)
    assert cd.parameters["filename"] == "\u20ac"


def test_content_disposition_without_filename() -> None:
    cd = ContentDisposition.from_header("inline")
    assert (cd.type, cd.filename, dict(cd.parameters)) == ("inline", None, {})


def test_content_disposition_malformed() -> None:
    cd = ContentDisposition.from_header("; filename=x")
    assert (cd.type, cd.filename, dict(cd.parameters)) == (None, None, {})


def test_content_disposition_is_frozen() -> None:
    cd = ContentDisposition.from_header("inline")
    with pytest.raises(dataclasses.FrozenInstanceError):
        cd.type = "attachment"  # type: ignore[misc]
    with pytest.raises(TypeError):
        cd.parameters["x"] = "y"  # type: ignore[index]


def test_content_disposition_filename() -> None:
    _, params = parse_content_disposition('attachment; name="f"; filename="x"')
    assert content_disposition_filename(params) == "x"
    assert content_disposition_filename(params, "name") == "f"
    assert content_disposition_filename(params, "other") is None


@pytest.mark.parametrize(
    ("args", "header"),
    [
        (("attachment",), "attachment"),
        (("inline", True, "utf-8", {}), "inline"),
        (("form-data", True, "utf-8", {"name": "field"}), 'form-data; name="field"'),
        (
            ("form-data", True, "utf-8", {"name": 'a"b\\c'}),
            'form-data; name="a\\"b\\\\c"',
        ),
        (
            ("form-data", True, "utf-8", {"name": "f", "filename": "\u20ac x/y.txt"}),
            'form-data; name="f"; filename="%E2%82%AC%20x%2Fy.txt"',
        ),
        (
            ("attachment", True, "utf-8", {"FileName": 'a"b'}),
            'attachment; FileName="a%22b"',
        ),
        (
            ("attachment", True, "utf-8", {"title": "\u20ac rates"}),
            "attachment; title*=utf-8''%E2%82%AC%20rates",
        ),
        (
            ("attachment", True, "latin-1", {"title": "\u00e4"}),
            "attachment; title*=latin-1''%E4",
        ),
        (
            ("attachment", False, "utf-8", {"filename": '\u20ac "q" \\.txt'}),
            'attachment; filename="\u20ac \\"q\\" \\\\.txt"',
        ),
        (
            ("attachment", False, "utf-8", {"a": "1", "b": ""}),
            'attachment; a="1"; b=""',
        ),
        (
            ("attachment", True, "utf-8", {"a": "tab\there"}),
            'attachment; a="tab\there"',
        ),
    ],
)
def test_header(args: tuple[object, ...], header: str) -> None:
    assert content_disposition_header(*args) == header  # type: ignore[arg-type]


def test_header_keywords() -> None:
    header = content_disposition_header(
        disptype="attachment", quote_fields=False, _charset="utf-8", params={"a": "b"}
    )
    assert header == 'attachment; a="b"'


@pytest.mark.parametrize(
    "disptype", ["", "form data", "a;b", 'x"', "attach\u00e9ment", "a\r\nX: y", "a/b"]
)
def test_header_bad_type(disptype: str) -> None:
    with pytest.raises(ValueError, match="bad content disposition type"):
        content_disposition_header(disptype)


@pytest.mark.parametrize(
    "name", ["", "na me", "a;b", "a=b", "filename*", "n\u00e4me", "a\nb", 'a"']
)
@pytest.mark.parametrize("quote_fields", [True, False])
def test_header_bad_parameter_name(name: str, quote_fields: bool) -> None:
    with pytest.raises(ValueError, match="bad content disposition parameter name"):
        content_disposition_header("attachment", quote_fields, params={name: "x"})


@pytest.mark.parametrize(
    "value",
    [
        "a\r\nSet-Cookie: x=y",
        "a\rb",
        "a\nb",
        "a\x00b",
        "a\x1bb",
        "a\x7fb",
        "evil.txt\r\nContent-Type: text/html",
    ],
)
@pytest.mark.parametrize("name", ["filename", "name", "title"])
@pytest.mark.parametrize("quote_fields", [True, False])
def test_header_injection_refused(value: str, name: str, quote_fields: bool) -> None:
    with pytest.raises(ValueError, match="control character"):
        content_disposition_header("attachment", quote_fields, params={name: value})


@pytest.mark.parametrize("charset", ["", "utf-8'", "utf 8", "utf-8\r\n"])
def test_header_bad_charset(charset: str) -> None:
    with pytest.raises(ValueError, match="bad charset"):
        content_disposition_header("attachment", True, charset, {"a": "\u00e4"})


_names = st.from_regex(r"[a-z][a-z0-9_-]{0,8}", fullmatch=True).filter(
    lambda n: n != "filename"
)
_values = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"))
    | st.sampled_from("\t\\\"';")
)


@given(st.dictionaries(_names, _values, max_size=4))
def test_round_trip_quoted_fields(params: dict[str, str]) -> None:
    header = content_disposition_header("attachment", params=params)
    assert _parse(header) == ("attachment", params)


@given(
    st.dictionaries(
        st.sampled_from(["filename", "name", "x"]),
        _values.filter(lambda v: v.isascii()),
        max_size=3,
    )
)
def test_round_trip_unquoted_ascii(params: dict[str, str]) -> None:
    header = content_disposition_header("attachment", quote_fields=False, params=params)
    assert _parse(header) == ("attachment", params)
