"""Differential tests: the compiled and the pure-Python HTTP parsers agree.

Random requests and responses are drawn well formed except, usually, for one
part (bad methods, targets and versions; field names and values with CR, LF,
NUL, DEL, obs-text or a space before the colon; repeated or conflicting
Content-Length and Transfer-Encoding; chunked bodies with odd sizes,
extensions, bad hex, missing CRLFs and trailers), then maybe get a random
byte changed, inserted or deleted, maybe get truncated, and are parsed with
default or small limits.  Each is fed to both twins whole, byte by byte and
cut at random points; every call must give the same events (compared
exactly, chunk boundaries included) or raise the same exception type with
the same message, code, arguments and events completed before the error, and
so must ``feed_eof`` and the calls after it.  A few valid messages also go
through every single-byte edit.

The examples are derandomized: every run tries the same ones.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from multidict import CIMultiDictProxy
from yarl import URL

from aiohttp_core.http_messages import ChunkEnd

Twins = tuple[ModuleType, ModuleType]

TWINS = settings(
    derandomize=True,  # the same examples on every run
    database=None,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        # parser_twins is the same pair of namespaces for every example.
        HealthCheck.function_scoped_fixture,
    ],
)

# -- what a run of a parser gives, in comparable form ----------------------------


def _value(value: Any) -> Any:
    if isinstance(value, CIMultiDictProxy):
        return ("headers", [(type(k), k, v) for k, v in value.items()])
    if isinstance(value, URL):
        return ("url", str(value), value)
    return (type(value), value)


def _event(event: Any) -> Any:
    if isinstance(event, ChunkEnd):
        return ("CHUNK_END", type(event))
    return (type(event), tuple(_value(v) for v in event))


def _error(exc: BaseException) -> Any:
    cause = exc.__cause__
    return (
        type(exc),
        str(exc),
        getattr(exc, "code", None),
        exc.args,
        type(cause),
        str(cause) if cause is not None else None,
        # What the failing feed completed before the error.
        [_event(e) for e in getattr(exc, "events", ())],
    )


def _call(method: Callable[..., Sequence[Any]], *args: Any) -> Any:
    try:
        events = method(*args)
    except Exception as exc:
        return ("raised", _error(exc))
    return ("events", [_event(e) for e in events])


def run(parser: Any, parts: Sequence[bytes], eof: bool) -> list[Any]:
    """Everything the parser says about ``parts``, then EOF, then more data."""
    trace = [_call(parser.feed_data, part) for part in parts]
    if eof:
        trace.append(_call(parser.feed_eof))
    trace.append(_call(parser.feed_data, b"GET / HTTP/1.1\r\n\r\n"))
    trace.append(_call(parser.feed_eof))
    trace.append(_call(parser.feed_eof))
    return trace


def both(
    twins: Twins,
    make: Callable[[ModuleType], Any],
    parts: Sequence[bytes],
    eof: bool,
) -> None:
    """Feed the same parts to both twins: everything they say must match."""
    pure, compiled = twins
    expected = run(make(pure), parts, eof)
    assert run(make(compiled), parts, eof) == expected


def every_way(
    twins: Twins,
    make: Callable[[ModuleType], Any],
    data: bytes,
    cuts: Sequence[int],
    eof: bool,
) -> None:
    """Compare the twins on ``data`` whole, byte by byte and cut at ``cuts``."""
    points = [0, *sorted(cuts), len(data)]
    for parts in (
        [data],
        [data[i : i + 1] for i in range(len(data))],
        [data[a:b] for a, b in itertools.pairwise(points)],
    ):
        both(twins, make, parts, eof)


# -- message parts ---------------------------------------------------------------
#
# A message is drawn well formed except, usually, for one part: the one named
# by ``broken``, which is drawn from that part's bad values instead.  So most
# examples get deep into the parser and fail (or not) at a chosen place.

TCHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
# Bytes that sit on the edges of the grammar's classes.
ODD = b"\x00\x01\x08\t\n\x0b\r\x1f \"#%'(),/:;=?@[\\]{}~\x7f\x80\xc3\xa9\xff"
ODD_BYTES = st.lists(st.sampled_from([*ODD, 0x61, 0x7A]), max_size=6).map(bytes)
TOKEN = st.text(TCHARS, min_size=1, max_size=8).map(str.encode)


class Parts:
    """Draws the parts of one message, breaking the one named ``broken``."""

    def __init__(self, draw: st.DrawFn, names: Sequence[str]) -> None:
        self.draw = draw
        self.broken = draw(st.sampled_from([""] * len(names) + list(names)))

    def __call__(
        self, name: str, good: st.SearchStrategy[bytes], bad: st.SearchStrategy[bytes]
    ) -> bytes:
        return self.draw(bad if name == self.broken else good)


def _spellings(*names: str) -> list[bytes]:
    out = []
    for name in names:
        out += [name.encode(), name.lower().encode(), name.upper().encode()]
        out.append(name.swapcase().encode())
    return out


EOL = (st.just(b"\r\n"), st.sampled_from([b"\n", b"\r", b"\r\r\n", b"\n\r\n", b""]))
LEAD = (
    st.sampled_from([b""] * 6 + [b"\r\n", b"\r\n\r\n"]),
    st.sampled_from([b"\n", b"\r", b"\r\r\n", b" ", b"\x00"]),
)
ORIGIN_FORMS = [
    b"/",
    b"/a/b?c=d&e=%20f#g",
    b"/?",
    b"/#",
    b"/a?b#c?d",
    b"/\xc3\xa9?q=\xff#\xe2\x82\xac",
    b"//host/path",
    b"/a:b",
]
# A method with a target of a form it allows.
METHOD_TARGET = st.one_of(
    st.tuples(
        st.sampled_from([b"GET", b"POST", b"PUT", b"HEAD", b"M-SEARCH!", b"get"]),
        st.sampled_from(
            [*ORIGIN_FORMS, b"http://example.com:8080/a?b#c", b"HTTP://H/"]
        ),
    ),
    st.tuples(st.just(b"OPTIONS"), st.sampled_from([b"*", b"/"])),
    st.tuples(
        st.just(b"CONNECT"), st.sampled_from([b"example.com:443", b"[::1]:8443"])
    ),
)
BAD_METHOD = ODD_BYTES | st.sampled_from([b"", b"G\xc3\x89T", b"GE\rT"])
BAD_TARGET = ODD_BYTES | st.sampled_from(
    [b"u@h:1", b"h:99999", b"http://[::1/", b"index.html", b"*", b"h:1", b"/"]
)
SP = (st.just(b" "), st.sampled_from([b"", b"  ", b"\t", b"\r", b"\n"]))
VERSION = (
    st.sampled_from([b"HTTP/1.1", b"HTTP/1.1", b"HTTP/1.0"]),
    ODD_BYTES
    | st.sampled_from(
        [b"HTTP/2.0", b"HTTP/0.9", b"http/1.1", b"HTTP/1.10", b"HTTP/1", b"HTTPS/1.1"]
    ),
)
STATUS = (
    st.sampled_from([b"200", b"200", b"204", b"304", b"101", b"100", b"404", b"599"]),
    ODD_BYTES | st.sampled_from([b"20", b"2000", b"099", b"+20", b"2a0", b""]),
)
REASON = (
    st.sampled_from([b" OK", b" Not Found", b"", b" ", b" \xc3\xa9t\xe9", b" a\tb"]),
    ODD_BYTES.map(lambda b: b" " + b) | st.sampled_from([b"OK", b" a\rb"]),
)

FIELD_VALUES: dict[bytes, list[bytes]] = {
    b"content-length": [b"0", b"3", b"5", b"000", b"9223372036854775807"],
    b"transfer-encoding": [
        b"chunked",
        b"CHUNKED",
        b"gzip, chunked",
        b"chunked, gzip",
        b"chunked, chunked",
        b"gzip",
        b", chunked",
        b'gzip;q="a \\" b" , chunked',
        b"chunked ; a=b",
        b"",
        b" , ",
    ],
    b"connection": [
        b"close",
        b"keep-alive",
        b"Upgrade",
        b"keep-alive, Upgrade",
        b"keep-alive,\tclose",
        b"x,\t upgrade \t,y",
        b"CLOSE ,x",
        b"clo\xc5\xbfe",
        b"",
    ],
    b"content-encoding": [b"gzip", b"X-GZIP", b"br", b"zstd", b"deflate", b"gzip, br"],
    b"upgrade": [b"websocket", b"h2c"],
}
BAD_FIELD_VALUES: dict[bytes, list[bytes]] = {
    b"content-length": [
        b"+5",
        b"",
        b"5, 5",
        b"1e3",
        b"9223372036854775808",
        b"99999999999999999999",
        b"\xd9\xa5",
    ],
    b"transfer-encoding": [
        b"chun ked",
        b"chunked\x0b",
        b"gzip;q",
        b'x;q="open',
        b"chun\xe2\x84\xaaed",
        b"a;b=",
        b"a;b=, chunked",
        b"a;=c",
    ],
}
OTHER_VALUE = st.text(TCHARS + " \t\x80\xff", max_size=24).map(
    lambda t: t.encode("latin-1").strip(b" \t")
)
# Names the framing and singleton rules look at, in several spellings.
SPECIAL_NAMES = _spellings(
    "Host",
    "Content-Length",
    "Transfer-Encoding",
    "Connection",
    "Content-Encoding",
    "Upgrade",
    "User-Agent",
    "ETag",
    "Trailer",
    "Set-Cookie",
)


def _field(name: bytes) -> st.SearchStrategy[tuple[bytes, bytes, bytes]]:
    """A (name, good value, bad value) strategy for one field name."""
    known = FIELD_VALUES.get(name.lower())
    return st.tuples(
        st.just(name),
        st.sampled_from(known) if known else OTHER_VALUE,
        st.sampled_from(BAD_FIELD_VALUES.get(name.lower(), [b"\x00"]))
        | ODD_BYTES.map(lambda b: b"v" + b),
    )


PLAIN_FIELD = st.one_of(
    *[_field(name) for name in _spellings("X-Custom", "Accept", "Cookie")],
    st.tuples(TOKEN, OTHER_VALUE, ODD_BYTES.map(lambda b: b"v" + b)),
)
# Mostly fields no rule cares about, now and then one that matters.
FIELD = st.one_of(
    PLAIN_FIELD, PLAIN_FIELD, PLAIN_FIELD, *[_field(n) for n in SPECIAL_NAMES]
)
BAD_NAME = ODD_BYTES | st.sampled_from([b"X ", b" X", b"X\t", b"", b"F\xc3\xb6o"])
SEPARATOR = (
    st.sampled_from([b": ", b":", b":  \t"]),
    st.sampled_from([b" : ", b" :", b"\t:", b""]),
)
PADDING = st.sampled_from([b"", b"", b" ", b"\t "])


def field_block(
    part: Parts, prefix: str, max_fields: int, framing: Sequence[bytes] = ()
) -> bytes:
    """Field lines with their line ends; one of them may be broken.

    The ``framing`` fields are among them, in random places.
    """
    draw = part.draw
    count = draw(st.integers(len(framing), max_fields + len(framing)))
    bad_at = draw(st.integers(0, max(count - 1, 0)))
    at = sorted(draw(st.permutations(range(count)))[: len(framing)])
    out = []
    for i in range(count):
        name, value, bad_value = draw(FIELD)
        if i in at:
            name, _, value = framing[at.index(i)].partition(b": ")
        if i == bad_at:
            name = part(prefix + "name", st.just(name), BAD_NAME)
            value = part(prefix + "value", st.just(value), st.just(bad_value))
            sep = part(prefix + "sep", *SEPARATOR)
            eol = part(prefix + "eol", *EOL)
            fold = part(prefix + "fold", st.just(b""), st.just(b" folded\r\n"))
        else:
            sep, eol, fold = b": ", b"\r\n", b""
        out.append(name + sep + value + draw(PADDING) + eol + fold)
    return b"".join(out)


def chunked_body(part: Parts) -> bytes:
    """Chunks, a last chunk and trailers; one part of them may be broken."""
    draw = part.draw
    out = []
    for _ in range(draw(st.integers(0, 3))):
        size = draw(st.integers(1, 20))
        digits = (draw(st.sampled_from(["%x", "%X", "%04x"])) % size).encode()
        out.append(
            part(
                "chunk-size",
                st.just(digits),
                st.sampled_from(
                    [b"g", b"-1", b"", b" 5", b"0x5", b"8000000000000000", b"\xd9\xa5"]
                )
                | st.just(b"%017x" % size),
            )
        )
        out.append(part("chunk-ext", *CHUNK_EXT) + part("chunk-eol", *EOL))
        delta = part("chunk-data", st.just(0), st.sampled_from([-1, 1, 5]))
        out.append(b"d" * (size + delta))
        out.append(
            part("chunk-crlf", st.just(b"\r\n"), st.sampled_from([b"\n", b"", b"XY"]))
        )
    out.append(draw(st.sampled_from([b"0", b"000"])) + part("last-ext", *CHUNK_EXT))
    out.append(part("last-eol", *EOL))
    out.append(field_block(part, "trailer-", 3))
    out.append(part("trailers-end", *EOL))
    return b"".join(out)


CHUNK_EXT = (
    st.sampled_from([b"", b"", b";a", b";a=b", b' ; a = "x \\" y"', b";a;b=c"]),
    st.sampled_from([b";", b";a=", b";a b", b';a="x', b"\x00", b" ", b"; \xe9"]),
)
MESSAGE_PARTS = [
    "framing",
    "framing",
    "framing",
    "framing",
    "lead",
    "method",
    "sp1",
    "target",
    "sp2",
    "version",
    "start-eol",
    "name",
    "value",
    "sep",
    "eol",
    "fold",
    "head-end",
    "chunk-size",
    "chunk-ext",
    "chunk-eol",
    "chunk-data",
    "chunk-crlf",
    "last-ext",
    "last-eol",
    "trailer-name",
    "trailer-value",
    "trailer-sep",
    "trailer-eol",
    "trailer-fold",
    "trailers-end",
]


# The framing fields of a message: mostly good, or one of the bad kinds.
FRAMING = (
    st.sampled_from(
        [
            (),
            (),
            (b"Content-Length: 5",),
            (b"Content-Length: 5",),
            (b"Transfer-Encoding: chunked",),
            (b"Transfer-Encoding: chunked",),
            (b"Transfer-Encoding: chunked",),
            (b"Transfer-Encoding: gzip, chunked",),
            (b"Connection: Upgrade", b"Upgrade: x"),
            (b"Connection: close", b"Content-Length: 0"),
        ]
    ),
    st.sampled_from(
        [
            (b"Content-Length: 3", b"Transfer-Encoding: chunked"),
            (b"Transfer-Encoding: chunked", b"Content-Length: 0"),
            (b"Content-Length: 5", b"Content-Length: 5"),
            (b"Content-Length: 5", b"Content-Length: 05"),
            (b"Transfer-Encoding: chunked", b"Transfer-Encoding: chunked"),
        ]
    )
    | st.sampled_from(BAD_FIELD_VALUES[b"content-length"]).map(
        lambda v: (b"Content-Length: " + v,)
    )
    | st.sampled_from(BAD_FIELD_VALUES[b"transfer-encoding"]).map(
        lambda v: (b"Transfer-Encoding: " + v,)
    )
    | st.sampled_from(FIELD_VALUES[b"transfer-encoding"]).map(
        lambda v: (b"Transfer-Encoding: " + v,)
    ),
)


def body(part: Parts, framing: Sequence[bytes]) -> bytes:
    """What follows a head: mostly what its framing fields announce."""
    kind = part.draw(st.integers(0, 9))
    if kind == 0 or (kind > 2 and any(b"chunked" in f for f in framing)):
        return chunked_body(part)
    if kind == 1 or (kind > 2 and any(b"Length: 5" in f for f in framing)):
        return b"b" * part.draw(st.sampled_from([5, 5, 4, 6, 0]))
    return b""


@st.composite
def request(draw: st.DrawFn) -> bytes:
    """One request (head and body), mostly but not always well formed."""
    part = Parts(draw, MESSAGE_PARTS)
    method, target = draw(METHOD_TARGET)
    line = (
        part("method", st.just(method), BAD_METHOD)
        + part("sp1", *SP)
        + part("target", st.just(target), BAD_TARGET)
        + part("sp2", *SP)
        + part("version", *VERSION)
        + part("start-eol", *EOL)
    )
    framing = draw(FRAMING[1] if part.broken == "framing" else FRAMING[0])
    head = part("lead", *LEAD) + line + field_block(part, "", 5, framing)
    return head + part("head-end", *EOL) + body(part, framing)


@st.composite
def response(draw: st.DrawFn) -> bytes:
    """One response (head and body), mostly but not always well formed."""
    part = Parts(draw, MESSAGE_PARTS)
    line = (
        part("version", *VERSION)
        + part("sp1", *SP)
        + part("target", *STATUS)
        + part("method", *REASON)
        + part("start-eol", *EOL)
    )
    framing = draw(FRAMING[1] if part.broken == "framing" else FRAMING[0])
    head = part("lead", *LEAD) + line + field_block(part, "", 5, framing)
    return head + part("head-end", *EOL) + body(part, framing)


LIMITS = st.fixed_dictionaries(
    {
        "max_line_size": st.sampled_from([8190, 8190, 8190, 24, 40, 0, 1]),
        "max_field_size": st.sampled_from([8190, 8190, 8190, 12, 30, 0, 1]),
        "max_headers": st.sampled_from([128, 128, 128, 0, 1, 2, 3]),
    }
)


# Bytes a single-byte mutation puts in, where a grammar rule changes.
MUTANT_BYTES = [*ODD, *b"09afAF;=,~-"]


def mutated(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` with a byte replaced, inserted or deleted somewhere."""
    at = draw(st.integers(0, len(data)))
    byte = bytes([draw(st.sampled_from(MUTANT_BYTES))])
    how = draw(st.integers(0, 2))
    if how == 0:
        return data[:at] + byte + data[at + 1 :]
    if how == 1:
        return data[:at] + byte + data[at:]
    return data[:at] + data[at + 1 :]


@st.composite
def stream(
    draw: st.DrawFn, message: st.SearchStrategy[bytes]
) -> tuple[bytes, list[int], bool]:
    """Pipelined messages, maybe mutated or truncated, and where to cut them."""
    data = b"".join(draw(st.lists(message, min_size=1, max_size=3)))
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2]))):
        data = mutated(draw, data)
    if draw(st.integers(0, 4)) == 0:
        data = data[: draw(st.integers(0, len(data)))]
    cuts = draw(st.lists(st.integers(0, len(data)), max_size=8))
    return data, cuts, draw(st.booleans())


# -- the differential tests --------------------------------------------------------


@settings(TWINS, max_examples=600)
@given(message=stream(request()), limits=LIMITS)
def test_requests(
    parser_twins: Twins,
    message: tuple[bytes, list[int], bool],
    limits: dict[str, int],
) -> None:
    data, cuts, eof = message
    make = lambda twin: twin.HttpRequestParser(**limits)  # noqa: E731
    every_way(parser_twins, make, data, cuts, eof)


@settings(TWINS, max_examples=600)
@given(
    message=stream(response()),
    limits=LIMITS,
    method=st.sampled_from(["GET", "GET", "HEAD", "CONNECT", "POST"]),
    until_eof=st.booleans(),
)
def test_responses(
    parser_twins: Twins,
    message: tuple[bytes, list[int], bool],
    limits: dict[str, int],
    method: str,
    until_eof: bool,
) -> None:
    data, cuts, eof = message

    def make(twin: ModuleType) -> Any:
        parser = twin.HttpResponseParser(read_until_eof=until_eof, **limits)
        parser.request_method = method
        return parser

    every_way(parser_twins, make, data, cuts, eof)


@settings(TWINS, max_examples=300)
@given(
    data=st.binary(max_size=40),
    cut=st.integers(0, 40),
    response_side=st.booleans(),
)
def test_random_bytes(
    parser_twins: Twins, data: bytes, cut: int, response_side: bool
) -> None:
    parts = [data[:cut], data[cut:]]
    if response_side:
        both(parser_twins, lambda twin: twin.HttpResponseParser(), parts, True)
    else:
        both(parser_twins, lambda twin: twin.HttpRequestParser(), parts, True)


# -- every single-byte change of a few valid messages ------------------------------

CORPUS: list[tuple[bool, bytes]] = [
    (
        False,
        b"GET /a/b?c=d#e HTTP/1.1\r\nHost: example.com\r\n"
        b"User-Agent: Mozilla/5.0 (X11; Linux x86_64)\r\n"
        b"Connection: keep-alive,\tclose\r\n"
        b"Content-Length: 9223372036854775807\r\n\r\n",
    ),
    (
        False,
        b"POST /up HTTP/1.1\r\nTransfer-Encoding: chunked\r\nX-A:\tv w\t\r\n\r\n"
        b'5;a=b;c="d\\"e"\r\nhello\r\n0\r\nT: 1\r\n\r\n',
    ),
    (
        False,
        b"OPTIONS * HTTP/1.1\r\nContent-Encoding: gzip\r\n"
        b'Transfer-Encoding: gzip;q="1";r=2, chunked\r\n\r\n',
    ),
    (False, b"CONNECT h:1 HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: x\r\n\r\nab"),
    (
        False,
        b"PUT / HTTP/1.1\r\nContent-Length: 0\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"0\r\n\r\n",
    ),
    (
        True,
        b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n"
        b"\r\n3\r\nabc\r\n0\r\n\r\n",
    ),
    (True, b"HTTP/1.0 204 No Content\r\nConnection: Keep-Alive\r\nETag: 00\r\n\r\n"),
    (True, b"HTTP/1.1 101 Switching\r\nUpgrade: ws\r\n\r\nxx"),
]
# Fewer bytes than MUTANT_BYTES: each one stands for a class of the grammar.
EDIT_BYTES = [bytes([b]) for b in b'\x00\t\n\r\x1f \x7f\x80\xff:;=,"\\~9aF']


@pytest.mark.parametrize(("response_side", "data"), CORPUS)
def test_every_single_byte_edit(
    parser_twins: Twins, response_side: bool, data: bytes
) -> None:
    def make(twin: ModuleType) -> Any:
        if response_side:
            return twin.HttpResponseParser(max_line_size=60, max_headers=3)
        return twin.HttpRequestParser(max_field_size=60, max_headers=5)

    for at in range(len(data) + 1):
        edits = [data[:at] + data[at + 1 :]]
        for byte in EDIT_BYTES:
            edits.append(data[:at] + byte + data[at + 1 :])
            edits.append(data[:at] + byte + data[at:])
        for edited in edits:
            both(parser_twins, make, [edited], True)
            both(parser_twins, make, [edited[: at + 1], edited[at + 1 :]], False)


# -- fixed cases that random input rarely reaches -----------------------------------

EDGE_REQUESTS = [
    b"GET / HTTP/1.1\r\nX: " + b" " * 50 + b"\x00\r\n\r\n",
    b"GET / HTTP/1.1\r\n" + b"X: 1\r\n" * 200 + b"\r\n",
    b"GET / HTTP/1.1\r\n" + b"X" * 9000 + b": 1\r\n\r\n",
    b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\n\r\n",
    b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
    + b"1;"
    + b"e" * 9000
    + b"\r\nz\r\n0\r\n\r\n",
    b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n7fffffffffffffff\r\nabc",
    b"POST / HTTP/1.1\r\nContent-Length: 9223372036854775807\r\n\r\nabc",
    b"GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\nhost: b\r\nContent-Length: 1\r\n"
    b"Content-Length: 1\r\n\r\n",
    b"GET / HTTP/1.1\r\nContent-Length: 1\r\ncontent-LENGTH: 1\r\nHost: a\r\n"
    b"HOST: b\r\n\r\n",
    b"GET /ws HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: x\r\n\r\n\x00\x01",
    b"CONNECT h:1 HTTP/1.1\r\n\r\n\x16\x03\x01",
    b"OPTIONS * HTTP/1.1\r\n\r\n",
    b"GET http://u:p@h:1/p HTTP/1.1\r\n\r\n",
    b"GET http://h:99999/ HTTP/1.1\r\n\r\n",
    b"\r\n" * 20 + b"GET / HTTP/1.1\r\n\r\n",
    b"GET / HTTP/1.1\r\nAccess-Control-Allow-Credentials: true\r\n"
    b"access-control-allow-credentials: true\r\n"
    b"X-A-Very-Long-Name-That-Is-Not-In-Any-Table-At-All: 1\r\n\r\n",
    b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
    b"0\r\nX: 1\r\nContent-Length: 5\r\n\r\n",
]


@pytest.mark.parametrize("data", EDGE_REQUESTS)
def test_edge_requests_every_split(parser_twins: Twins, data: bytes) -> None:
    limits = {"max_line_size": 8190, "max_field_size": 8190, "max_headers": 128}
    make = lambda twin: twin.HttpRequestParser(**limits)  # noqa: E731
    both(parser_twins, make, [data], True)
    both(parser_twins, make, [data[i : i + 1] for i in range(len(data))], True)
    step = max(1, len(data) // 60)
    for i in range(0, len(data), step):
        both(parser_twins, make, [data[:i], data[i:]], False)


def test_memoryview_and_bytearray_input(parser_twins: Twins) -> None:
    data = b"POST / HTTP/1.1\r\nContent-Length: 4\r\n\r\nabcdGET / HTTP/1.1\r\n\r\n"
    for kind in (bytearray, memoryview):
        make = lambda twin: twin.HttpRequestParser()  # noqa: E731
        both(parser_twins, make, [kind(data)], True)
        both(parser_twins, make, [kind(data[:30]), data[30:]], True)


@pytest.mark.parametrize(
    "limits",
    [
        {"max_line_size": -1},
        {"max_field_size": -1},
        {"max_headers": -1},
        {"max_headers": 2**63},
        {"max_line_size": 1.5},
    ],
)
def test_bad_limits_refused_alike(parser_twins: Twins, limits: dict[str, Any]) -> None:
    outcomes = []
    for twin in parser_twins:
        for cls in (twin.HttpRequestParser, twin.HttpResponseParser):
            with pytest.raises((TypeError, ValueError)) as info:
                cls(**limits)
            outcomes.append((type(info.value), str(info.value)))
    assert len(set(outcomes)) == 1
