"""The module object ``aiohttp_core.http_parser``, under aiohttp's old path."""

import sys

from aiohttp_core import http_parser as _target
from aiohttp_core.http_parser import *  # noqa: F403

sys.modules[__name__] = _target
