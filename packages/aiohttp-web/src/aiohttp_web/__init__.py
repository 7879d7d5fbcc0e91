"""web piece of aiohttp."""
