"""Resources: the entries of the routing table, each matching a set of paths.

Paths are compared in the form yarl calls ``path_safe``: percent-escapes are
decoded except ``%2F`` and ``%25``, so that an encoded slash never splits a
segment and an encoded percent never starts a new escape.  A path given when
registering a resource is brought to the same form (``/café``, ``/caf%C3%A9``
and ``/caf%c3%a9`` are the same resource), and ``url_for`` percent-encodes
back.  Values of path variables are handed to handlers fully decoded: for
``/files/{name}``, ``/files/a%2Fb`` gives ``name == "a/b"``.
"""

from __future__ import annotations

import abc
import keyword
import re
from collections.abc import Callable, Iterator, Sized
from collections.abc import Iterable as IterableABC
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import quote

from yarl import URL

from aiohttp_core import hdrs

from .abc import AbstractView, Handler
from .domain_rules import AbstractRuleMatching, Domain, MaskDomain
from .exceptions import HTTPMethodNotAllowed
from .routes import AbstractRoute, ExpectHandler, ResourceRoute, UrlMappingMatchInfo

if TYPE_CHECKING:
    from .app import Application
    from .request import Request

__all__ = (
    "AbstractResource",
    "AbstractRuleMatching",
    "Domain",
    "DynamicResource",
    "MaskDomain",
    "MatchedSubAppResource",
    "PlainResource",
    "PrefixResource",
    "PrefixedSubAppResource",
    "Resource",
)

# RFC 3986 3.3: pchar = unreserved / pct-encoded / sub-delims / ":" / "@".
# quote() never encodes ALPHA, DIGIT and "_.-~" (the unreserved set).
_PCHAR_SAFE: Final = "!$&'()*+,;=:@"

# A "%" that does not start an escape is a literal percent sign.
_LONE_PERCENT_RE: Final = re.compile(r"%(?![0-9A-Fa-f]{2})", re.ASCII)
# The two escapes path_safe keeps; undone in the values of path variables.
_KEPT_ESCAPE_RE: Final = re.compile(r"%2[Ff5]", re.ASCII)
_KEPT_ESCAPES: Final = {"%2F": "/", "%2f": "/", "%25": "%"}

# Resource names: identifiers joined by ".", ":" or "-" (``user-info``).
_NAME_SEPARATOR_RE: Final = re.compile(r"[.:-]")
# The name of a path variable, ``{name}`` or ``{name:regex}``.
_VARIABLE_NAME_RE: Final = re.compile(r"[_a-zA-Z][_a-zA-Z0-9]*", re.ASCII)
#: What ``{name}`` matches: one path segment.
DEFAULT_VARIABLE_PATTERN: Final = r"[^{}/]+"


def _check_name(name: str | None) -> str | None:
    if name is None:
        return None
    if not isinstance(name, str) or not name:
        raise ValueError(f"Incorrect route name {name!r}: must be a non-empty str")
    for part in _NAME_SEPARATOR_RE.split(name):
        if not part.isidentifier() or keyword.iskeyword(part):
            raise ValueError(
                f"Incorrect route name {name!r}: route name should be a sequence "
                "of python identifiers separated by dash, dot or colon"
            )
    return name


def to_match_form(path: str) -> str:
    """Bring a path as written by a user to the form requests are matched in."""
    requoted = _LONE_PERCENT_RE.sub("%25", path)
    return URL.build(path=requoted, encoded=True).path_safe


def _to_raw_form(path: str) -> str:
    # In match form every "%" starts one of the kept escapes: keep them as is.
    return quote(path, safe="/%" + _PCHAR_SAFE)


def _quote_value(value: object) -> str:
    return quote(str(value), safe=_PCHAR_SAFE)


def _unquote_value(value: str) -> str:
    if "%" not in value:
        return value
    return _KEPT_ESCAPE_RE.sub(lambda m: _KEPT_ESCAPES[m.group()], value)


def _check_path(path: str) -> None:
    if not isinstance(path, str):
        raise TypeError(f"A path must be a str, got {path!r}")
    if path and not path.startswith("/"):
        raise ValueError(f"A path must start with '/' or be empty, got {path!r}")


def _index_key_of(static_prefix: str) -> str:
    """The longest "directory" of a match-form path prefix, the router's key."""
    return static_prefix[: static_prefix.rfind("/")] or "/"


class AbstractResource(Sized, IterableABC[AbstractRoute]):
    """The base of resources: a set of paths, and the routes serving them."""

    def __init__(self, *, name: str | None = None) -> None:
        self._name = _check_name(name)
        self._frozen = False
        # Set by the router holding the resource: called when the paths the
        # resource matches change (a prefix is added), to update its index.
        self._on_paths_changed: Callable[[], None] | None = None

    @property
    def name(self) -> str | None:
        """The name of the resource, or None."""
        return self._name

    @property
    @abc.abstractmethod
    def canonical(self) -> str:
        """The path the resource was made for, e.g. ``/path/{to}``."""

    @abc.abstractmethod
    def url_for(self, *args: str, **kwargs: Any) -> URL:
        """Build the URL of the resource."""

    @abc.abstractmethod
    async def resolve(
        self, request: Request
    ) -> tuple[UrlMappingMatchInfo | None, set[str]]:
        """Return ``(match_info, allowed_methods)``; match_info None if no route."""

    @abc.abstractmethod
    def add_prefix(self, prefix: str) -> None:
        """Put ``prefix`` in front of the paths matched (mounting a sub-app)."""

    @abc.abstractmethod
    def get_info(self) -> dict[str, Any]:
        """A description of the resource, e.g. ``{'path': '/path/to'}``."""

    def freeze(self) -> None:
        """Forbid adding routes."""
        self._frozen = True

    def _index_key(self) -> str:
        """The static path prefix the router files the resource under."""
        # Unknown resources can match anything: "/" is tried for every path.
        return "/"

    def _paths_changed(self) -> None:
        if self._on_paths_changed is not None:
            self._on_paths_changed()


class Resource(AbstractResource):
    """A resource with its own routes, one per HTTP method (or ``*``)."""

    def __init__(self, *, name: str | None = None) -> None:
        super().__init__(name=name)
        self._routes: list[ResourceRoute] = []
        self._by_method: dict[str, ResourceRoute] = {}
        self._any_route: ResourceRoute | None = None

    def add_route(
        self,
        method: str,
        handler: Handler | type[AbstractView],
        *,
        expect_handler: ExpectHandler | None = None,
    ) -> ResourceRoute:
        """Add a route serving ``method`` (``*`` for any) with ``handler``."""
        route = ResourceRoute(method, handler, self, expect_handler=expect_handler)
        self.register_route(route)
        return route

    def register_route(self, route: ResourceRoute) -> None:
        """Add a route built elsewhere; its method must be new to the resource."""
        if self._frozen:
            raise RuntimeError("Cannot register a route: the router is frozen")
        if not isinstance(route, ResourceRoute):
            raise TypeError(f"Instance of ResourceRoute expected, got {route!r}")
        if route.resource is not self:
            raise ValueError(f"{route!r} belongs to another resource")
        method = route.method
        known = (
            self._any_route if method == hdrs.METH_ANY else self._by_method.get(method)
        )
        if known is not None:
            raise RuntimeError(
                f"Added route will never be executed, method {method} is "
                f"already registered on {self!r}"
            )
        if method == hdrs.METH_ANY:
            self._any_route = route
        else:
            self._by_method[method] = route
        self._routes.append(route)

    @abc.abstractmethod
    def _path_key(self) -> str:
        """What tells two resources of the same class apart: their paths."""

    @abc.abstractmethod
    def _match(self, path: str) -> dict[str, str] | None:
        """The path variables if ``path`` (match form) is one of ours, else None."""

    async def resolve(
        self, request: Request
    ) -> tuple[UrlMappingMatchInfo | None, set[str]]:
        """Return ``(match_info, allowed_methods)``; match_info None if no route."""
        return self._resolve_now(request.rel_url.path_safe, request.method)

    def _resolve_now(
        self, path: str, method: str
    ) -> tuple[UrlMappingMatchInfo | None, set[str]]:
        """``resolve`` without a coroutine, for the router's own lookups."""
        match_dict = self._match(path)
        if match_dict is None:
            return None, set()
        route = self._by_method.get(method, self._any_route)
        if route is None:
            return None, set(self._by_method)
        return UrlMappingMatchInfo(match_dict, route), set()

    def __len__(self) -> int:
        return len(self._routes)

    def __iter__(self) -> Iterator[AbstractRoute]:
        return iter(self._routes)


class PlainResource(Resource):
    """A resource for one constant path, like ``/path/to``."""

    def __init__(self, path: str, *, name: str | None = None) -> None:
        _check_path(path)
        super().__init__(name=name)
        self._path = to_match_form(path)

    @property
    def canonical(self) -> str:
        """The path of the resource."""
        return self._path

    def add_prefix(self, prefix: str) -> None:
        """Put ``prefix`` in front of the path."""
        _check_prefix(prefix)
        self._path = to_match_form(prefix) + self._path
        self._paths_changed()

    def _path_key(self) -> str:
        return self._path

    def _match(self, path: str) -> dict[str, str] | None:
        # A string comparison, far cheaper than a regular expression.
        return {} if path == self._path else None

    def _index_key(self) -> str:
        return self._path

    def get_info(self) -> dict[str, Any]:
        """``{'path': path}``."""
        return {"path": self._path}

    def url_for(self) -> URL:  # type: ignore[override]
        """The URL of the resource."""
        return URL.build(path=_to_raw_form(self._path), encoded=True)

    def __repr__(self) -> str:
        name = f"'{self.name}' " if self.name is not None else ""
        return f"<PlainResource {name}{self._path}>"


# A piece of a dynamic path: static text (match form), or (variable, regex).
_Piece = str | tuple[str, str]


def _split_dynamic(path: str) -> list[_Piece]:
    """Split ``/a/{x}/{y:\\d+}`` into static text and ``(name, regex)``."""
    pieces: list[_Piece] = []
    names: set[str] = set()
    start = 0
    i = 0
    while i < len(path):
        char = path[i]
        if char == "}":
            raise ValueError(f"Unbalanced '}}' in the path {path!r}")
        if char != "{":
            i += 1
            continue
        end = _closing_brace(path, i)
        if start < i:
            pieces.append(to_match_form(path[start:i]))
        name, colon, pattern = path[i + 1 : end].partition(":")
        if _VARIABLE_NAME_RE.fullmatch(name) is None:
            raise ValueError(f"Invalid variable name {name!r} in the path {path!r}")
        if name in names:
            raise ValueError(f"Duplicate variable {name!r} in the path {path!r}")
        if not colon:
            pattern = DEFAULT_VARIABLE_PATTERN
        elif not pattern:
            raise ValueError(f"Empty pattern for {name!r} in the path {path!r}")
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(
                f"Bad pattern for {name!r} in the path {path!r}: {exc}"
            ) from None
        names.add(name)
        pieces.append((name, pattern))
        i = start = end + 1
    if start < len(path):
        pieces.append(to_match_form(path[start:]))
    return pieces


def _closing_brace(path: str, opening: int) -> int:
    """The index of the ``}`` that closes the ``{`` at ``opening``."""
    depth = 0
    i = opening
    while i < len(path):
        char = path[i]
        if char == "\\":
            i += 2  # an escaped brace in a regex does not count
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise ValueError(f"Unbalanced '{{' in the path {path!r}")


class DynamicResource(Resource):
    """A resource whose path has variable parts: ``/users/{id:\\d+}``."""

    def __init__(self, path: str, *, name: str | None = None) -> None:
        _check_path(path)
        super().__init__(name=name)
        self._pieces = _split_dynamic(path)
        self._compile()

    def _compile(self) -> None:
        regex = "".join(
            re.escape(piece)
            if isinstance(piece, str)
            else f"(?P<{piece[0]}>{piece[1]})"
            for piece in self._pieces
        )
        # Compiled once per path (and per added prefix), never per request.
        self._pattern = re.compile(regex)
        self._formatter = "".join(
            piece if isinstance(piece, str) else f"{{{piece[0]}}}"
            for piece in self._pieces
        )

    @property
    def canonical(self) -> str:
        """The path with each variable as ``{name}``: ``/get/{num}``."""
        return self._formatter

    def add_prefix(self, prefix: str) -> None:
        """Put ``prefix`` in front of the path."""
        _check_prefix(prefix)
        prefix = to_match_form(prefix)
        first = self._pieces[0]
        if isinstance(first, str):
            self._pieces[0] = prefix + first
        else:
            self._pieces.insert(0, prefix)
        self._compile()
        self._paths_changed()

    def _path_key(self) -> str:
        return self._pattern.pattern

    def _match(self, path: str) -> dict[str, str] | None:
        match = self._pattern.fullmatch(path)
        if match is None:
            return None
        return {key: _unquote_value(value) for key, value in match.groupdict().items()}

    def _index_key(self) -> str:
        first = self._pieces[0]
        return _index_key_of(first) if isinstance(first, str) else "/"

    def get_info(self) -> dict[str, Any]:
        """``{'formatter': '/path/{to}', 'pattern': re.compile(...)}``."""
        return {"formatter": self._formatter, "pattern": self._pattern}

    def url_for(self, **parts: Any) -> URL:  # type: ignore[override]
        """The URL with each variable replaced by its (percent-encoded) value."""
        out: list[str] = []
        for piece in self._pieces:
            if isinstance(piece, str):
                out.append(_to_raw_form(piece))
                continue
            name = piece[0]
            if name not in parts:
                raise KeyError(f"url_for() of {self!r} misses the part {name!r}")
            out.append(_quote_value(parts[name]))
        return URL.build(path="".join(out), encoded=True)

    def __repr__(self) -> str:
        name = f"'{self.name}' " if self.name is not None else ""
        return f"<DynamicResource {name}{self._formatter}>"


def _check_prefix(prefix: str) -> None:
    if not isinstance(prefix, str):
        raise TypeError(f"A prefix must be a str, got {prefix!r}")
    if not prefix.startswith("/") or prefix.endswith("/"):
        raise ValueError(
            f"A prefix must start with '/' and not end with it, got {prefix!r}"
        )


class PrefixResource(AbstractResource):
    """A resource for every path under a prefix (static files, sub-apps)."""

    def __init__(self, prefix: str, *, name: str | None = None) -> None:
        if not isinstance(prefix, str):
            raise TypeError(f"A prefix must be a str, got {prefix!r}")
        if prefix and not prefix.startswith("/"):
            raise ValueError(f"A prefix must start with '/', got {prefix!r}")
        super().__init__(name=name)
        #: The prefix in match form, without trailing "/" ("" for the root).
        self._prefix = to_match_form(prefix.rstrip("/"))

    @property
    def canonical(self) -> str:
        """The prefix."""
        return self._prefix

    def add_prefix(self, prefix: str) -> None:
        """Put ``prefix`` in front of the prefix."""
        _check_prefix(prefix)
        self._prefix = to_match_form(prefix) + self._prefix
        self._paths_changed()

    def _index_key(self) -> str:
        return self._prefix or "/"

    def _path_below(self, path: str) -> str | None:
        """The rest of ``path`` ("" or "/...") if it is under the prefix, else None."""
        prefix = self._prefix
        if not path.startswith(prefix):
            return None
        rest = path[len(prefix) :]
        if rest and rest[0] != "/":
            return None  # "/admin" does not cover "/administrator"
        return rest


class PrefixedSubAppResource(PrefixResource):
    """The resource of a sub-application mounted under a path prefix."""

    def __init__(self, prefix: str, app: Application) -> None:
        stripped = prefix.rstrip("/") if isinstance(prefix, str) else prefix
        if not stripped:
            raise ValueError("Prefix cannot be empty")
        super().__init__(stripped)
        self._app = app
        for resource in app.router.resources():
            resource.add_prefix(self._prefix)

    @property
    def app(self) -> Application:
        """The sub-application."""
        return self._app

    def add_prefix(self, prefix: str) -> None:
        """Put ``prefix`` in front of ours and of every sub-app resource."""
        super().add_prefix(prefix)
        for resource in self._app.router.resources():
            resource.add_prefix(prefix)

    def url_for(self, *args: str, **kwargs: Any) -> URL:
        """Refused: ask the sub-application's router for its resources."""
        raise RuntimeError(".url_for() is not supported by sub-application root")

    def get_info(self) -> dict[str, Any]:
        """``{'app': app, 'prefix': prefix}``."""
        return {"app": self._app, "prefix": self._prefix}

    async def resolve(
        self, request: Request
    ) -> tuple[UrlMappingMatchInfo | None, set[str]]:
        """Let the sub-application route a request under our prefix."""
        if self._path_below(request.rel_url.path_safe) is None:
            return None, set()
        return await self._resolve_in_app(request)

    async def _resolve_in_app(
        self, request: Request
    ) -> tuple[UrlMappingMatchInfo | None, set[str]]:
        # The sub-app owns everything under the prefix: its 404 or 405 is the
        # answer (so that its middlewares can render it), not a reason to go
        # on with the parent's other resources.
        match_info = await self._app.router.resolve(request)
        match_info.add_app(self._app)
        error = match_info.http_exception
        if isinstance(error, HTTPMethodNotAllowed):
            return match_info, set(error.allowed_methods)
        return match_info, set()

    def __len__(self) -> int:
        return len(self._app.router.routes())

    def __iter__(self) -> Iterator[AbstractRoute]:
        return iter(self._app.router.routes())

    def __repr__(self) -> str:
        return f"<PrefixedSubAppResource {self._prefix} -> {self._app!r}>"


class MatchedSubAppResource(PrefixedSubAppResource):
    """The resource of a sub-application chosen by a rule (e.g. a domain)."""

    def __init__(self, rule: AbstractRuleMatching, app: Application) -> None:
        # No prefix of its own, but one may be added when the parent app is
        # mounted somewhere: hence PrefixResource's initializer.
        PrefixResource.__init__(self, "")
        self._app = app
        self._rule = rule

    @property
    def canonical(self) -> str:
        """The rule, e.g. the domain."""
        return self._rule.canonical

    @property
    def rule(self) -> AbstractRuleMatching:
        """The rule choosing the requests of the sub-application."""
        return self._rule

    def get_info(self) -> dict[str, Any]:
        """``{'app': app, 'rule': rule}``."""
        return {"app": self._app, "rule": self._rule}

    async def resolve(
        self, request: Request
    ) -> tuple[UrlMappingMatchInfo | None, set[str]]:
        """Let the sub-application route the request if the rule matches."""
        if self._path_below(request.rel_url.path_safe) is None:
            return None, set()
        if not await self._rule.match(request):
            return None, set()
        return await self._resolve_in_app(request)

    def __repr__(self) -> str:
        return f"<MatchedSubAppResource -> {self._app!r}>"
