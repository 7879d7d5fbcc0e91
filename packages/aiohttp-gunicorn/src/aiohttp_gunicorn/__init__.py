"""gunicorn piece of aiohttp."""
