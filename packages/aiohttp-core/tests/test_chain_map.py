"""Tests of ChainMapProxy."""

from __future__ import annotations

import pytest

from aiohttp_core.chain_map import ChainMapProxy


def test_lookup_order_first_map_wins() -> None:
    cp = ChainMapProxy([{"a": 1}, {"a": 2, "b": 3}])
    assert cp["a"] == 1
    assert cp["b"] == 3


def test_missing_key_raises_key_error() -> None:
    cp = ChainMapProxy([{"a": 1}])
    with pytest.raises(KeyError, match="z"):
        cp["z"]


def test_get_with_default() -> None:
    cp: ChainMapProxy[str, int] = ChainMapProxy([{"a": 1}])
    assert cp.get("a") == 1
    assert cp.get("z") is None
    assert cp.get("z", 5) == 5


def test_len_iter_contains_dedupe_keys() -> None:
    cp = ChainMapProxy([{"a": 1, "b": 2}, {"b": 3, "c": 4}])
    assert len(cp) == 3
    assert list(cp) == ["a", "b", "c"]
    assert "c" in cp
    assert "d" not in cp
    assert dict(cp) == {"a": 1, "b": 2, "c": 4}


def test_bool() -> None:
    assert not ChainMapProxy([])
    assert not ChainMapProxy([{}, {}])
    assert ChainMapProxy([{}, {"a": 1}])


def test_immutable() -> None:
    cp = ChainMapProxy([{"a": 1}])
    with pytest.raises(TypeError):
        cp["a"] = 2  # type: ignore[index]


def test_inheritance_forbidden() -> None:
    with pytest.raises(TypeError, match="forbidden"):

        class Sub(ChainMapProxy[str, int]):
            pass


def test_repr() -> None:
    assert repr(ChainMapProxy([{"a": 1}])) == "ChainMapProxy({'a': 1})"


def test_maps_are_live_views() -> None:
    first: dict[str, int] = {}
    cp = ChainMapProxy([first, {"a": 2}])
    first["a"] = 1
    assert cp["a"] == 1
