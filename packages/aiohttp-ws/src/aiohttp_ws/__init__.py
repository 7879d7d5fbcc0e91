"""ws piece of aiohttp."""
