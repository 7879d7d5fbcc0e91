"""The request and response classes, under the old path ``aiohttp.client_reqrep``."""

from aiohttp_client.request import ClientRequest
from aiohttp_client.request_info import RequestInfo
from aiohttp_client.response import ClientResponse
from aiohttp_client.tls import Fingerprint
from aiohttp_core.content_disposition import ContentDisposition

__all__ = (
    "ClientRequest",
    "ClientResponse",
    "ContentDisposition",
    "Fingerprint",
    "RequestInfo",
)
