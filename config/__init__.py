"""The project package: settings, root URLs, WSGI and ASGI entry points."""
