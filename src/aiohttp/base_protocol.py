"""The module object ``aiohttp_core.base_protocol``, under aiohttp's old path."""

import sys

from aiohttp_core import base_protocol as _target
from aiohttp_core.base_protocol import *  # noqa: F403

sys.modules[__name__] = _target
