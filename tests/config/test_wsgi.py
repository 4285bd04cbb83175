"""The web process loads its URLs and views before the first request and keeps what it
loaded out of the garbage collector's full collections (config/wsgi.py)."""

import json
import os
import subprocess
import sys

from django.conf import settings

SCRIPT = """
import gc, json, sys
import config.wsgi
print(json.dumps({
    "frozen": gc.get_freeze_count(),
    "views_loaded": "reports.views.project" in sys.modules and "surveys.views.answers" in sys.modules,
}))
"""


def test_the_web_process_loads_its_views_and_freezes_what_it_loaded():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["views_loaded"]
    assert found["frozen"] > 10_000
