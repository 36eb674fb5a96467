"""WSGI entry point for production servers (``gunicorn kam.wsgi``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kam.settings")
application = get_wsgi_application()

from kam.core.checks import refuse_to_serve_unready  # noqa: E402 - needs the apps loaded

refuse_to_serve_unready()
