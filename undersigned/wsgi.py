"""The WSGI application: a thin front door before Django.

1. Cached public pages are answered here, from the same store the page cache middleware
   fills, without building a request or running middleware (web/pagecache.py).
2. A request that queued too long behind others gets a fast 503 with Retry-After instead
   of a late answer nobody waits for (web/shedding.py).
3. Everything else goes to Django, warmed up before the first request (web/warmup.py).
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "undersigned.settings")
django_application = get_wsgi_application()

from undersigned.web.frontdoor import FrontDoor  # noqa: E402  (needs the settings loaded)
from undersigned.web.warmup import warm_up  # noqa: E402

warm_up()
application = FrontDoor(django_application)
