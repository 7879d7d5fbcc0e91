"""DigestAuthMiddleware: RFC 7616 / RFC 2617 answers, then real handshakes."""

from __future__ import annotations

import asyncio
import hashlib
import re
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import pytest
from multidict import CIMultiDict
from yarl import URL

from aiohttp_client import ClientResponseError, ClientSession
from aiohttp_client.digest_auth import (
    DRAIN_LIMIT,
    MAX_PROTECTION_SPACES,
    DigestAuthMiddleware,
    DigestChallenge,
    DigestChallengeError,
    choose_challenge,
    digest_authorization,
    parse_auth_params,
    parse_digest_challenges,
)
from aiohttp_web.app import Application
from aiohttp_web.request import Request
from aiohttp_web.response import Response

ServeApp = Callable[..., Awaitable[URL]]
RawServer = Callable[..., Awaitable[URL]]

# --- known answers ------------------------------------------------------------


def fields(authorization: str) -> dict[str, str]:
    """The parameters of an ``Authorization: Digest`` value (test's own parser)."""
    assert authorization.startswith("Digest ")
    found = {}
    for match in re.finditer(
        r'([A-Za-z*-]+)=(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))', authorization[7:]
    ):
        value = match[2] if match[2] is not None else match[3]
        found[match[1]] = re.sub(r"\\(.)", r"\1", value)
    return found


RFC7616_CHALLENGE = (
    'Digest realm="http-auth@example.org", qop="auth, auth-int", '
    'algorithm={alg}, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", '
    'opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"'
)


@pytest.mark.parametrize(
    ("alg", "expected"),
    [
        ("MD5", "8ca523f5e9506fed4657c9700eebdbec"),
        ("SHA-256", "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"),
    ],
)
def test_rfc7616_section_3_9_1(alg: str, expected: str) -> None:
    (challenge,) = parse_digest_challenges([RFC7616_CHALLENGE.format(alg=alg)])
    value = digest_authorization(
        challenge,
        "Mufasa",
        "Circle of Life",
        "GET",
        "/dir/index.html",
        nonce_count=1,
        cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
    )
    assert fields(value) == {
        "username": "Mufasa",
        "realm": "http-auth@example.org",
        "uri": "/dir/index.html",
        "algorithm": alg,
        "nonce": "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
        "nc": "00000001",
        "cnonce": "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
        "qop": "auth",
        "response": expected,
        "opaque": "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS",
    }


def test_rfc7616_section_3_9_2_sha512_256_and_username_star() -> None:
    (challenge,) = parse_digest_challenges(
        [
            'Digest realm="api@example.org", qop="auth", algorithm=SHA-512-256, '
            'nonce="5TsQWLVdgBdmrQ0XsxbDODV+57QdFR34I9HAbC/RVvkK", '
            'opaque="HRPCssKJSGjCrkzDg8OhwpzCiGPChXYjwrI2QmXDnsOS", '
            "charset=UTF-8, userhash=true"
        ]
    )
    value = fields(
        digest_authorization(
            challenge,
            "J\u00e4s\u00f8n Doe",
            "Secret, or not?",
            "GET",
            "/doe.json",
            nonce_count=1,
            cnonce="NTg6RKcb9boFIAS3KrFK9BGeh+iDa/sm6jUMp2wds69v",
        )
    )
    # userhash is not used: the name goes in clear, the response is as 3.4.1
    # computes it.
    assert value["response"] == expected_response(
        "SHA-512-256",
        "J\u00e4s\u00f8n Doe",
        "Secret, or not?",
        "api@example.org",
        "5TsQWLVdgBdmrQ0XsxbDODV+57QdFR34I9HAbC/RVvkK",
        "GET",
        "/doe.json",
        "auth",
        "00000001",
        "NTg6RKcb9boFIAS3KrFK9BGeh+iDa/sm6jUMp2wds69v",
    )
    # RFC 7616 3.4.4 shows this very encoding of the name.
    assert value["username*"] == "UTF-8''J%C3%A4s%C3%B8n%20Doe"
    assert "username" not in value


def test_rfc2617_section_3_5() -> None:
    (challenge,) = parse_digest_challenges(
        [
            'Digest realm="testrealm@host.com", qop="auth,auth-int", '
            'nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", '
            'opaque="5ccc069c403ebaf9f0171e9517f40e41"'
        ]
    )
    assert challenge.algorithm == "MD5"  # the default
    value = digest_authorization(
        challenge,
        "Mufasa",
        "Circle Of Life",
        "GET",
        "/dir/index.html",
        nonce_count=1,
        cnonce="0a4f113b",
    )
    assert fields(value)["response"] == "6629fae49393a05397450978507c4ef1"
    assert value == (
        'Digest username="Mufasa", realm="testrealm@host.com", '
        'nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/dir/index.html", '
        'algorithm=MD5, response="6629fae49393a05397450978507c4ef1", '
        'opaque="5ccc069c403ebaf9f0171e9517f40e41", qop=auth, nc=00000001, '
        'cnonce="0a4f113b"'
    )


def h(name: str, data: str | bytes) -> str:
    raw = data.encode() if isinstance(data, str) else data
    return hashlib.new(name, raw).hexdigest()


HASHLIB_NAMES = {"MD5": "md5", "SHA-256": "sha256", "SHA-512-256": "sha512_256"}


def expected_response(
    alg: str,
    user: str,
    password: str,
    realm: str,
    nonce: str,
    method: str,
    uri: str,
    qop: str | None,
    nc: str,
    cnonce: str,
    body: bytes = b"",
) -> str:
    """The response RFC 7616 3.4.1 defines, computed apart from the module."""
    name = HASHLIB_NAMES[alg.upper().removesuffix("-SESS")]
    ha1 = h(name, f"{user}:{realm}:{password}")
    if alg.upper().endswith("-SESS"):
        ha1 = h(name, f"{ha1}:{nonce}:{cnonce}")
    a2 = f"{method}:{uri}"
    if qop == "auth-int":
        a2 += ":" + h(name, body)
    if qop is None:
        return h(name, f"{ha1}:{nonce}:{h(name, a2)}")
    return h(name, f"{ha1}:{nonce}:{nc}:{cnonce}:{qop}:{h(name, a2)}")


@pytest.mark.parametrize(
    "alg", ["MD5", "MD5-sess", "SHA-256", "SHA-256-sess", "SHA-512-256-SESS"]
)
@pytest.mark.parametrize("qop", ["auth", "auth-int", None])
def test_every_algorithm_and_qop(alg: str, qop: str | None) -> None:
    qop_param = f', qop="{qop}"' if qop else ""
    (challenge,) = parse_digest_challenges(
        [f'Digest realm="r", nonce="n0", algorithm={alg}{qop_param}']
    )
    value = fields(
        digest_authorization(
            challenge,
            "u",
            "p",
            "POST",
            "/x?y=1",
            nonce_count=0x1F,
            cnonce="c0",
            body=b"payload",
        )
    )
    assert value["algorithm"] == alg.upper()
    assert value.get("qop") == qop
    assert value.get("nc") == ("0000001f" if qop else None)
    assert value["response"] == expected_response(
        alg, "u", "p", "r", "n0", "POST", "/x?y=1", qop, "0000001f", "c0", b"payload"
    )


def test_auth_int_only_without_a_body_is_refused() -> None:
    challenge = DigestChallenge("r", "n", qop=("auth-int",))
    with pytest.raises(DigestChallengeError, match="needs a body"):
        digest_authorization(challenge, "u", "p", "GET", "/", nonce_count=1, cnonce="c")


def test_auth_preferred_when_no_body_is_given() -> None:
    challenge = DigestChallenge("r", "n", qop=("auth-int", "auth"))
    value = digest_authorization(
        challenge, "u", "p", "GET", "/", nonce_count=1, cnonce="c"
    )
    assert fields(value)["qop"] == "auth"


def test_unknown_algorithm_is_refused() -> None:
    challenge = DigestChallenge("r", "n", algorithm="SHA-1")
    assert not challenge.supported
    with pytest.raises(
        DigestChallengeError, match="unsupported Digest algorithm: SHA-1"
    ):
        digest_authorization(challenge, "u", "p", "GET", "/", nonce_count=1, cnonce="c")


def test_quoted_values_are_escaped() -> None:
    challenge = DigestChallenge('re"al\\m', "n")
    value = digest_authorization(
        challenge, 'a"b', "p", "GET", "/", nonce_count=1, cnonce="c"
    )
    assert 'username="a\\"b"' in value
    assert 'realm="re\\"al\\\\m"' in value
    assert fields(value)["realm"] == 're"al\\m'


# --- challenge parsing ------------------------------------------------------------


def test_parse_auth_params() -> None:
    assert parse_auth_params(
        'Basic realm="b", DIGEST Realm="a\\"q", nonce=tok, qop="auth,auth-int",'
        " Bearer abc123==, Newauth"
    ) == [
        ("basic", {"realm": "b"}),
        ("digest", {"realm": 'a"q', "nonce": "tok", "qop": "auth,auth-int"}),
        ("bearer", {}),
        ("newauth", {}),
    ]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("", []),
        (" , ,", []),
        ('Digest realm="unterminated', [("digest", {})]),
        ("Digest realm=a b=c", [("digest", {})]),  # parsing stops at the junk
        (
            'Digest realm = "spaced" , nonce=1',
            [("digest", {"realm": "spaced", "nonce": "1"})],
        ),
        ('Digest realm="x", realm="y"', [("digest", {"realm": "x"})]),
        ("\u00e9", []),
    ],
)
def test_parse_auth_params_edge_cases(
    header: str, expected: list[tuple[str, dict[str, str]]]
) -> None:
    assert parse_auth_params(header) == expected


def test_parse_digest_challenges() -> None:
    challenges = parse_digest_challenges(
        [
            'Basic realm="x"',
            'Digest realm="r1", nonce="n1", algorithm=sha-256, stale=TRUE, '
            'domain="/a/ http://h.example/b/", qop="Auth"',
            'Digest realm="no-nonce"',
            'Digest nonce="no-realm"',
            'Digest realm="r2", nonce="n2", stale=false',
        ]
    )
    assert challenges == [
        DigestChallenge(
            "r1",
            "n1",
            algorithm="SHA-256",
            qop=("auth",),
            stale=True,
            domain=("/a/", "http://h.example/b/"),
        ),
        DigestChallenge("r2", "n2"),
    ]


def test_only_ascii_is_case_folded() -> None:
    (challenge,) = parse_digest_challenges(
        [
            'Digest realm="r", nonce="n", algorithm="md5-\u017fe\u017f\u017f", '
            'qop="\u0131nt"'
        ]
    )
    assert challenge.algorithm == "md5-\u017fe\u017f\u017f"
    assert challenge.qop == ("\u0131nt",)
    assert not challenge.supported


def test_choose_challenge_takes_the_strongest() -> None:
    md5 = DigestChallenge("r", "n", algorithm="MD5")
    sha = DigestChallenge("r", "n", algorithm="SHA-256-SESS")
    unknown = DigestChallenge("r", "n", algorithm="SHA3-512")
    assert choose_challenge([md5, unknown, sha]) is sha
    assert choose_challenge([unknown, md5]) is md5


@pytest.mark.parametrize(
    "challenge",
    [
        DigestChallenge("r", "n", algorithm="SHA3-512"),
        DigestChallenge("r", "n", qop=("auth-conf",)),
    ],
)
def test_choose_challenge_refuses_what_it_cannot_answer(
    challenge: DigestChallenge,
) -> None:
    with pytest.raises(DigestChallengeError, match="unsupported Digest challenge"):
        choose_challenge([challenge])


def test_constructor() -> None:
    middleware = DigestAuthMiddleware("u", "p")
    assert middleware.preemptive
    assert not DigestAuthMiddleware("u", "p", preemptive=False).preemptive
    with pytest.raises(TypeError, match="login must be a str"):
        DigestAuthMiddleware(None, "p")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="password must be a str"):
        DigestAuthMiddleware("u", b"p")  # type: ignore[arg-type]


# --- a server that checks digests ------------------------------------------------


@dataclass
class DigestServer:
    """An aiohttp_web app guarding every path with Digest authentication."""

    algorithm: str = "MD5"
    qop: str | None = "auth"
    realm: str = "test@127.0.0.1"
    user: str = "user"
    password: str = "pass"
    domain: str | None = None
    extra_challenges: list[str] = field(default_factory=list)
    nonces: dict[str, int] = field(default_factory=dict)  # nonce -> last nc
    seen: list[str | None] = field(default_factory=list)
    peers: list[object] = field(default_factory=list)
    body_401: str = "authenticate first"

    def expire_nonces(self) -> None:
        """Make every issued nonce stale."""
        self.nonces = dict.fromkeys(self.nonces, -1)

    def challenge(self, *, stale: bool = False) -> str:
        nonce = secrets.token_urlsafe(12)
        self.nonces[nonce] = 0
        parts = [
            f'Digest realm="{self.realm}"',
            f'nonce="{nonce}"',
            f"algorithm={self.algorithm}",
            'opaque="opaque-value"',
        ]
        if self.qop:
            parts.append(f'qop="{self.qop}"')
        if self.domain is not None:
            parts.append(f'domain="{self.domain}"')
        if stale:
            parts.append("stale=true")
        return ", ".join(parts)

    def unauthorized(self, *, stale: bool = False) -> Response:
        headers: CIMultiDict[str] = CIMultiDict()
        for extra in self.extra_challenges:
            headers.add("WWW-Authenticate", extra)
        headers.add("WWW-Authenticate", self.challenge(stale=stale))
        return Response(status=401, text=self.body_401, headers=headers)

    async def handle(self, request: Request) -> Response:
        body = await request.read()
        auth = request.headers.get("Authorization")
        self.seen.append(auth)
        transport = request.transport
        self.peers.append(transport.get_extra_info("peername") if transport else None)
        if auth is None or not auth.startswith("Digest "):
            return self.unauthorized()
        f = fields(auth)
        last = self.nonces.get(f["nonce"])
        if last is None:
            return self.unauthorized()
        if last < 0:
            return self.unauthorized(stale=True)
        qop = f.get("qop")
        nc = f.get("nc", "")
        if qop is not None:
            count = int(nc, 16)
            if count <= last:  # a replayed nonce count
                return self.unauthorized()
            self.nonces[f["nonce"]] = count
        user = f.get("username")
        if user is None:
            star = f["username*"]
            assert star.startswith("UTF-8''")
            from urllib.parse import unquote

            user = unquote(star[7:])
        good = expected_response(
            self.algorithm,
            self.user,
            self.password,
            self.realm,
            f["nonce"],
            request.method,
            request.raw_path,
            qop,
            nc,
            f.get("cnonce", ""),
            body,
        )
        if (
            user != self.user
            or f["uri"] != request.raw_path
            or f["response"] != good
            or f["opaque"] != "opaque-value"
            or f["algorithm"] != self.algorithm.upper()
        ):
            return self.unauthorized()
        return Response(text=f"ok {request.raw_path} {len(body)}")

    def app(self) -> Application:
        app = Application()
        app.router.add_route("*", "/{tail:.*}", self.handle)
        return app


async def serve(serve_app: ServeApp, server: DigestServer) -> URL:
    return await serve_app(server.app())


@pytest.mark.parametrize(
    "alg",
    ["MD5", "MD5-sess", "SHA-256", "SHA-256-sess", "SHA-512-256", "SHA-512-256-sess"],
)
async def test_handshake_with_each_algorithm(serve_app: ServeApp, alg: str) -> None:
    server = DigestServer(algorithm=alg)
    url = await serve(serve_app, server)
    digest = DigestAuthMiddleware("user", "pass")
    async with (
        ClientSession(middlewares=(digest,)) as session,
        session.get(url / "protected") as resp,
    ):
        assert resp.status == 200
        assert await resp.text() == "ok /protected 0"
    assert server.seen[0] is None
    assert fields(server.seen[1] or "")["nc"] == "00000001"
    assert len(server.seen) == 2


async def test_401_body_is_drained_and_the_connection_reused(
    serve_app: ServeApp,
) -> None:
    server = DigestServer()
    url = await serve(serve_app, server)
    async with (
        ClientSession(middlewares=(DigestAuthMiddleware("user", "pass"),)) as s,
        s.get(url) as resp,
    ):
        assert resp.status == 200
    assert len(server.peers) == 2
    assert server.peers[0] == server.peers[1]


async def test_long_401_body_is_released_unread(serve_app: ServeApp) -> None:
    server = DigestServer(body_401="x" * (64 * 1024 + 1))
    url = await serve(serve_app, server)
    async with (
        ClientSession(middlewares=(DigestAuthMiddleware("user", "pass"),)) as s,
        s.get(url) as resp,
    ):
        assert resp.status == 200
    assert len(server.seen) == 2


async def test_query_string_is_part_of_the_uri(serve_app: ServeApp) -> None:
    server = DigestServer(algorithm="SHA-256")
    url = await serve(serve_app, server)
    async with (
        ClientSession(middlewares=(DigestAuthMiddleware("user", "pass"),)) as s,
        s.get(url / "p", params={"q": "a b", "r": "1"}) as resp,
    ):
        assert resp.status == 200
        assert await resp.text() == "ok /p?q=a+b&r=1 0"
    assert fields(server.seen[1] or "")["uri"] == "/p?q=a+b&r=1"


@pytest.mark.parametrize("data", [b"raw bytes body", "text body \u00e9", {"form": "v"}])
async def test_auth_int_covers_the_body(serve_app: ServeApp, data: object) -> None:
    server = DigestServer(qop="auth-int")
    url = await serve(serve_app, server)
    async with (
        ClientSession(middlewares=(DigestAuthMiddleware("user", "pass"),)) as s,
        s.post(url / "upload", data=data) as resp,
    ):
        assert resp.status == 200
    assert fields(server.seen[1] or "")["qop"] == "auth-int"


async def test_auth_int_with_a_stream_cannot_be_retried(serve_app: ServeApp) -> None:
    server = DigestServer(qop="auth-int")
    url = await serve(serve_app, server)

    async def stream() -> AsyncIterator[bytes]:
        yield b"part one "
        yield b"part two"

    async with (
        ClientSession(middlewares=(DigestAuthMiddleware("user", "pass"),)) as s,
        s.post(url, data=stream()) as resp,
    ):
        assert resp.status == 401  # the body is gone: the 401 is the answer
    assert server.seen == [None]


async def test_compressed_body_is_answered_with_qop_auth(
    serve_app: ServeApp,
) -> None:
    server = DigestServer(qop="auth-int,auth")
    url = await serve(serve_app, server)
    body = b"replayable"
    async with (
        ClientSession(middlewares=(DigestAuthMiddleware("user", "pass"),)) as s,
        s.post(url, data=body, compress="deflate") as resp,
    ):
        # A compressed body is not hashed: qop=auth is the answer.
        assert resp.status == 200
    assert fields(server.seen[1] or "")["qop"] == "auth"


async def test_no_qop_rfc2069_challenge(serve_app: ServeApp) -> None:
    server = DigestServer(qop=None)
    url = await serve(serve_app, server)
    async with (
        ClientSession(middlewares=(DigestAuthMiddleware("user", "pass"),)) as s,
        s.get(url / "old") as resp,
    ):
        assert resp.status == 200
    sent = fields(server.seen[1] or "")
    assert "qop" not in sent
    assert "nc" not in sent
    assert "cnonce" not in sent


async def test_preemptive_reuse_counts_the_nonce(serve_app: ServeApp) -> None:
    server = DigestServer()
    url = await serve(serve_app, server)
    async with ClientSession(middlewares=(DigestAuthMiddleware("user", "pass"),)) as s:
        for path in ("/a", "/b/c", "/d?e=f"):
            async with s.get(url.with_path("/").join(URL(path))) as resp:
                assert resp.status == 200
    assert server.seen[0] is None
    assert [fields(v or "")["nc"] for v in server.seen[1:]] == [
        "00000001",
        "00000002",
        "00000003",
    ]
    nonces = {fields(v or "")["nonce"] for v in server.seen[1:]}
    assert len(nonces) == 1


async def test_not_preemptive_waits_for_every_challenge(serve_app: ServeApp) -> None:
    server = DigestServer()
    url = await serve(serve_app, server)
    digest = DigestAuthMiddleware("user", "pass", preemptive=False)
    async with ClientSession(middlewares=(digest,)) as s:
        for _ in range(2):
            async with s.get(url) as resp:
                assert resp.status == 200
    assert [v is None for v in server.seen] == [True, False, True, False]


async def test_preemptive_stays_in_the_domain_of_the_challenge(
    serve_app: ServeApp,
) -> None:
    server = DigestServer(domain="/private/ http://elsewhere.example/")
    url = await serve(serve_app, server)
    async with ClientSession(middlewares=(DigestAuthMiddleware("user", "pass"),)) as s:
        for path in ("/private/a", "/private/b", "/public", "/private"):
            async with s.get(url.with_path(path)) as resp:
                assert resp.status == 200
    assert [v is not None for v in server.seen] == [
        False,  # /private/a: challenged
        True,
        True,  # /private/b: preemptive
        False,  # /public: outside, challenged
        True,
        False,  # /private: not under the "/private/" prefix
        True,
    ]


async def test_preemptive_is_per_origin(serve_app: ServeApp) -> None:
    one, two = DigestServer(), DigestServer()
    url_one = await serve(serve_app, one)
    url_two = await serve(serve_app, two)
    async with ClientSession(middlewares=(DigestAuthMiddleware("user", "pass"),)) as s:
        for url in (url_one, url_two):
            async with s.get(url) as resp:
                assert resp.status == 200
    assert one.seen[0] is None
    assert two.seen[0] is None


async def test_stale_nonce_is_renewed(serve_app: ServeApp) -> None:
    server = DigestServer(algorithm="SHA-256")
    url = await serve(serve_app, server)
    async with ClientSession(middlewares=(DigestAuthMiddleware("user", "pass"),)) as s:
        async with s.get(url) as resp:
            assert resp.status == 200
        server.expire_nonces()
        async with s.get(url) as resp:
            assert resp.status == 200
            assert await resp.text() == "ok / 0"
        async with s.get(url) as resp:  # the new nonce is used preemptively
            assert resp.status == 200
    assert [v is None for v in server.seen] == [True, False, False, False, False]
    first, stale, renewed, again = (fields(v or "") for v in server.seen[1:])
    assert (stale["nonce"], stale["nc"]) == (first["nonce"], "00000002")
    assert renewed["nonce"] != first["nonce"]
    assert renewed["nc"] == "00000001"
    assert again["nonce"] == renewed["nonce"]
    assert again["nc"] == "00000002"


async def test_wrong_password_is_tried_once(serve_app: ServeApp) -> None:
    server = DigestServer()
    url = await serve(serve_app, server)
    async with ClientSession(middlewares=(DigestAuthMiddleware("user", "nope"),)) as s:
        async with s.get(url) as resp:
            assert resp.status == 401
        async with s.get(url) as resp:  # nothing was remembered
            assert resp.status == 401
    assert [v is None for v in server.seen] == [True, False, True, False]


async def test_non_ascii_login(serve_app: ServeApp) -> None:
    server = DigestServer(user="J\u00e4s\u00f8n Doe", password="p\u00e4ss")
    url = await serve(serve_app, server)
    digest = DigestAuthMiddleware("J\u00e4s\u00f8n Doe", "p\u00e4ss")
    async with ClientSession(middlewares=(digest,)) as s, s.get(url) as resp:
        assert resp.status == 200
    assert "username*" in fields(server.seen[1] or "")


async def test_strongest_of_several_challenges(serve_app: ServeApp) -> None:
    server = DigestServer(
        algorithm="SHA-256",
        extra_challenges=[
            'Basic realm="x"',
            'Digest realm="other", nonce="unknown", algorithm=MD5',
            'Digest realm="future", nonce="n", algorithm=SHA3-256',
        ],
    )
    url = await serve(serve_app, server)
    async with (
        ClientSession(middlewares=(DigestAuthMiddleware("user", "pass"),)) as s,
        s.get(url) as resp,
    ):
        assert resp.status == 200
    assert fields(server.seen[1] or "")["algorithm"] == "SHA-256"


async def test_unsupported_algorithm_raises(serve_app: ServeApp) -> None:
    server = DigestServer(algorithm="SHA3-256")
    url = await serve(serve_app, server)
    async with ClientSession(middlewares=(DigestAuthMiddleware("user", "pass"),)) as s:
        with pytest.raises(ClientResponseError) as info:
            await s.get(url / "x")
    assert info.value.status == 401
    assert "SHA3-256" in info.value.message
    assert info.value.request_info.url == url / "x"
    assert server.seen == [None]


async def test_other_schemes_are_left_to_the_caller(serve_app: ServeApp) -> None:
    async def basic_only(request: Request) -> Response:
        return Response(status=401, headers={"WWW-Authenticate": 'Basic realm="b"'})

    app = Application()
    app.router.add_get("/", basic_only)
    url = await serve_app(app)
    async with (
        ClientSession(middlewares=(DigestAuthMiddleware("user", "pass"),)) as s,
        s.get(url) as resp,
    ):
        assert resp.status == 401
        assert resp.headers["WWW-Authenticate"] == 'Basic realm="b"'


async def test_an_authorization_header_of_the_caller_is_kept(
    serve_app: ServeApp,
) -> None:
    server = DigestServer()
    url = await serve(serve_app, server)
    async with (
        ClientSession(middlewares=(DigestAuthMiddleware("user", "pass"),)) as s,
        s.get(url, headers={"Authorization": "Bearer t"}) as resp,
    ):
        assert resp.status == 401
    assert server.seen == ["Bearer t"]


async def test_middleware_with_a_handler_of_its_own(serve_app: ServeApp) -> None:
    """The middleware only needs ``request`` and ``handler``."""
    server = DigestServer()
    url = await serve(serve_app, server)
    calls: list[str | None] = []
    digest = DigestAuthMiddleware("user", "pass")

    async def recording(request, handler):  # type: ignore[no-untyped-def]
        calls.append(request.headers.get("Authorization"))
        return await handler(request)

    async with ClientSession(middlewares=(digest, recording)) as s, s.get(url) as resp:
        assert resp.status == 200
    assert calls == server.seen


async def test_remembered_spaces_are_bounded(serve_app: ServeApp) -> None:
    servers = [DigestServer() for _ in range(MAX_PROTECTION_SPACES + 1)]
    urls = [await serve(serve_app, server) for server in servers]
    digest = DigestAuthMiddleware("user", "pass")
    async with ClientSession(middlewares=(digest,)) as s:
        for url in urls:
            async with s.get(url) as resp:
                assert resp.status == 200
        for url in urls[1:] + urls[:1]:
            async with s.get(url) as resp:
                assert resp.status == 200
    # The 64 most recent origins were answered in advance the second time;
    # the first one was forgotten (and, asked again, pushed out the second).
    assert [len(server.seen) for server in servers] == [4] + [3] * (
        MAX_PROTECTION_SPACES
    )
    assert servers[0].seen[2] is None
    assert all(server.seen[2] is not None for server in servers[1:])


async def test_same_space_is_remembered_once(serve_app: ServeApp) -> None:
    server = DigestServer()
    url = await serve(serve_app, server)
    digest = DigestAuthMiddleware("user", "pass")
    async with ClientSession(middlewares=(digest,)) as s:
        for _ in range(3):
            server.expire_nonces()
            server.nonces.clear()  # unknown nonce: a fresh challenge each time
            async with s.get(url) as resp:
                assert resp.status == 200
    assert len(digest._spaces) == 1


@pytest.mark.parametrize(
    ("length", "connections"), [(DRAIN_LIMIT, 1), (DRAIN_LIMIT + 1, 2)]
)
async def test_401_body_is_read_up_to_the_drain_limit(
    raw_server: RawServer, length: int, connections: int
) -> None:
    """At the limit the 401 body is read and its connection reused; one byte
    over, it is not read at all (here it never completes) and the connection
    is closed."""
    peers: list[object] = []
    answers: list[str] = []

    async def handler(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        peers.append(writer.get_extra_info("peername"))
        while True:
            try:
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
            except (asyncio.IncompleteReadError, ConnectionError):
                return
            auth = re.search(r"(?im)^authorization: (digest .*)\r$", head)
            if auth is None:
                writer.write(
                    b'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm="r",'
                    b' nonce="n", qop="auth"\r\nContent-Length: %d\r\n\r\n' % length
                )
                writer.write(b"x" * (length if length <= DRAIN_LIMIT else length - 1))
            else:
                f = fields("Digest " + auth[1][7:])
                answers.append(f["response"])
                good = expected_response(
                    "MD5", "u", "p", "r", "n", "GET", "/", "auth", f["nc"], f["cnonce"]
                )
                status = b"200 OK" if f["response"] == good else b"403 Forbidden"
                writer.write(b"HTTP/1.1 " + status + b"\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()

    url = await raw_server(handler)
    async with ClientSession(middlewares=(DigestAuthMiddleware("u", "p"),)) as s:
        resp = await asyncio.wait_for(s.get(url), 2)
        assert resp.status == 200
        resp.release()
    assert len(answers) == 1
    assert len(peers) == connections
