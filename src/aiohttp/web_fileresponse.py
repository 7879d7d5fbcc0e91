"""The module object ``aiohttp_web.file_response``, under aiohttp's old path."""

import sys

from aiohttp_web import file_response as _target
from aiohttp_web.file_response import *  # noqa: F403

sys.modules[__name__] = _target
