"""The aiohttp meta-package re-exports the pieces' objects themselves."""

from __future__ import annotations

import importlib
import subprocess
import sys
from unittest import mock

import pytest

import aiohttp
import aiohttp_core
from aiohttp_core import streams

ALIASES = [
    ("aiohttp.hdrs", "aiohttp_core.hdrs"),
    ("aiohttp.helpers", "aiohttp_core.helpers"),
    ("aiohttp.log", "aiohttp_core.log"),
    ("aiohttp.streams", "aiohttp_core.streams"),
    ("aiohttp.http_exceptions", "aiohttp_core.http_exceptions"),
    ("aiohttp.http_parser", "aiohttp_core.http_parser"),
    ("aiohttp.http_writer", "aiohttp_core.http_writer"),
    ("aiohttp.base_protocol", "aiohttp_core.base_protocol"),
    ("aiohttp.typedefs", "aiohttp_core.typedefs"),
    ("aiohttp.compression_utils", "aiohttp_core.compression"),
    ("aiohttp.payload", "aiohttp_core.payload"),
    ("aiohttp.multipart", "aiohttp_core.multipart"),
    ("aiohttp.formdata", "aiohttp_core.formdata"),
]


@pytest.mark.parametrize(("alias", "target"), ALIASES)
def test_old_module_path_is_the_same_module_object(alias: str, target: str) -> None:
    assert importlib.import_module(alias) is importlib.import_module(target)


@pytest.mark.parametrize(("alias", "target"), ALIASES)
def test_old_module_path_is_an_attribute_of_aiohttp(alias: str, target: str) -> None:
    importlib.import_module(alias)
    assert getattr(aiohttp, alias.rpartition(".")[2]) is importlib.import_module(target)


@pytest.mark.parametrize(("alias", "target"), ALIASES)
def test_old_module_path_imports_first_in_a_fresh_interpreter(
    alias: str, target: str
) -> None:
    code = (
        f"import {alias}, {target}, sys; "
        f"assert {alias} is {target}, 'different'; "
        f"assert sys.modules[{alias!r}] is {target}"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_patching_the_old_path_patches_ours() -> None:
    with mock.patch("aiohttp.streams.EofStream", KeyError):
        assert streams.EofStream is KeyError
    assert streams.EofStream is not KeyError


TOP_LEVEL = {
    "StreamReader": "aiohttp_core.streams",
    "EmptyStreamReader": "aiohttp_core.streams",
    "DataQueue": "aiohttp_core.streams",
    "EofStream": "aiohttp_core.streams",
    "EMPTY_PAYLOAD": "aiohttp_core.streams",
    "BasicAuth": "aiohttp_core.basic_auth",
    "ETag": "aiohttp_core.etag",
    "ContentDisposition": "aiohttp_core.content_disposition",
    "ChainMapProxy": "aiohttp_core.chain_map",
    "HttpVersion": "aiohttp_core.http_messages",
    "HttpVersion10": "aiohttp_core.http_messages",
    "HttpVersion11": "aiohttp_core.http_messages",
    "FormData": "aiohttp_core.formdata",
    "MultipartReader": "aiohttp_core.multipart",
    "MultipartWriter": "aiohttp_core.multipart",
    "BodyPartReader": "aiohttp_core.multipart",
    "Payload": "aiohttp_core.payload",
    "get_payload": "aiohttp_core.payload",
}


@pytest.mark.parametrize(("name", "module"), sorted(TOP_LEVEL.items()))
def test_top_level_names_are_the_pieces_objects(name: str, module: str) -> None:
    assert getattr(aiohttp, name) is getattr(importlib.import_module(module), name)
    assert name in aiohttp.__all__


def test_hdrs_and_version() -> None:
    assert aiohttp.hdrs is aiohttp_core.hdrs
    assert aiohttp.__version__ == aiohttp_core.__version__ == "4.0.0a0"


def test_abc_and_http_gather_names() -> None:
    import aiohttp.abc
    import aiohttp.http
    from aiohttp_core.abc import AbstractStreamWriter
    from aiohttp_core.http_writer import StreamWriter

    assert aiohttp.abc.AbstractStreamWriter is AbstractStreamWriter
    assert aiohttp.http.StreamWriter is StreamWriter
