"""Settings for `collectstatic` only, used when the real settings miss the site's own files.

undersigned/static/ is neither an app's static folder nor in STATICFILES_DIRS, so a plain
`collectstatic` leaves css/site.css out of the manifest and every page answers 500 with
DEBUG=0. The bench collects with this module then runs the real settings (see RESULTS.md).
"""

from undersigned.settings import *  # noqa: F403
from undersigned.settings import BASE_DIR

STATICFILES_DIRS = [BASE_DIR / "undersigned" / "static"]
