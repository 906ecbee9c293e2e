"""A field photo opened in the browser is shown sandboxed, like every previewed file (core.downloads)."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kaohe.inspections.fieldwork.models import FieldPhoto
from kaohe.inspections.fieldwork.tests.conftest import PNG


def test_a_photo_is_shown_inline_in_a_sandbox(personas, groups, wugang, field_tasks, window):
    client = personas.client(personas.field)
    url = reverse("fieldwork:photo_upload", args=[window.pk, wugang.pk, field_tasks[1].pk])
    assert client.post(url, {"photo": SimpleUploadedFile("现场.png", PNG)}).status_code == 302
    photo = FieldPhoto.objects.get()
    response = client.get(reverse("fieldwork:photo", args=[window.pk, photo.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline;")
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = response["Content-Security-Policy"]
    assert policy.startswith("sandbox;") and "default-src 'none'" in policy and "script-src" not in policy
