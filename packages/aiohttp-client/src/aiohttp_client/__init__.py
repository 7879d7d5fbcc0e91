"""client piece of aiohttp."""
