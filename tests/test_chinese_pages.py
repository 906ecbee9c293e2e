"""Every page a persona may open (a GET row of docs/permissions.md with 200 for that persona) reads in Chinese.

The page is rendered on the objects of ``tests/matrix_world.py`` (built once for this module), its tags, scripts,
styles and comments are stripped, entities unescaped, and what is left must hold no English word: a run of three
or more ASCII letters that is not a name of a format or standard users know (PDF, Excel, SHA-256 …).
"""

from __future__ import annotations

import html
import re
from collections.abc import Set
from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse

from tests.matrix_world import World
from tests.test_permission_matrix import COLUMNS, _kwargs, _rows

# Words a Chinese user reads as they are: formats, standards, product names.
ALLOWED = {
    "PDF",
    "OCR",  # 文字识别（OCR）: the name offices know the scanner software by
    "SHA",
    "URL",
    "Excel",
    "xlsx",
    "xls",
    "docx",
    "doc",
    "TOTP",
    "HTTP",
    "HTTPS",
    "CSV",
    "WPS",
    "Office",
    "Word",
    "JPG",
    "JPEG",
    "PNG",
    "ZIP",
    "RAR",
    "zip",
    "rar",
    "pdf",
    "jpg",
    "png",
    "jpeg",
    "MP4",
    "mp4",
    "OFD",
    "ofd",
    "App",
    "APP",
    "LDAP",
}
TOKEN = re.compile(r"[A-Za-z0-9_.\-@+]+")
WORD = re.compile(r"[A-Za-z]{3,}")
ANSWER_KEY = re.compile(r"[A-H]+")  # a question's options, as in 正确答案 ABD
# Not read as words: scripts, styles, comments, and data shown verbatim (<code>: account names, digests, paths).
HIDDEN = re.compile(r"<(script|style|template|code|kbd|samp)\b.*?</\1\s*>|<!--.*?-->", re.S | re.I)
TAG = re.compile(r"<[^>]+>")


def _is_data(token: str, usernames: Set[str]) -> bool:
    """Not the page's wording but data shown as it is: account names, file names, digests, codes, answer keys."""
    return (
        token in usernames
        or any(c.isdigit() or c in "_@" for c in token)  # digests, codes, e-mail addresses, identifiers
        or re.search(r"\.[A-Za-z]{2,4}$", token) is not None  # a file name
        or ANSWER_KEY.fullmatch(token) is not None
    )


def visible_words(page: str, usernames: Set[str] = frozenset()) -> list[str]:
    text = html.unescape(TAG.sub(" ", HIDDEN.sub(" ", page)))
    tokens = [t.strip(".-") for t in TOKEN.findall(text)]
    return [w for t in tokens if not _is_data(t, usernames) for w in WORD.findall(t) if w not in ALLOWED]


def test_visible_words_ignores_markup_and_allowed_names() -> None:
    page = '<style>.a{color:red}</style><script>var x = "hello";</script><p title="nope">上传 PDF 或 Excel（.xlsx）</p>'
    assert visible_words(page) == []
    assert visible_words("<td>账号 <code>pdssssfjyfxzzdk</code></td>") == []
    assert visible_words("<td>good 0.8</td><td>评价未齐（INCOMPLETE）</td>") == ["good", "INCOMPLETE"]


def _pages() -> list[tuple[str, str]]:
    """(URL name, persona) for every GET row and persona whose expected status is 200."""
    return [
        (name, persona)
        for name, (method, cells) in _rows().items()
        if method == "GET"
        for persona, cell in zip(COLUMNS.values(), cells, strict=False)
        if persona and cell == "200"
    ]


@pytest.mark.parametrize("name", sorted({name for name, _ in _pages()}))
def test_page_has_no_english(world: World, personas: Any, name: str) -> None:
    from kaohe.accounts.models import User

    usernames = set(User.objects.values_list("username", flat=True))
    url = reverse(name, kwargs=_kwargs(name, world))
    found: dict[str, list[str]] = {}
    for page_name, persona in _pages():
        if page_name != name:
            continue
        client = personas.client(getattr(personas, persona))
        with transaction.atomic():
            response = client.get(url)
            transaction.set_rollback(True)
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
            continue
        if words := visible_words(response.content.decode(), usernames):
            found[persona] = sorted(set(words))
    assert not found, f"{name} ({url}) shows English: {found}"


ADMIN_PAGES = [
    ("admin:index", False),
    ("admin:accounts_user_changelist", False),
    ("admin:accounts_user_add", False),
    ("admin:accounts_user_change", True),
    ("admin:organisations_organisation_changelist", False),
    ("admin:organisations_region_changelist", False),
    ("admin:organisations_membership_changelist", False),
]


@pytest.mark.parametrize(("name", "needs_user"), ADMIN_PAGES)
def test_admin_page_has_no_english(personas: Any, operator: Any, name: str, needs_user: bool) -> None:
    """The operators' Django admin pages (superusers only; Django's catalogue lacks a few strings; ours fill them)."""
    from kaohe.accounts.models import User
    from kaohe.organisations.models import Organisation

    sort_keys = Organisation.objects.values_list("sort_key", flat=True)  # pinyin, shown as data
    data = set(User.objects.values_list("username", flat=True)) | {w for key in sort_keys for w in key.split()}
    url = reverse(name, args=[personas.unit.pk] if needs_user else [])
    response = personas.client(operator).get(url)
    assert response.status_code == 200
    assert visible_words(response.content.decode(), data) == [], url


def test_password_errors_are_chinese(personas: Any, operator: Any) -> None:
    """A short, common, numeric password is refused in Chinese, in the admin and on the user's own page."""
    from kaohe.accounts.models import User

    names = set(User.objects.values_list("username", flat=True))
    admin = personas.client(operator)
    response = admin.post(
        reverse("admin:accounts_user_add"),
        {"username": "newcomer2", "usable_password": "true", "password1": "123", "password2": "123"},
    )
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert visible_words(response.content.decode(), names) == []
    own = personas.client(personas.unit)
    response = own.post(
        reverse("accounts:password_change"), {"old_password": "wrong", "new_password1": "123", "new_password2": "123"}
    )
    assert visible_words(response.content.decode(), names) == []


def test_every_bulletin_text_has_a_chinese_label_in_the_audit_log() -> None:
    """The frozen bulletin (results.publish) is shown field by field in the audit log: no key is shown raw."""
    from dataclasses import fields

    from kaohe.core.views_security import _field_label
    from kaohe.results.bulletin import BulletinTexts

    raw = [f.name for f in fields(BulletinTexts) if not _field_label(None, f.name)[1]]
    assert raw == []
