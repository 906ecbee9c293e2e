"""Production static files: every asset is vendored and the manifest build (WhiteNoise) succeeds."""

from __future__ import annotations

import re
from pathlib import Path

from django.core.management import call_command
from django.test.utils import override_settings

ROOT = Path(__file__).resolve().parents[3]


def test_collectstatic_with_the_production_manifest_storage(tmp_path):
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path / "media")}},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    with override_settings(STORAGES=storages, STATIC_ROOT=tmp_path / "static"):
        call_command("collectstatic", "--noinput", verbosity=0)
    assert (tmp_path / "static" / "staticfiles.json").exists()


def test_no_template_or_stylesheet_loads_from_the_internet():
    offenders = []
    for path in [*ROOT.glob("templates/**/*.html"), *ROOT.glob("kaohe/**/templates/**/*.html"), *ROOT.glob("static/**/*.css")]:
        text = path.read_text(encoding="utf-8")
        if re.search(r"""(src|href)=["']https?://|@import\s+url\(["']?https?://""", text):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
