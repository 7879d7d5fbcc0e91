"""The client's names under aiohttp's old module path ``aiohttp.client``."""

from aiohttp_client import *  # noqa: F403
from aiohttp_client import __all__ as __all__
