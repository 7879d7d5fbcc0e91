"""The module object ``aiohttp_client.connector``, under aiohttp's old path."""

import sys

from aiohttp_client import connector as _target
from aiohttp_client.connector import *  # noqa: F403

sys.modules[__name__] = _target
