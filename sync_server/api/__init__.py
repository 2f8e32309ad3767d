"""The HTTP API (FastAPI): routes, request authentication, bodies and problem answers.

The app that mounts these routes and the console is assembled in ``sync_server.app``.
"""
