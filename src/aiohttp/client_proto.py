"""The module object ``aiohttp_client.client_proto``, under aiohttp's old path."""

import sys

from aiohttp_client import client_proto as _target
from aiohttp_client.client_proto import *  # noqa: F403

sys.modules[__name__] = _target
