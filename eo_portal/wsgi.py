import os

from django.core.wsgi import get_wsgi_application

from eo_portal.startup import settle

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eo_portal.settings")
application = get_wsgi_application()
settle()
