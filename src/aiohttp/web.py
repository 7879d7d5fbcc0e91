"""``aiohttp.web``: the web server and framework, gathered from aiohttp-web.

``python -m aiohttp.web [-H host] [-P port] [-U path] module:init_func`` runs
an application from the command line.
"""

import sys

from aiohttp_web import exceptions as _exceptions
from aiohttp_web.abc import AbstractRouter
from aiohttp_web.access_log import AccessLogger
from aiohttp_web.app import AppKey, Application, CleanupContext, NotAppKeyWarning
from aiohttp_web.content_coding import ContentCoding
from aiohttp_web.domain_rules import AbstractRuleMatching, Domain, MaskDomain
from aiohttp_web.exceptions import *  # noqa: F403
from aiohttp_web.file_response import FileResponse
from aiohttp_web.middlewares import middleware, normalize_path_middleware
from aiohttp_web.protocol import RequestHandler
from aiohttp_web.request import BaseRequest, FileField, Request
from aiohttp_web.resources import (
    AbstractResource,
    DynamicResource,
    MatchedSubAppResource,
    PlainResource,
    PrefixedSubAppResource,
    PrefixResource,
    Resource,
)
from aiohttp_web.response import Response, StreamResponse, json_response
from aiohttp_web.route_def import (
    AbstractRouteDef,
    RouteDef,
    RouteTableDef,
    StaticDef,
    delete,
    get,
    head,
    patch,
    post,
    put,
    route,
    static,
    view,
)
from aiohttp_web.router import UrlDispatcher
from aiohttp_web.routes import (
    AbstractRoute,
    ResourceRoute,
    SystemRoute,
    UrlMappingMatchInfo,
)
from aiohttp_web.run_app import run_app
from aiohttp_web.runner import (
    AppRunner,
    BaseRunner,
    BaseSite,
    GracefulExit,
    NamedPipeSite,
    ServerRunner,
    SockSite,
    TCPSite,
    UnixSite,
)
from aiohttp_web.server import Server
from aiohttp_web.static import StaticResource
from aiohttp_web.views import View
from aiohttp_web.websocket import WebSocketReady, WebSocketResponse

__all__ = (
    *_exceptions.__all__,
    "AbstractResource",
    "AbstractRoute",
    "AbstractRouteDef",
    "AbstractRouter",
    "AbstractRuleMatching",
    "AccessLogger",
    "AppKey",
    "AppRunner",
    "Application",
    "BaseRequest",
    "BaseRunner",
    "BaseSite",
    "CleanupContext",
    "ContentCoding",
    "Domain",
    "DynamicResource",
    "FileField",
    "FileResponse",
    "GracefulExit",
    "MaskDomain",
    "MatchedSubAppResource",
    "NamedPipeSite",
    "NotAppKeyWarning",
    "PlainResource",
    "PrefixResource",
    "PrefixedSubAppResource",
    "Request",
    "RequestHandler",
    "Resource",
    "ResourceRoute",
    "Response",
    "RouteDef",
    "RouteTableDef",
    "Server",
    "ServerRunner",
    "SockSite",
    "StaticDef",
    "StaticResource",
    "StreamResponse",
    "SystemRoute",
    "TCPSite",
    "UnixSite",
    "UrlDispatcher",
    "UrlMappingMatchInfo",
    "View",
    "WebSocketReady",
    "WebSocketResponse",
    "delete",
    "get",
    "head",
    "json_response",
    "middleware",
    "normalize_path_middleware",
    "patch",
    "post",
    "put",
    "route",
    "run_app",
    "static",
    "view",
)

if __name__ == "__main__":
    from aiohttp_web.__main__ import main

    main(sys.argv[1:])
