"""The module object ``aiohttp_client.exceptions``, under aiohttp's old path."""

import sys

from aiohttp_client import exceptions as _target
from aiohttp_client.exceptions import *  # noqa: F403

sys.modules[__name__] = _target
