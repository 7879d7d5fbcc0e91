"""The module object ``aiohttp_client.digest_auth``, under aiohttp's old path."""

import sys

from aiohttp_client import digest_auth as _target
from aiohttp_client.digest_auth import *  # noqa: F403

sys.modules[__name__] = _target
