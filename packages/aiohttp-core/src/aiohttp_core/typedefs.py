"""Type aliases shared by the aiohttp pieces."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeAlias

from multidict import CIMultiDict, CIMultiDictProxy, MultiDict, MultiDictProxy, istr
from yarl import URL

DEFAULT_JSON_ENCODER = json.dumps
DEFAULT_JSON_DECODER = json.loads

JSONEncoder: TypeAlias = Callable[[Any], str]
JSONBytesEncoder: TypeAlias = Callable[[Any], bytes]
JSONDecoder: TypeAlias = Callable[[str], Any]

#: Header fields exactly as they were on the wire, in order.
RawHeaders: TypeAlias = tuple[tuple[bytes, bytes], ...]

LooseHeaders: TypeAlias = (
    Mapping[str, str]
    | Mapping[istr, str]
    | CIMultiDict[str]
    | CIMultiDictProxy[str]
    | Iterable[tuple[str | istr, str]]
)
StrOrURL: TypeAlias = str | URL
Query: TypeAlias = (
    str
    | Mapping[str, str | int | float]
    | Iterable[tuple[str, str | int | float]]
    | MultiDict[str]
    | MultiDictProxy[str]
    | None
)
PathLike: TypeAlias = str | os.PathLike[str]
