"""TLS settings of the client: certificate fingerprints and contexts."""

from __future__ import annotations

import functools
import hashlib
import ssl
from typing import Any

from .exceptions import ServerFingerprintMismatch

__all__ = (
    "Fingerprint",
    "SSLSetting",
    "default_ssl_context",
    "fingerprint_of",
    "insecure_ssl_context",
    "ssl_context_for",
)


_WEAK_DIGEST_SIZES = {16: "md5", 20: "sha1"}


class Fingerprint:
    """Pins the server certificate by the SHA-256 digest of its DER form."""

    __slots__ = ("_fingerprint",)

    def __init__(self, digest: bytes) -> None:
        size = len(digest)
        if size in _WEAK_DIGEST_SIZES:
            raise ValueError(
                f"{_WEAK_DIGEST_SIZES[size]} is not a secure fingerprint hash; "
                "use sha256"
            )
        if size != 32:
            raise ValueError("a fingerprint is the 32-byte SHA-256 digest")
        self._fingerprint = digest

    @property
    def fingerprint(self) -> bytes:
        """The expected digest."""
        return self._fingerprint

    def check(self, transport: Any) -> None:
        """Raise ``ServerFingerprintMismatch`` unless the peer's certificate matches."""
        if not transport.get_extra_info("sslcontext"):
            return
        sslobj: ssl.SSLObject = transport.get_extra_info("ssl_object")
        cert = sslobj.getpeercert(binary_form=True)
        got = hashlib.sha256(cert or b"").digest()
        if got != self._fingerprint:
            host, port, *_ = transport.get_extra_info("peername")
            raise ServerFingerprintMismatch(self._fingerprint, got, host, port)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Fingerprint):
            return NotImplemented
        return other._fingerprint == self._fingerprint

    def __hash__(self) -> int:
        return hash(self._fingerprint)

    def __repr__(self) -> str:
        return f"<Fingerprint {self._fingerprint.hex()}>"


#: What the ``ssl`` parameters of the client accept.
SSLSetting = ssl.SSLContext | Fingerprint | bool


@functools.cache
def default_ssl_context() -> ssl.SSLContext:
    """The verifying context of ``ssl=True``, built once (loading CAs is slow)."""
    context = ssl.create_default_context()
    context.set_alpn_protocols(["http/1.1"])
    return context


@functools.cache
def insecure_ssl_context() -> ssl.SSLContext:
    """The context of ``ssl=False`` and of fingerprint pinning: no CA check."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.options |= ssl.OP_NO_COMPRESSION
    context.set_alpn_protocols(["http/1.1"])
    return context


def ssl_context_for(request_ssl: SSLSetting, default: SSLSetting) -> ssl.SSLContext:
    """The context for a TLS connection; the request's setting wins unless True.

    A ``Fingerprint`` pins the certificate instead of checking it against
    the CAs, so it gets the context that does not verify.
    """
    chosen = default if request_ssl is True else request_ssl
    if isinstance(chosen, ssl.SSLContext):
        return chosen
    if chosen is True:
        return default_ssl_context()
    return insecure_ssl_context()


def fingerprint_of(request_ssl: SSLSetting, default: SSLSetting) -> Fingerprint | None:
    """The fingerprint to check after the handshake, if one is pinned."""
    chosen = default if request_ssl is True else request_ssl
    return chosen if isinstance(chosen, Fingerprint) else None
