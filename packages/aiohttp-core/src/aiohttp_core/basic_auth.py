"""HTTP Basic credentials (RFC 7617): build and read the Authorization value."""

from __future__ import annotations

import base64
import binascii
import re
from typing import Final, NamedTuple

from yarl import URL

from .mimetype import TOKEN

__all__ = ("BasicAuth",)

# RFC 9110 11.4 and 11.6.2:
#   credentials = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
#   auth-scheme = token
#   token68     = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
# RFC 7617 2: Basic carries one token68, the base64 of user-id ":" password.
_CREDENTIALS_RE: Final = re.compile(
    rf"(?P<scheme>{TOKEN}) +(?P<token68>[A-Za-z0-9\-._~+/]+=*)", re.ASCII
)
_OWS: Final = " \t"


class _Credentials(NamedTuple):
    login: str
    password: str
    encoding: str


class BasicAuth(_Credentials):
    """HTTP Basic authentication credentials: login, password and their encoding."""

    __slots__ = ()

    def __new__(
        cls, login: str, password: str = "", encoding: str = "latin1"
    ) -> BasicAuth:
        """Check and store the credentials; a login may not contain ':'."""
        if login is None:
            raise ValueError("None is not allowed as login value")
        if password is None:
            raise ValueError("None is not allowed as password value")
        if ":" in login:
            # RFC 7617 2: the first ':' separates user-id from password.
            raise ValueError('A ":" is not allowed in login (RFC 7617 section 2)')
        return super().__new__(cls, login, password, encoding)

    def __repr__(self) -> str:
        # Credentials end up in logs and tracebacks through repr().
        return (
            f"BasicAuth(login={self.login!r}, password='<hidden>', "
            f"encoding={self.encoding!r})"
        )

    @classmethod
    def decode(cls, auth_header: str, encoding: str = "latin1") -> BasicAuth:
        """Read an ``Authorization: Basic ...`` value; ValueError if it is not one."""
        match = _CREDENTIALS_RE.fullmatch(auth_header.strip(_OWS))
        if match is None:
            raise ValueError("Could not parse authorization header.")
        # The scheme matched an ASCII-only token, so lower() cannot case-fold
        # a non-ASCII letter into "basic".
        if match["scheme"].lower() != "basic":
            raise ValueError(f"Unknown authorization method {match['scheme']}")
        try:
            raw = base64.b64decode(match["token68"], validate=True)
        except binascii.Error as exc:
            raise ValueError("Invalid base64 encoding.") from exc
        try:
            decoded = raw.decode(encoding)
        except UnicodeDecodeError as exc:
            raise ValueError(f"Credentials are not valid {encoding}.") from exc
        login, sep, password = decoded.partition(":")
        if not sep:
            raise ValueError("Invalid credentials.")
        return cls(login, password, encoding=encoding)

    @classmethod
    def from_url(cls, url: URL, *, encoding: str = "latin1") -> BasicAuth | None:
        """Take the credentials of *url*, or None when it carries neither part."""
        if not isinstance(url, URL):
            raise TypeError("url should be yarl.URL instance")
        # yarl hands out user and password with percent-escapes decoded.
        if url.user is None and url.password is None:
            return None
        return cls(url.user or "", url.password or "", encoding=encoding)

    def encode(self) -> str:
        """Return the ``Authorization`` header value: ``Basic <base64>``."""
        creds = f"{self.login}:{self.password}".encode(self.encoding)
        return "Basic " + base64.b64encode(creds).decode("ascii")
