"""testing piece of aiohttp."""
