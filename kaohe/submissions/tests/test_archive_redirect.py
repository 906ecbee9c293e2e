"""An archive with nothing in it sends the user back to the page they came from, on this site only.

Finding 10 of the penetration test: the empty-zip redirect followed ``Referer`` wherever it pointed
(``https://evil.example/phish``).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

EVIL = [
    "https://evil.example/phish",
    "http://evil.example/plans/1/",
    "//evil.example/phish",
    "http://testserver.evil.example/phish",
    "javascript:alert(1)",
    "/plans/1/",  # no host at all: not a browser's Referer, not trusted either
]


@pytest.mark.parametrize("referer", EVIL)
def test_empty_archives_never_redirect_to_another_site(personas, plan, wugang, task, referer):
    home = reverse("plans:detail", args=[plan.pk])
    for url in (
        reverse("submissions:task_archive", args=[plan.pk, wugang.pk, task.pk]),
        reverse("submissions:unit_archive", args=[plan.pk, wugang.pk]),
    ):
        response = personas.client(personas.desk).get(url, HTTP_REFERER=referer)
        assert response.status_code == 302
        assert response["Location"] == home, (url, referer)


def test_empty_archive_returns_to_the_page_of_this_site_it_came_from(personas, plan, wugang, task):
    page = reverse("submissions:queue", args=[plan.pk]) + "?status=submitted"
    client = personas.client(personas.desk)
    response = client.get(
        reverse("submissions:task_archive", args=[plan.pk, wugang.pk, task.pk]), HTTP_REFERER=f"http://testserver{page}"
    )
    assert response.status_code == 302 and response["Location"] == page
    assert "没有可下载的文件" in client.get(page).content.decode()
