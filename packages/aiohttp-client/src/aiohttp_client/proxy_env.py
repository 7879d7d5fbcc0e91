"""``trust_env``: proxies from HTTP(S)_PROXY / NO_PROXY and credentials from .netrc."""

from __future__ import annotations

import netrc
import os
from pathlib import Path
from typing import NamedTuple
from urllib.request import (  # type: ignore[attr-defined]  # not in typeshed
    getproxies_environment,
    proxy_bypass_environment,
)

from yarl import URL

from aiohttp_core.basic_auth import BasicAuth
from aiohttp_core.log import client_logger

__all__ = ("ProxyInfo", "get_env_proxy_for_url", "netrc_auth", "netrc_from_env")


class ProxyInfo(NamedTuple):
    """A proxy URL (credentials removed) and the credentials to give it."""

    proxy: URL
    proxy_auth: BasicAuth | None


def netrc_from_env() -> netrc.netrc | None:
    """The .netrc named by $NETRC, else ~/.netrc; None when absent or unreadable."""
    name = os.environ.get("NETRC")
    if name:
        path = Path(name)
    else:
        try:
            path = Path.home() / ".netrc"
        except RuntimeError:  # no home directory to look in
            return None
    try:
        return netrc.netrc(str(path))
    except netrc.NetrcParseError as exc:
        client_logger.warning("Could not read .netrc file %s: %s", path, exc)
    except OSError as exc:
        if name:  # a file the user named explicitly is worth a word
            client_logger.warning("Could not read .netrc file %s: %s", path, exc)
    return None


def netrc_auth(host: str, rc: netrc.netrc | None = None) -> BasicAuth | None:
    """The .netrc credentials for ``host`` (or its ``default`` entry)."""
    if rc is None:
        rc = netrc_from_env()
        if rc is None:
            return None
    entry = rc.authenticators(host)
    if entry is None:
        return None
    login, account, password = entry
    # Python's netrc gives "" for a missing field; account stands in for
    # an absent login as curl does.
    return BasicAuth(login or account or "", password or "")


def _proxies() -> dict[str, URL]:
    found: dict[str, URL] = {}
    for scheme, value in getproxies_environment().items():
        if scheme not in ("http", "https", "ws", "wss"):
            continue
        url = URL(value if "://" in value else f"http://{value}")
        if url.scheme not in ("http", "https"):
            continue  # e.g. socks5://: not a proxy this client can talk to
        found[scheme] = url
    return found


def get_env_proxy_for_url(url: URL) -> ProxyInfo:
    """The proxy the environment names for ``url``; LookupError if none applies."""
    host = url.raw_host or ""
    if host and proxy_bypass_environment(host):
        raise LookupError(f"Proxying is disabled for {host!r}")
    proxies = _proxies()
    scheme = url.scheme
    proxy = proxies.get(scheme)
    if proxy is None and scheme in ("ws", "wss"):
        proxy = proxies.get("http" if scheme == "ws" else "https")
    if proxy is None:
        raise LookupError(f"No proxy found for {url.scheme!r}")
    auth = BasicAuth.from_url(proxy)
    if proxy.raw_user or proxy.raw_password:
        proxy = proxy.with_user(None)
    elif proxy.raw_host:
        auth = netrc_auth(proxy.raw_host)
    return ProxyInfo(proxy, auth)
