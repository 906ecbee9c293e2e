"""A previewed evidence file is shown sandboxed: it can run nothing, load nothing and be framed only by us.

An uploaded PDF or image is a unit's bytes shown to the desk and the office inside the platform's page; a
crafted file must not act with the viewer's session. Downloads carry the same sandbox and are never framed.
"""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kaohe.submissions.models import EvidenceFile
from kaohe.submissions.tests.conftest import PNG, pdf


def _csp(response) -> dict[str, str]:
    directives = [part.strip() for part in response["Content-Security-Policy"].split(";")]
    return {d.split(" ", 1)[0]: (d.split(" ", 1)[1] if " " in d else "") for d in directives if d}


def _upload(personas, plan, unit, task, upload):
    response = personas.client(personas.unit).post(
        reverse("submissions:upload", args=[plan.pk, unit.pk, task.pk]), {"files": [upload]}
    )
    assert response.status_code == 302
    return EvidenceFile.objects.filter(submission__unit=unit, submission__task=task).order_by("-pk").first()


def test_previews_of_pdfs_and_images_are_sandboxed(personas, plan, wugang, task, in_window):
    for upload, mime in (
        (pdf(), "application/pdf"),
        (SimpleUploadedFile("现场.png", PNG, content_type="image/png"), "image/png"),
    ):
        evidence = _upload(personas, plan, wugang, task, upload)
        response = personas.client(personas.desk).get(reverse("submissions:preview", args=[plan.pk, evidence.pk]))
        assert response.status_code == 200 and response["Content-Type"] == mime
        assert response["Content-Disposition"].startswith("inline;")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["X-Frame-Options"] == "SAMEORIGIN"
        assert response["Content-Security-Policy"].startswith("sandbox;")
        csp = _csp(response)
        assert csp["sandbox"] == ""  # no allow-scripts, allow-same-origin, allow-forms, allow-popups
        assert csp["default-src"] == "'none'" and csp["frame-ancestors"] == "'self'" and csp["form-action"] == "'none'"
        assert "script-src" not in csp and "unsafe-eval" not in response["Content-Security-Policy"]


def test_downloads_are_sandboxed_and_never_framed(personas, plan, wugang, task, in_window):
    evidence = _upload(personas, plan, wugang, task, pdf())
    response = personas.client(personas.office).get(reverse("submissions:download", args=[plan.pk, evidence.pk]))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")
    csp = _csp(response)
    assert csp["sandbox"] == "" and csp["default-src"] == "'none'" and csp["frame-ancestors"] == "'none'"
    assert response["X-Content-Type-Options"] == "nosniff"
