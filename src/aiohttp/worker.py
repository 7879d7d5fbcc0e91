"""The module object ``aiohttp_gunicorn.worker``, under aiohttp's old path."""

import sys

from aiohttp_gunicorn import worker as _target
from aiohttp_gunicorn.worker import *  # noqa: F403

sys.modules[__name__] = _target
