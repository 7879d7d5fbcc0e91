"""``UrlDispatcher``: the default router, mapping a request path to a route.

Lookup cost does not grow with the size of the table.  Every resource is
filed in an index under a static path prefix: a plain resource under its
whole path, a dynamic one under the static part before its first variable
(cut at the last "/"), a prefix resource under its prefix.  A request path is
looked up whole, then shortened one segment at a time (``/a/b/c``, ``/a/b``,
``/a``, ``/``), and only the resources of the keys found are tried, each
bucket in registration order.  So a plain path is one dict lookup, and fixed
paths win over variable ones.  Resources chosen by a rule (``add_domain``)
come last, in order.  If nothing fits, the answer is 405 when some resource
had the path but not the method (``Allow`` lists what it had), else 404.
"""

from __future__ import annotations

from collections.abc import (
    Container,
    Iterable,
    Iterator,
    Mapping,
    Sized,
)
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final

from aiohttp_core import hdrs
from aiohttp_core.typedefs import PathLike

from .abc import AbstractRouter, AbstractView, Handler
from .exceptions import HTTPMethodNotAllowed, HTTPNotFound
from .resources import (
    AbstractResource,
    DynamicResource,
    MatchedSubAppResource,
    PlainResource,
    Resource,
)
from .routes import AbstractRoute, ExpectHandler, MatchInfoError, UrlMappingMatchInfo
from .static import StaticResource
from .stream_response import StreamResponse

if TYPE_CHECKING:
    from .request import Request
    from .route_def import AbstractRouteDef

# The resolve() of PlainResource and DynamicResource, which has a sync twin.
_OWN_RESOLVE: Final = Resource.resolve

__all__ = ("ResourcesView", "RoutesView", "UrlDispatcher")


class ResourcesView(Sized, Iterable[AbstractResource], Container[AbstractResource]):
    """A read-only view of the resources of a router."""

    __slots__ = ("_resources",)

    def __init__(self, resources: list[AbstractResource]) -> None:
        self._resources = resources

    def __len__(self) -> int:
        return len(self._resources)

    def __iter__(self) -> Iterator[AbstractResource]:
        return iter(self._resources)

    def __contains__(self, resource: object) -> bool:
        return resource in self._resources


class RoutesView(Sized, Iterable[AbstractRoute], Container[AbstractRoute]):
    """A read-only view of the routes of a router, as of its creation."""

    __slots__ = ("_routes",)

    def __init__(self, resources: list[AbstractResource]) -> None:
        self._routes = [route for resource in resources for route in resource]

    def __len__(self) -> int:
        return len(self._routes)

    def __iter__(self) -> Iterator[AbstractRoute]:
        return iter(self._routes)

    def __contains__(self, route: object) -> bool:
        return route in self._routes


class UrlDispatcher(AbstractRouter, Mapping[str, AbstractResource]):
    """The default router: resources matched by path, named ones by name."""

    def __init__(self) -> None:
        super().__init__()
        self._resources: list[AbstractResource] = []
        self._named_resources: dict[str, AbstractResource] = {}
        self._matched_sub_app_resources: list[MatchedSubAppResource] = []
        self._index: dict[str, list[AbstractResource]] | None = None
        # Unnamed plain and dynamic resources by path, to merge their routes.
        self._unnamed_resources: dict[tuple[type, str], Resource] | None = {}
        self._max_depth = 0

    # -- resolving ---------------------------------------------------------

    async def resolve(self, request: Request) -> UrlMappingMatchInfo:
        """The match info of ``request``; 404 or 405 inside it if nothing fits."""
        index = self._index
        if index is None:
            index = self._build_index()
        path = request.rel_url.path_safe
        method = request.method
        allowed: set[str] | None = None
        for key in self._keys_of(path):
            bucket = index.get(key)
            if bucket is None:
                continue
            for resource in bucket:
                # Our own resources answer without a coroutine each; one
                # that overrides resolve() is asked the documented way.
                if type(resource).resolve is _OWN_RESOLVE:
                    own: Resource = resource  # type: ignore[assignment]
                    match_info, methods = own._resolve_now(path, method)
                else:
                    match_info, methods = await resource.resolve(request)
                if match_info is not None:
                    return match_info
                if methods:
                    allowed = methods if allowed is None else allowed | methods
        for resource in self._matched_sub_app_resources:
            match_info, methods = await resource.resolve(request)
            if match_info is not None:
                return match_info
            if methods:
                allowed = methods if allowed is None else allowed | methods
        if allowed:
            return MatchInfoError(HTTPMethodNotAllowed(request.method, allowed))
        return MatchInfoError(HTTPNotFound())

    def _keys_of(self, path: str) -> Iterator[str]:
        """The index keys that may hold resources for ``path``, longest first."""
        # No key has more "/" than _max_depth: skip the longer candidates
        # without slicing the path once per segment.
        if path.count("/") > self._max_depth:
            cut = -1
            for _ in range(self._max_depth + 1):
                cut = path.find("/", cut + 1)
            path = path[:cut]
            if not path:
                yield "/"
                return
        key = path
        while True:
            yield key
            if key == "/":
                return
            cut = key.rfind("/")
            if cut < 0:
                return
            key = key[:cut] or "/"

    def _build_index(self) -> dict[str, list[AbstractResource]]:
        index: dict[str, list[AbstractResource]] = {}
        for resource in self._resources:
            if isinstance(resource, MatchedSubAppResource):
                continue
            index.setdefault(resource._index_key(), []).append(resource)
        self._max_depth = max((key.count("/") for key in index), default=0)
        self._index = index
        return index

    def _paths_changed(self) -> None:
        self._index = None
        self._unnamed_resources = None

    # -- registering -------------------------------------------------------

    def _check_frozen(self) -> None:
        if self.frozen:
            raise RuntimeError(
                "Cannot register a resource into frozen router: "
                "the application has started"
            )

    def register_resource(self, resource: AbstractResource) -> None:
        """Append a resource (of any ``AbstractResource`` kind) to the table."""
        self._check_frozen()
        if not isinstance(resource, AbstractResource):
            raise TypeError(f"Instance of AbstractResource expected, got {resource!r}")
        name = resource.name
        if name is not None:
            known = self._named_resources.get(name)
            if known is not None:
                raise ValueError(f"Duplicate {name!r}, already handled by {known!r}")
            self._named_resources[name] = resource
        self._resources.append(resource)
        if isinstance(resource, MatchedSubAppResource):
            self._matched_sub_app_resources.append(resource)
        elif (
            isinstance(resource, Resource)
            and name is None
            and self._unnamed_resources is not None
        ):
            key = (type(resource), resource._path_key())
            self._unnamed_resources.setdefault(key, resource)
        resource._on_paths_changed = self._paths_changed
        self._index = None

    def add_resource(self, path: str, *, name: str | None = None) -> Resource:
        """The resource of ``path`` (``/a/b`` or ``/a/{var}``), new if needed.

        Routes added for the same path and name end up on one resource.
        """
        self._check_frozen()
        if not isinstance(path, str):
            raise TypeError(f"A path must be a str, got {path!r}")
        if path and not path.startswith("/"):
            raise ValueError(f"path should be started with / or be empty: {path!r}")
        if "{" in path or "}" in path:
            resource: Resource = DynamicResource(path, name=name)
        else:
            resource = PlainResource(path, name=name)
        existing = self._same_resource(resource)
        if existing is not None:
            return existing
        self.register_resource(resource)
        return resource

    def _same_resource(self, new: Resource) -> Resource | None:
        """A resource already registered with the path and name of ``new``."""
        key = (type(new), new._path_key())
        if new.name is not None:
            known = self._named_resources.get(new.name)
            if isinstance(known, Resource) and (type(known), known._path_key()) == key:
                return known
            return None
        unnamed = self._unnamed_resources
        if unnamed is None:
            unnamed = self._unnamed_resources = {}
            for resource in self._resources:
                if isinstance(resource, Resource) and resource.name is None:
                    unnamed.setdefault((type(resource), resource._path_key()), resource)
        return unnamed.get(key)

    def add_route(
        self,
        method: str,
        path: str,
        handler: Handler | type[AbstractView],
        *,
        name: str | None = None,
        expect_handler: ExpectHandler | None = None,
    ) -> AbstractRoute:
        """Add ``handler`` for ``method`` (``*`` for any) on ``path``."""
        resource = self.add_resource(path, name=name)
        return resource.add_route(method, handler, expect_handler=expect_handler)

    def add_head(
        self, path: str, handler: Handler | type[AbstractView], **kwargs: Any
    ) -> AbstractRoute:
        """Add a HEAD route."""
        return self.add_route(hdrs.METH_HEAD, path, handler, **kwargs)

    def add_get(
        self,
        path: str,
        handler: Handler | type[AbstractView],
        *,
        name: str | None = None,
        allow_head: bool = True,
        **kwargs: Any,
    ) -> AbstractRoute:
        """Add a GET route, and a HEAD one with the same handler if allow_head."""
        resource = self.add_resource(path, name=name)
        if allow_head:
            resource.add_route(hdrs.METH_HEAD, handler, **kwargs)
        return resource.add_route(hdrs.METH_GET, handler, **kwargs)

    def add_post(
        self, path: str, handler: Handler | type[AbstractView], **kwargs: Any
    ) -> AbstractRoute:
        """Add a POST route."""
        return self.add_route(hdrs.METH_POST, path, handler, **kwargs)

    def add_put(
        self, path: str, handler: Handler | type[AbstractView], **kwargs: Any
    ) -> AbstractRoute:
        """Add a PUT route."""
        return self.add_route(hdrs.METH_PUT, path, handler, **kwargs)

    def add_patch(
        self, path: str, handler: Handler | type[AbstractView], **kwargs: Any
    ) -> AbstractRoute:
        """Add a PATCH route."""
        return self.add_route(hdrs.METH_PATCH, path, handler, **kwargs)

    def add_delete(
        self, path: str, handler: Handler | type[AbstractView], **kwargs: Any
    ) -> AbstractRoute:
        """Add a DELETE route."""
        return self.add_route(hdrs.METH_DELETE, path, handler, **kwargs)

    def add_view(
        self, path: str, handler: type[AbstractView], **kwargs: Any
    ) -> AbstractRoute:
        """Add a class-based view serving every method (``*``)."""
        return self.add_route(hdrs.METH_ANY, path, handler, **kwargs)

    def add_static(
        self,
        prefix: str,
        path: PathLike,
        *,
        name: str | None = None,
        expect_handler: ExpectHandler | None = None,
        chunk_size: int = 256 * 1024,
        response_factory: type[StreamResponse] = StreamResponse,
        show_index: bool = False,
        follow_symlinks: bool = False,
        append_version: bool = False,
    ) -> AbstractRoute:
        """Serve the files of the directory ``path`` under ``prefix``.

        Returns the GET route of the new ``StaticResource`` (``route.resource``).
        ``response_factory`` is accepted as documented and unused: files are
        sent with ``FileResponse``, index pages with ``Response``.
        """
        self._check_frozen()
        resource = StaticResource(
            prefix,
            path,
            name=name,
            expect_handler=expect_handler,
            chunk_size=chunk_size,
            show_index=show_index,
            follow_symlinks=follow_symlinks,
            append_version=append_version,
        )
        self.register_resource(resource)
        return next(iter(resource))

    def add_routes(
        self, routes_table: Iterable[AbstractRouteDef]
    ) -> list[AbstractRoute]:
        """Register route definitions (``web.get(...)``, a ``RouteTableDef``)."""
        registered: list[AbstractRoute] = []
        for route_def in routes_table:
            registered.extend(route_def.register(self))
        return registered

    def freeze(self) -> None:
        """Forbid further changes; the index is built once here."""
        super().freeze()
        for resource in self._resources:
            resource.freeze()
        self._build_index()

    # -- views -------------------------------------------------------------

    def resources(self) -> ResourcesView:
        """All the resources, in registration order."""
        return ResourcesView(self._resources)

    def routes(self) -> RoutesView:
        """All the routes of all the resources."""
        return RoutesView(self._resources)

    def named_resources(self) -> MappingProxyType[str, AbstractResource]:
        """A read-only mapping of names to named resources."""
        return MappingProxyType(self._named_resources)

    def __iter__(self) -> Iterator[str]:
        return iter(self._named_resources)

    def __len__(self) -> int:
        return len(self._named_resources)

    def __contains__(self, name: object) -> bool:
        return name in self._named_resources

    def __getitem__(self, name: str) -> AbstractResource:
        return self._named_resources[name]

    def __repr__(self) -> str:
        return f"<UrlDispatcher {len(self._resources)} resources>"
