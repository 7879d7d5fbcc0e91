"""The module object ``aiohttp_client.ws_client``, under aiohttp's old path."""

import sys

from aiohttp_client import ws_client as _target
from aiohttp_client.ws_client import *  # noqa: F403

sys.modules[__name__] = _target
