"""The resolvers: literals, real lookups of localhost, failures, numbers."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest

from aiohttp_client.abc import AbstractResolver
from aiohttp_client.resolver import (
    AsyncResolver,
    DefaultResolver,
    ThreadedResolver,
    is_numeric_host_spelling,
)

RESOLVERS = [ThreadedResolver, AsyncResolver]

NUMERIC_SPELLINGS = [
    "2130706433",
    "127.1",
    "0x7f000001",
    "0x7f.1",
    "017700000001",
    "127.0.0.01",
    "127.0.1",
    "0X7F.0.0.1",
    "1.2.3.4.5",
    "2130706433.",
    "example.0x1",
    "example.123",
]
NAMES = [
    "127.0.0.1",
    "::1",
    "localhost",
    "example.com",
    "1example.com",
    "0xg.example",
    "123.example",
    "x.0xg",
    "fe80::1%lo",
]


@pytest.mark.parametrize("host", NUMERIC_SPELLINGS)
def test_numeric_spellings_are_recognised(host: str) -> None:
    assert is_numeric_host_spelling(host)


@pytest.mark.parametrize("host", NAMES)
def test_names_and_literals_are_not_numeric_spellings(host: str) -> None:
    assert not is_numeric_host_spelling(host)


@pytest.mark.parametrize("resolver_cls", RESOLVERS)
async def test_ipv4_literal_needs_no_lookup(
    resolver_cls: type[AbstractResolver],
) -> None:
    resolver = resolver_cls()
    try:
        (result,) = await resolver.resolve("127.0.0.1", 8080, socket.AF_UNSPEC)
    finally:
        await resolver.close()
    assert result["hostname"] == "127.0.0.1"
    assert result["host"] == "127.0.0.1"
    assert result["port"] == 8080
    assert result["family"] == socket.AF_INET
    assert result["flags"] & socket.AI_NUMERICHOST


@pytest.mark.parametrize("resolver_cls", RESOLVERS)
async def test_ipv6_literal_needs_no_lookup(
    resolver_cls: type[AbstractResolver],
) -> None:
    resolver = resolver_cls()
    try:
        (result,) = await resolver.resolve("::1", 80, socket.AF_UNSPEC)
    finally:
        await resolver.close()
    assert result["host"] == "::1"
    assert result["family"] == socket.AF_INET6


@pytest.mark.parametrize("resolver_cls", RESOLVERS)
async def test_literal_of_the_wrong_family_is_refused(
    resolver_cls: type[AbstractResolver],
) -> None:
    resolver = resolver_cls()
    try:
        with pytest.raises(socket.gaierror, match="family"):
            await resolver.resolve("127.0.0.1", 80, socket.AF_INET6)
    finally:
        await resolver.close()


@pytest.mark.parametrize("resolver_cls", RESOLVERS)
async def test_localhost_resolves_to_loopback(
    resolver_cls: type[AbstractResolver],
) -> None:
    resolver = resolver_cls()
    try:
        results = await resolver.resolve("localhost", 443, socket.AF_INET)
    finally:
        await resolver.close()
    assert results
    assert {r["host"] for r in results} == {"127.0.0.1"}
    assert all(r["hostname"] == "localhost" for r in results)
    assert all(r["port"] == 443 for r in results)
    assert all(r["family"] == socket.AF_INET for r in results)


@pytest.mark.parametrize("resolver_cls", RESOLVERS)
async def test_unknown_name_raises_os_error(
    resolver_cls: type[AbstractResolver],
) -> None:
    resolver = resolver_cls()
    try:
        with pytest.raises(OSError, match=r"(?i)not|found") as info:
            await resolver.resolve("no-such-host.invalid", 80, socket.AF_INET)
    finally:
        await resolver.close()
    # Not an errno-mapped subclass such as InterruptedError.
    assert isinstance(info.value, socket.gaierror)


@pytest.mark.parametrize("resolver_cls", RESOLVERS)
@pytest.mark.parametrize("host", NUMERIC_SPELLINGS[:5])
async def test_numeric_spellings_are_never_resolved(
    resolver_cls: type[AbstractResolver], host: str
) -> None:
    resolver = resolver_cls()
    try:
        with pytest.raises(socket.gaierror, match="is a number"):
            await resolver.resolve(host, 80, socket.AF_INET)
    finally:
        await resolver.close()


def test_default_resolver_is_async_with_aiodns() -> None:
    assert DefaultResolver is AsyncResolver


def test_without_aiodns() -> None:
    # A fresh interpreter where importing aiodns fails.
    code = (
        "import sys; sys.modules['aiodns'] = None\n"
        "import asyncio\n"
        "from aiohttp_client import resolver\n"
        "assert resolver.DefaultResolver is resolver.ThreadedResolver\n"
        "async def main():\n"
        "    try:\n"
        "        resolver.AsyncResolver()\n"
        "    except RuntimeError as exc:\n"
        "        assert 'pip install aiodns' in str(exc), exc\n"
        "    else:\n"
        "        raise AssertionError('no error')\n"
        "asyncio.run(main())\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=30)


@pytest.mark.parametrize("resolver_cls", RESOLVERS)
async def test_scoped_ipv6_literal_keeps_its_zone(
    resolver_cls: type[AbstractResolver],
) -> None:
    resolver = resolver_cls()
    try:
        (result,) = await resolver.resolve("fe80::1%lo", 80, socket.AF_UNSPEC)
    finally:
        await resolver.close()
    assert result["host"] == "fe80::1%lo"
    assert result["family"] == socket.AF_INET6
