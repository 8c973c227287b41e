"""The web process settles its heap at start-up: views imported, start-up's objects frozen out of
the garbage collector's full collections (eo_portal/startup.py)."""

import gc
import importlib
import sys

from django.conf import settings


def test_the_wsgi_entry_point_imports_the_views_and_freezes_what_start_up_made():
    import eo_portal.wsgi

    gc.unfreeze()
    sys.modules.pop(settings.ROOT_URLCONF, None)
    try:
        importlib.reload(eo_portal.wsgi)
        assert settings.ROOT_URLCONF in sys.modules
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
