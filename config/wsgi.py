import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()

# Load the URL configuration, and with it every view, form and selector module, then hide
# everything loaded so far from the garbage collector: these objects live as long as the
# process, and a full collection would otherwise walk all of them (about 150,000) in
# whichever request happens to set it off, tens of milliseconds on a busy machine.
get_resolver().url_patterns  # noqa: B018 (imported for its side effect)
gc.freeze()
