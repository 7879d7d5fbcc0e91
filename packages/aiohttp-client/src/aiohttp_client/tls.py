"""TLS settings of the client: certificate fingerprints and contexts."""

from __future__ import annotations

import hashlib
import ssl
from typing import Any

from .exceptions import ServerFingerprintMismatch

__all__ = ("Fingerprint",)


_WEAK_DIGEST_SIZES = {16: "md5", 20: "sha1"}


class Fingerprint:
    """Pins the server certificate by the SHA-256 digest of its DER form."""

    __slots__ = ("_fingerprint",)

    def __init__(self, fingerprint: bytes) -> None:
        size = len(fingerprint)
        if size in _WEAK_DIGEST_SIZES:
            raise ValueError(
                f"{_WEAK_DIGEST_SIZES[size]} is not a secure fingerprint hash; "
                "use sha256"
            )
        if size != 32:
            raise ValueError("a fingerprint is the 32-byte SHA-256 digest")
        self._fingerprint = fingerprint

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
