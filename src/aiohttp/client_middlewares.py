"""The module object ``aiohttp_client.middlewares``, under aiohttp's old path."""

import sys

from aiohttp_client import middlewares as _target
from aiohttp_client.middlewares import *  # noqa: F403

sys.modules[__name__] = _target
