"""``ChainMapProxy``: a read-only view over several mappings, first one wins."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TypeVar

_K = TypeVar("_K")
_V = TypeVar("_V")


class ChainMapProxy(Mapping[_K, _V]):
    """An immutable ``collections.ChainMap``: lookups try each map in order."""

    __slots__ = ("_maps",)

    def __init__(self, maps: Iterable[Mapping[_K, _V]]) -> None:
        self._maps = tuple(maps)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        raise TypeError(
            f"Inheritance class {cls.__name__} from ChainMapProxy is forbidden"
        )

    def __getitem__(self, key: _K) -> _V:
        for mapping in self._maps:
            try:
                return mapping[key]
            except KeyError:
                pass
        raise KeyError(key)

    def get(self, key: _K, default: Any = None) -> Any:
        """The value for ``key`` from the first map that has it, else ``default``."""
        try:
            return self[key]
        except KeyError:
            return default

    def __len__(self) -> int:
        return len(self._keys())

    def __iter__(self) -> Iterator[_K]:
        return iter(self._keys())

    def __contains__(self, key: object) -> bool:
        return any(key in mapping for mapping in self._maps)

    def __bool__(self) -> bool:
        return any(self._maps)

    def __repr__(self) -> str:
        content = ", ".join(map(repr, self._maps))
        return f"ChainMapProxy({content})"

    def _keys(self) -> dict[_K, None]:
        # A dict keeps first-seen order and drops keys repeated in later maps.
        keys: dict[_K, None] = {}
        for mapping in self._maps:
            keys.update(dict.fromkeys(mapping))
        return keys
