"""The module object ``aiohttp_client.cookiejar``, under aiohttp's old path."""

import sys

from aiohttp_client import cookiejar as _target
from aiohttp_client.cookiejar import *  # noqa: F403

sys.modules[__name__] = _target
