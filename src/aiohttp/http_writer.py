"""The module object ``aiohttp_core.http_writer``, under aiohttp's old path."""

import sys

from aiohttp_core import http_writer as _target
from aiohttp_core.http_writer import *  # noqa: F403

sys.modules[__name__] = _target
