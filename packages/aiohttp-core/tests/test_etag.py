"""Tests of ETag, its header form and the If-Match / If-None-Match lists."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aiohttp_core.etag import (
    ETAG_ANY,
    ETag,
    format_etag,
    parse_etag,
    parse_etag_list,
    validate_etag_value,
)


@pytest.mark.parametrize(
    "etag",
    [
        ETag("abc"),
        ETag(value="abc"),
        ETag(name="abc"),
        ETag("abc", False),
        ETag(name="abc", is_weak=False),
    ],
)
def test_constructor_spellings(etag: ETag) -> None:
    assert etag.value == "abc"
    assert etag.is_weak is False


def test_weak() -> None:
    assert ETag("abc", is_weak=True).is_weak is True
    assert ETag(name="abc", is_weak=True) == ETag(value="abc", is_weak=True)


def test_value_and_name_together_refused() -> None:
    with pytest.raises(TypeError, match="exactly one"):
        ETag("a", name="b")  # type: ignore[call-overload]


def test_no_value_refused() -> None:
    with pytest.raises(TypeError, match="exactly one"):
        ETag()  # type: ignore[call-overload]


def test_non_str_refused() -> None:
    with pytest.raises(TypeError, match="must be str"):
        ETag(b"abc")  # type: ignore[call-overload]


def test_frozen_and_slotted() -> None:
    etag = ETag("abc")
    with pytest.raises(dataclasses.FrozenInstanceError):
        etag.value = "x"  # type: ignore[misc]
    assert not hasattr(etag, "__dict__")


def test_equality_and_hash() -> None:
    assert ETag("a") == ETag("a")
    assert ETag("a") != ETag("a", is_weak=True)
    assert len({ETag("a"), ETag("a"), ETag("b")}) == 2


@pytest.mark.parametrize(
    "value",
    ["", "abc", "0123-kotik", "*", "a,b", "W/x", "\u00e9t\u00e9", "!#~", "\udce9"],
)
def test_valid_values(value: str) -> None:
    validate_etag_value(value)
    assert ETag(value).value == value


@pytest.mark.parametrize(
    "value",
    ['a"b', '"abc"', "a b", "a\tb", "a\x00", "a\x7f", "a\r\nX: y", "\ud800", "x\udc7f"],
)
def test_invalid_values(value: str) -> None:
    with pytest.raises(ValueError, match="not a valid etag"):
        validate_etag_value(value)
    with pytest.raises(ValueError, match="not a valid etag"):
        ETag(value)
    with pytest.raises(ValueError, match="not a valid etag"):
        format_etag(value)


@pytest.mark.parametrize(
    ("etag", "header"),
    [
        ("abc", '"abc"'),
        ("", '""'),
        (ETag("abc"), '"abc"'),
        (ETag("abc", is_weak=True), 'W/"abc"'),
        (ETAG_ANY, "*"),
        (ETag(ETAG_ANY), "*"),
    ],
)
def test_format_etag(etag: ETag | str, header: str) -> None:
    assert format_etag(etag) == header


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("*", (ETag(ETAG_ANY),)),
        (" * ", (ETag(ETAG_ANY),)),
        ('"a"', (ETag("a"),)),
        ('W/"a"', (ETag("a", is_weak=True),)),
        ('"a", W/"b"', (ETag("a"), ETag("b", is_weak=True))),
        ('"a",W/"b" ,\t"c"', (ETag("a"), ETag("b", True), ETag("c"))),
        ('"a",,"b",', (ETag("a"), ETag("b"))),  # empty list elements are allowed
        ('"a,b"', (ETag("a,b"),)),  # "," is an etagc
        ('""', (ETag(""),)),
        ('"\u00e9"', (ETag("\u00e9"),)),  # obs-text
        ('"*"', (ETag(ETAG_ANY),)),
        ("", ()),
        (" , ,", ()),
    ],
)
def test_parse_etag_list(header: str, expected: tuple[ETag, ...]) -> None:
    assert parse_etag_list(header) == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ('w/"a", "b"', (ETag("b"),)),  # "W/" is case-sensitive
        ('junk, "b"', (ETag("b"),)),
        ('"a" "b", "c"', (ETag("c"),)),
        ('"a b", "c"', (ETag("c"),)),
        ('"a\x00", "c"', (ETag("c"),)),
        ('abc"x,y"z, "c"', (ETag("c"),)),  # a comma inside quotes is not a separator
        ('*, "a"', (ETag("a"),)),
        ('"a", W/ "b"', (ETag("a"),)),
        ('"a", "unterminated', (ETag("a"),)),
        ('"a", x"unterminated, "b"', (ETag("a"),)),
    ],
)
def test_parse_etag_list_skips_malformed(
    header: str, expected: tuple[ETag, ...]
) -> None:
    assert parse_etag_list(header) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('"abc"', ETag("abc")),
        ('W/"abc"', ETag("abc", is_weak=True)),
        (' "abc" ', ETag("abc")),
        ("abc", None),
        ('"a", "b"', None),
        ('"a', None),
        ("*", None),
        ("", None),
    ],
)
def test_parse_etag(value: str, expected: ETag | None) -> None:
    assert parse_etag(value) == expected


_etag_values = st.text(
    # The utf-8 codec already leaves lone surrogates out.
    st.characters(codec="utf-8", exclude_characters='" \x7f').filter(lambda c: c > " ")
).filter(lambda v: v != ETAG_ANY)


@given(st.lists(st.builds(ETag, _etag_values, st.booleans())))
def test_round_trip(tags: list[ETag]) -> None:
    header = ", ".join(format_etag(tag) for tag in tags)
    assert parse_etag_list(header) == tuple(tags)
