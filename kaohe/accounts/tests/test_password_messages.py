"""Every password rule speaks Chinese on the change-password page, whatever language the browser asks for."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from conftest import PASSWORD
from kaohe.accounts.tests.conftest import login

CASES = [
    ("Ab1!", "密码太短，至少需要 10 个字符。"),
    ("20200101123456", "密码不能全是数字。"),
    ("Password123", "密码过于常见，容易被猜中。"),
    ("Zhangsan_admin1", "密码与账号、姓名或电子邮箱过于相似。"),
    ("abcdefghijkl", "密码须至少包含大写字母、小写字母、数字、符号中的 3 类。"),
]
RULES = [
    "密码不能与账号、姓名、电子邮箱等个人信息过于相似。",
    "密码至少 10 个字符。",
    "密码不能是常用密码。",
    "密码不能全是数字。",
    "密码须至少包含大写字母、小写字母、数字、符号中的 3 类。",
    "新密码不得与最近 5 次使用过的密码相同。",
]
# Django's English wording, as its validators would show it untranslated.
ENGLISH = re.compile(r"This password|Your password|too short|too common|too similar|entirely numeric|characters?\.")


@pytest.mark.parametrize("language", ["en-US,en;q=0.9", "fr", "zh-CN", ""])
def test_every_refusal_and_rule_is_in_chinese(make_user, language):
    make_user("zhangsan_admin")
    client, _ = login("zhangsan_admin")
    url = reverse("accounts:password_change")
    page = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    for rule in RULES:
        assert rule in page
    assert not ENGLISH.search(page)
    for password, message in CASES:
        response = client.post(
            url,
            {"old_password": PASSWORD, "new_password1": password, "new_password2": password},
            HTTP_ACCEPT_LANGUAGE=language,
        )
        assert response.status_code == 200, password
        html = response.content.decode()
        assert message in html, (password, language)
        assert not ENGLISH.search(html), (password, ENGLISH.search(html))
    # Still the old password: nothing was changed.
    assert login("zhangsan_admin")[1].status_code == 302
