"""Fixtures shared by the aiohttp-core tests: the two HTTP parser twins."""

from __future__ import annotations

import os
from types import ModuleType

import pytest

from aiohttp_core import http_parser


def _twin(name: str, request: type | None, response: type | None) -> ModuleType | None:
    """A namespace with the parser classes of one twin, as the tests use them."""
    if request is None or response is None:
        return None
    twin = ModuleType(name)
    twin.HttpRequestParser = request  # type: ignore[attr-defined]
    twin.HttpResponseParser = response  # type: ignore[attr-defined]
    return twin


PURE_PARSER = _twin(
    "pure", http_parser.HttpRequestParserPy, http_parser.HttpResponseParserPy
)
COMPILED_PARSER = _twin(
    "compiled", http_parser.HttpRequestParserC, http_parser.HttpResponseParserC
)


def compiled_parser_or_skip() -> ModuleType:
    """The compiled twin; skip (or fail, where it is required) without it."""
    if COMPILED_PARSER is not None:
        return COMPILED_PARSER
    if os.environ.get("AIOHTTP_NO_EXTENSIONS"):
        pytest.skip("compiled parser disabled by AIOHTTP_NO_EXTENSIONS")
    reason = (
        "aiohttp_core._http_parser is not built; CI sets "
        "AIOHTTP_REQUIRE_EXTENSIONS=1 so that it never skips these"
    )
    if os.environ.get("AIOHTTP_REQUIRE_EXTENSIONS"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(params=["pure", "compiled"])
def parser_mod(request: pytest.FixtureRequest) -> ModuleType:
    """Each parser twin in turn, with ``HttpRequestParser``/``HttpResponseParser``."""
    if request.param == "pure":
        assert PURE_PARSER is not None
        return PURE_PARSER
    return compiled_parser_or_skip()


@pytest.fixture
def parser_twins() -> tuple[ModuleType, ModuleType]:
    """The pure and the compiled twin, for tests that compare the two."""
    assert PURE_PARSER is not None
    return PURE_PARSER, compiled_parser_or_skip()
