"""The module object ``aiohttp_client.resolver``, under aiohttp's old path."""

import sys

from aiohttp_client import resolver as _target
from aiohttp_client.resolver import *  # noqa: F403

sys.modules[__name__] = _target
