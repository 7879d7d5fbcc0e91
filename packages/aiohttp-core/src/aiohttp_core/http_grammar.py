"""The HTTP/1.1 message grammar (RFC 9110, RFC 9112) as compiled byte regexes.

Each rule is written once, under the ABNF it encodes.  Every pattern works on
``bytes`` and is compiled with ``re.ASCII``, and character classes are spelled
out byte by byte: ``\\d``, ``\\w`` or case folding never widen a rule to
non-ASCII look-alikes (Arabic-Indic digits, the Kelvin sign, the long s).

The patterns are written so that a run of whitespace can be matched in only
one way (``OWS value OWS`` becomes ``OWS [ value OWS ]``): two optional runs
side by side would let the regex engine backtrack quadratically, or worse,
on hostile input that almost matches.

Core rules used below (RFC 5234 appendix B.1)::

    ALPHA  = %x41-5A / %x61-7A
    DIGIT  = %x30-39
    HEXDIG = DIGIT / "A" / "B" / "C" / "D" / "E" / "F"   ; either case
    VCHAR  = %x21-7E
    SP     = %x20
    HTAB   = %x09
"""

from __future__ import annotations

import re
from typing import Final

_FLAGS: Final = re.ASCII

# RFC 9110 5.6.3:
#   OWS = *( SP / HTAB )
#   BWS = OWS
OWS: Final = rb"[ \t]*"

# RFC 9110 5.6.2:
#   token = 1*tchar
#   tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
#           "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
TCHAR: Final = rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]"
TOKEN: Final = TCHAR + rb"+"
TOKEN_RE: Final = re.compile(TOKEN, _FLAGS)
# Leading tchars of a buffer, to spot a bad method before its line is complete.
TCHARS_RE: Final = re.compile(TCHAR + rb"*", _FLAGS)

# RFC 9110 5.5:
#   field-value   = *field-content
#   field-content = field-vchar [ 1*( SP / HTAB / field-vchar ) field-vchar ]
#   field-vchar   = VCHAR / obs-text
#   obs-text      = %x80-FF
FIELD_VCHAR: Final = rb"[\x21-\x7e\x80-\xff]"
# A non-empty field-value: it starts and ends with a field-vchar, so the OWS
# runs around it never compete for the same bytes.
FIELD_VCHARS: Final = (
    FIELD_VCHAR + rb"(?:[\t\x20-\x7e\x80-\xff]*" + FIELD_VCHAR + rb")?"
)
# What follows the colon of a field line: OWS [ field-value OWS ].
FIELD_VALUE_OWS_RE: Final = re.compile(
    OWS + rb"(?:" + FIELD_VCHARS + OWS + rb")?", _FLAGS
)

# RFC 9112 5:
#   field-line = field-name ":" OWS field-value OWS
# RFC 9110 5.1:
#   field-name = token
# One line with its CRLF; groups are the name and the value without its OWS
# (an empty value gives an empty group).
FIELD_LINE: Final = (
    rb"(" + TOKEN + rb"):" + OWS + rb"(?:(" + FIELD_VCHARS + rb")" + OWS + rb")?\r\n"
)
FIELD_LINE_RE: Final = re.compile(FIELD_LINE, _FLAGS)
# RFC 9112 2.1: *( field-line CRLF ), validated in one call.
FIELD_LINES_RE: Final = re.compile(rb"(?:" + FIELD_LINE + rb")*", _FLAGS)

# RFC 9112 2.3:
#   HTTP-version = HTTP-name "/" DIGIT "." DIGIT
#   HTTP-name    = %s"HTTP"                        ; case-sensitive
HTTP_VERSION: Final = rb"HTTP/([0-9])\.([0-9])"
HTTP_VERSION_RE: Final = re.compile(HTTP_VERSION, _FLAGS)
HTTP_NAME_SLASH: Final = b"HTTP/"

# RFC 9112 3.2 (request-target), narrowed to the bytes a target may hold:
# every form below is made of visible ASCII; obs-text is let through so that
# raw UTF-8 paths, which real clients send, survive (decoded with
# surrogateescape).  SP, CTLs and DEL never appear in a target.
REQUEST_TARGET: Final = rb"[\x21-\x7e\x80-\xff]+"
REQUEST_TARGET_RE: Final = re.compile(REQUEST_TARGET, _FLAGS)

# RFC 9112 3:
#   request-line = method SP request-target SP HTTP-version
# RFC 9110 9.1:
#   method = token
REQUEST_LINE_RE: Final = re.compile(
    rb"(" + TOKEN + rb") (" + REQUEST_TARGET + rb") " + HTTP_VERSION, _FLAGS
)

# RFC 9112 3.2.1-3.2.4:
#   origin-form    = absolute-path [ "?" query ]
#   absolute-form  = absolute-URI
#   authority-form = uri-host ":" port
#   asterisk-form  = "*"
# RFC 3986 3.1 / 3.2.2 / 3.2.3:
#   scheme   = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
#   uri-host = IP-literal / IPv4address / reg-name
#   reg-name = *( unreserved / pct-encoded / sub-delims )
#   port     = *DIGIT
# The port is required here: RFC 9110 9.3.6 makes the client send it.
ABSOLUTE_FORM_RE: Final = re.compile(rb"[A-Za-z][A-Za-z0-9+\-.]*:", _FLAGS)
AUTHORITY_FORM_RE: Final = re.compile(
    rb"(?:\[[0-9A-Za-z:.%\-_~]+\]|[A-Za-z0-9\-._~%!$&'()*+,;=]+):[0-9]+", _FLAGS
)
ASTERISK_FORM: Final = "*"

# RFC 9112 4:
#   status-line   = HTTP-version SP status-code SP [ reason-phrase ]
#   status-code   = 3DIGIT
#   reason-phrase = 1*( HTAB / SP / VCHAR / obs-text )
# The SP before an empty reason is optional here: many servers omit it.
# A first digit of 0 names no status class (RFC 9110 15), so it is refused.
STATUS_CODE: Final = rb"([1-9][0-9][0-9])"
REASON_PHRASE: Final = rb"[\t\x20-\x7e\x80-\xff]*"
STATUS_LINE_RE: Final = re.compile(
    HTTP_VERSION + rb" " + STATUS_CODE + rb"(?: (" + REASON_PHRASE + rb"))?", _FLAGS
)
STATUS_CODE_RE: Final = re.compile(STATUS_CODE, _FLAGS)

# RFC 9110 8.6:
#   Content-Length = 1*DIGIT
CONTENT_LENGTH_RE: Final = re.compile(rb"[0-9]+", _FLAGS)

# RFC 9110 5.6.4:
#   quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE
#   qdtext        = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
#   quoted-pair   = "\" ( HTAB / SP / VCHAR / obs-text )
QUOTED_STRING: Final = (
    rb'"(?:[\t \x21\x23-\x5b\x5d-\x7e\x80-\xff]|\\[\t\x20-\x7e\x80-\xff])*"'
)

# RFC 9112 7:
#   chunk          = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
#   chunk-size     = 1*HEXDIG
#   last-chunk     = 1*("0") [ chunk-ext ] CRLF
# RFC 9112 7.1.1:
#   chunk-ext      = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
#   chunk-ext-name = token
#   chunk-ext-val  = token / quoted-string
CHUNK_EXT: Final = (
    rb"(?:"
    + OWS
    + rb";"
    + OWS
    + TOKEN
    + rb"(?:"
    + OWS
    + rb"="
    + OWS
    + rb"(?:"
    + TOKEN
    + rb"|"
    + QUOTED_STRING
    + rb"))?)*"
)
CHUNK_LINE_RE: Final = re.compile(rb"([0-9A-Fa-f]+)" + CHUNK_EXT, _FLAGS)
# Sizes are kept below 2**63 so that a C twin can hold them in an int64.
MAX_CHUNK_SIZE_DIGITS: Final = 16
MAX_BODY_SIZE: Final = 2**63 - 1

# RFC 9112 6.1 / RFC 9110 10.1.4:
#   Transfer-Encoding  = #transfer-coding
#   transfer-coding    = token *( OWS ";" OWS transfer-parameter )
#   transfer-parameter = token BWS "=" BWS ( token / quoted-string )
# RFC 9110 5.6.1.2: #element = [ element ] *( OWS "," OWS [ element ] )
TRANSFER_CODING: Final = (
    rb"("
    + TOKEN
    + rb")(?:"
    + OWS
    + rb";"
    + OWS
    + TOKEN
    + OWS
    + rb"="
    + OWS
    + rb"(?:"
    + TOKEN
    + rb"|"
    + QUOTED_STRING
    + rb"))*"
)
# One list element with the OWS around it: OWS [ transfer-coding OWS ].
_TRANSFER_CODING_ITEM: Final = OWS + rb"(?:" + TRANSFER_CODING + OWS + rb")?"
TRANSFER_ENCODING_RE: Final = re.compile(
    _TRANSFER_CODING_ITEM + rb"(?:," + _TRANSFER_CODING_ITEM + rb")*", _FLAGS
)
# On a value that TRANSFER_ENCODING_RE accepted, walks the list elements in
# order; group 1 is the coding name (empty for an empty element).
TRANSFER_CODING_ITEM_RE: Final = re.compile(
    _TRANSFER_CODING_ITEM + rb"(?:,|\Z)", _FLAGS
)

# RFC 9112 2.2: a recipient may ignore empty lines before a start line.
LEADING_CRLF_RE: Final = re.compile(rb"(?:\r\n)*", _FLAGS)

# RFC 9110 5.3: fields defined as a single value, which a request may not
# repeat (a repeat cannot be told from a smuggling attempt).  Lowercase.
REQUEST_SINGLETON_FIELDS: Final = frozenset(
    b"""
    host content-length transfer-encoding content-type content-location
    content-range etag from if-modified-since if-range if-unmodified-since
    location max-forwards authorization proxy-authorization referer user-agent
    """.split()
)

# RFC 9110 6.5.1: fields a sender must not put in trailers because a
# recipient acts on them before the content: framing, routing, connection
# control, payload processing and authentication.  Lowercase.
FORBIDDEN_TRAILER_FIELDS: Final = frozenset(
    b"""
    content-length transfer-encoding host trailer te connection keep-alive
    proxy-connection upgrade content-encoding content-type content-range
    expect range max-forwards authorization proxy-authorization
    www-authenticate proxy-authenticate cookie set-cookie
    """.split()
)
