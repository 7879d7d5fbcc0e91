"""The module object ``aiohttp_core.http_exceptions``, under aiohttp's old path."""

import sys

from aiohttp_core import http_exceptions as _target
from aiohttp_core.http_exceptions import *  # noqa: F403

sys.modules[__name__] = _target
