"""The module object ``aiohttp_client.tracing``, under aiohttp's old path."""

import sys

from aiohttp_client import tracing as _target
from aiohttp_client.tracing import *  # noqa: F403

sys.modules[__name__] = _target
