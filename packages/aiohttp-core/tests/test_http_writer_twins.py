"""Differential tests: the compiled and the pure-Python head writers agree.

Random start lines and header fields, drawn from all of ASCII, some non-ASCII
(lone surrogates included), str subclasses that lie in every method, istr and
non-str values, go through both twins: they must give the same bytes and
framing report, or raise the same exception type with the same message.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from multidict import CIMultiDict, istr

from aiohttp_core import http_writer

try:
    compiled = importlib.import_module("aiohttp_core._http_writer")
except ImportError as exc:  # pragma: no cover - depends on the build
    pytest.skip(
        f"compiled twin aiohttp_core._http_writer is not built ({exc})",
        allow_module_level=True,
    )

TWINS = settings(
    derandomize=True,  # the same examples on every run
    database=None,
    max_examples=600,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


class Sneaky(str):
    """A str subclass whose methods all lie: only its characters count."""

    __slots__ = ()

    def __str__(self) -> str:
        return "X-Forged: 1"

    def __format__(self, spec: str) -> str:
        return "x\r\nX-Forged: 1"

    def __len__(self) -> int:
        return 3

    def __iter__(self) -> Any:
        return iter("abc")

    def __getitem__(self, index: Any) -> Any:
        return "a"

    def lower(self) -> str:
        return "content-length"

    def encode(self, *args: Any, **kwargs: Any) -> bytes:
        return b"X-Forged: 1"

    def count(self, *args: Any) -> int:
        return 0


class Formatted:
    """Not a str: written as what format() gives."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __format__(self, spec: str) -> str:
        return self.text


TCHARS = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
NON_ASCII = [
    "\x80",
    "\x85",
    "\xa0",
    "\xe9",
    "\xff",
    "\u0100",
    "\u0663",
    "\u2028",
    "\u212a",
    "\ufeff",
    "\ud800",
    "\udbff",
    "\udc00",
    "\udfff",
    "\U0001f600",
    "\U0010ffff",
]
# Bytes that matter most, often enough to meet them in short texts.
SPECIAL = ["\r", "\n", "\x00", "\t", " ", ":", "\x7f", "\x0e", "\x0c"]
FRAMING_NAMES = [
    "Content-Length",
    "content-length",
    "CONTENT-LENGTH",
    "Transfer-Encoding",
    "transfer-encoding",
    "tRANSFER-eNCODING",
    "Content-Lengt",
    "Content-Lengths",
    "Content_Length",
    "Content-Length ",
    "Transfer-Encodinf",
    "Content\rLength",
    "Content-Len\u212ath",
]

any_char = st.one_of(
    st.characters(max_codepoint=127),
    st.sampled_from(NON_ASCII),
    st.sampled_from(SPECIAL),
)
any_text = st.text(any_char, max_size=24)
# Runs of plain characters, long enough to cover the compiled twin's
# eight-byte steps and the bytes left after them.
plain_text = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40)
text = st.one_of(
    plain_text, plain_text, any_text, st.builds(str.__add__, plain_text, any_text)
)


def str_kinds(texts: st.SearchStrategy[str]) -> st.SearchStrategy[object]:
    """Each text as a str, an istr or a lying subclass."""
    return st.one_of(
        texts,
        texts.map(istr),
        texts.map(Sneaky),
    )


tokens = st.text(st.sampled_from(TCHARS), min_size=1, max_size=24)
valid_names = st.one_of(
    str_kinds(tokens), str_kinds(st.sampled_from(FRAMING_NAMES[:6]))
)
names = st.one_of(
    str_kinds(tokens),
    str_kinds(st.sampled_from(FRAMING_NAMES)),
    str_kinds(text),
    st.integers(),
)
values = st.one_of(
    str_kinds(text),
    str_kinds(text),
    st.sampled_from(["0", "17", "chunked", "gzip, chunked", " 3", "\u0663"]),
    st.one_of(st.integers(), st.none(), st.booleans(), text.map(Formatted)),
)
status_lines = st.one_of(
    st.sampled_from(["HTTP/1.1 200 OK", "GET / HTTP/1.1", "0"]),
    str_kinds(text),
    st.one_of(str_kinds(text), str_kinds(text), st.integers()),
)
# Half the heads with valid names only, so that their values are reached.
fields = st.one_of(
    st.lists(st.tuples(valid_names, values), max_size=12),
    st.lists(st.tuples(names, values), max_size=12),
)


def as_headers(pairs: list[tuple[Any, Any]], container: str) -> Any:
    """The fields in a dict, a CIMultiDict (str names only) or a bare mapping."""
    if container == "dict":
        return dict(pairs)
    if not all(isinstance(name, str) for name, _ in pairs):
        return dict(pairs)
    if container == "multidict":
        return CIMultiDict(pairs)
    return ItemsOnly(pairs)


class ItemsOnly:
    """The least a head needs: an ``items()`` method."""

    def __init__(self, pairs: list[tuple[Any, Any]]) -> None:
        self.pairs = pairs

    def items(self) -> list[tuple[Any, Any]]:
        return self.pairs


heads = st.tuples(
    status_lines,
    st.builds(as_headers, fields, st.sampled_from(["dict", "multidict", "items-only"])),
)


def outcome(call: Callable[[], object]) -> object:
    """What a call gives, comparable across the twins."""
    try:
        result = call()
    except Exception as exc:
        return "raised", type(exc), str(exc)
    if isinstance(result, tuple):
        data, framing = result
        report = None
        if framing is not None:
            report = [
                (kind, type(value), str.__str__(value)) for kind, value in framing
            ]
        return data, report
    return result


@TWINS
@given(heads)
def test_serialize_agrees(head: tuple[Any, Any]) -> None:
    status_line, headers = head
    pure = outcome(lambda: http_writer._serialize_py(status_line, headers))
    assert outcome(lambda: compiled._serialize(status_line, headers)) == pure


@TWINS
@given(heads)
def test_serialize_headers_agrees(head: tuple[Any, Any]) -> None:
    status_line, headers = head
    pure = outcome(lambda: http_writer.serialize_headers_py(status_line, headers))
    assert outcome(lambda: compiled.serialize_headers(status_line, headers)) == pure


@TWINS
@given(heads)
def test_valid_heads_round_trip(head: tuple[Any, Any]) -> None:
    status_line, headers = head
    try:
        data = compiled.serialize_headers(status_line, headers)
    except (ValueError, TypeError):
        return
    # No field can be forged: the head splits into exactly the fields given.
    lines = data.split(b"\r\n")
    assert lines[-2:] == [b"", b""]
    assert len(lines) == len(list(headers.items())) + 3


@TWINS
@given(
    st.binary(max_size=5000),
    st.sampled_from([bytes, bytearray, memoryview]),
)
def test_chunk_agrees(data: bytes, kind: Callable[[bytes], Any]) -> None:
    chunk = kind(data)
    assert compiled._chunk(chunk) == http_writer._chunk_py(chunk)
