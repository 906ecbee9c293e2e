"""The exchange's line on the home page: a 考核办 member sees the link to the 数据交换 page.

Registered in ``ApiConfig.ready()`` through ``core.home.register_home_section``.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kaohe.access.exchange import may_manage_exchange


def home_section(request: HttpRequest) -> dict[str, Any]:
    return {"may_manage_exchange": may_manage_exchange(request.user)}
