"""The serving layer: what a request passes through before and around the apps.

The WSGI front door (cached pages, load shedding), the page cache, the middleware, the
health check and the error handlers. It may import the apps; no app imports it (what apps
need of it, like @public_page or error_page, lives in lib/http.py).
"""
