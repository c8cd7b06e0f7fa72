import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "controltower.settings")
application = get_wsgi_application()

from controltower.checks import check_secret_key  # noqa: E402  (needs the settings loaded above)

# A production web process without its SECRET_KEY refuses to start (manage.py reports ct.E003).
if problems := check_secret_key():
    raise ImproperlyConfigured(f"{problems[0].msg} {problems[0].hint}")
