"""Playwright driving Debian's Chromium against pytest-django's live server.

No browser is downloaded: the tests use /usr/bin/chromium (apt package ``chromium``). Where it is
missing they skip with a visible reason — unless KAOHE_REQUIRE_BROWSER=1 (CI), where that is a failure.
Screenshots of every step land in var/screenshots/ for review and as CI artefacts.

What every browser test shares lives here: the browser and its pages (``page``, and ``new_page`` for a second
person in their own browser), ``login`` through the login form, and the demo plan with its inspections' data.
These tests are end-to-end and run against a live server (``transaction=True``): the database is emptied after each
test, so the first one may find the session's small city and the others find nothing. Whatever a test needs it
loads itself: the demo plan (``demo_plan`` and the fixtures below), or its own installation (test_full_cycle,
test_office_year_from_empty).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses that unless told.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
PASSWORD = "Kaohe#2020demo"  # the demo accounts' DEMO_PASSWORD, also the test accounts' (tests/factories.py)
# A desktop browser in Chinese; tests open phones and narrower windows through ``new_page(viewport=...)``.
CONTEXT = {"locale": "zh-CN", "viewport": {"width": 1366, "height": 900}}
# Before the demo's deadline of 2020-12-31: units may still upload, desks grade.
DEMO_DAY = dt.datetime(2020, 12, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if CHROMIUM is None:
        if os.environ.get("KAOHE_REQUIRE_BROWSER") == "1":
            pytest.fail("KAOHE_REQUIRE_BROWSER=1 but Debian's chromium is not installed (apt-get install chromium)")
        pytest.skip("浏览器测试已跳过：本机未安装 Debian 的 chromium（apt-get install chromium fonts-wqy-microhei）")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


def _watched(page: Any) -> Any:
    """A generous timeout (CI machines are shared) and the console's errors collected in ``page.console_errors``."""
    page.set_default_timeout(30000)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.console_errors = errors
    return page


@pytest.fixture
def new_page(browser: Any) -> Iterator[Callable[..., Any]]:
    """Opens a page in a browser context of its own (own cookies: another person), closed after the test.

    Keyword arguments go to ``browser.new_context`` over the desktop defaults, e.g. ``viewport=``, ``is_mobile=``.
    """
    contexts: list[Any] = []

    def open_page(**options: Any) -> Any:
        context = browser.new_context(**{**CONTEXT, **options})
        contexts.append(context)
        return _watched(context.new_page())

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[..., Any]) -> Any:
    return new_page()


def login(
    page: Any,
    live_server: Any,
    username: str,
    password: str = PASSWORD,
    *,
    new_password: str | None = None,
    shot_name: str = "",
) -> None:
    """Log in through the login form, as ``username`` alone (the page's cookies are cleared first).

    ``live_server`` is the fixture or its URL. With ``new_password``, the account must change a one-time password
    first: the platform sends it to the change form, keeps it there whatever page it opens (screenshot
    ``shot_name``, if given), and lets it go once the new password is set.
    """
    url = live_server if isinstance(live_server, str) else live_server.url
    page.context.clear_cookies()
    page.goto(f"{url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("form:has(#id_password) button[type=submit]")
    assert "/accounts/login/" not in page.url, f"{username} could not log in: {page.inner_text('body')[:500]}"
    if new_password is None:
        assert "/accounts/password/" not in page.url, f"{username} was sent to change the password"
        return
    assert "/accounts/password/" in page.url, f"{username} was not sent to change the initial password"
    page.goto(f"{url}/")  # any page: still the change form
    assert "/accounts/password/" in page.url
    if shot_name:
        shot(page, shot_name)
    page.fill("#id_old_password", password)
    page.fill("#id_new_password1", new_password)
    page.fill("#id_new_password2", new_password)
    with page.expect_navigation():
        page.click("form:has(#id_new_password1) button[type=submit]")
    assert "/accounts/password/" not in page.url, f"{username} could not change the password"


def wugang_upload(plan: Any) -> tuple[Any, Any]:
    """舞钢市人民政府 (``unit_wugang``) in the demo plan, and the first of its 报送资料 tasks that ``desk_yfxz``
    (市司法局依法行政指导科) grades, due 2020-12-31: where the demo's uploads happen."""
    from kaohe.plans.constants import Level, Method
    from kaohe.plans.models import Indicator, PlanUnit

    task = (
        Indicator.objects.filter(
            plan=plan,
            category__name="县区政府",
            level=Level.TASK,
            method=Method.SUBMISSION,
            assessor__organisation__name="市司法局依法行政指导科",
            deadline=dt.date(2020, 12, 31),
        )
        .order_by("order")
        .first()
    )
    assert task is not None
    return PlanUnit.objects.get(plan=plan, organisation__name="舞钢市人民政府"), task


def shot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# The demo plan comes from the root conftest's ``demo_plan`` fixture (loaded into the test's own database, on top of
# whatever it holds: the demo shares the small city's organisations and accounts by name). The inspections' demo data
# is added by the fixtures below, the one place in tests/browser that imports demo loaders.


@pytest.fixture
def demo_day(demo_plan: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The demo plan, loaded first; then the clock stops at ``DEMO_DAY`` (Sunday 2020-12-20 10:00, before the
    deadlines). Tests ask for ``demo_plan`` and mark ``usefixtures("demo_day")``."""
    monkeypatch.setattr("django.utils.timezone.now", lambda: DEMO_DAY)
    return demo_plan


@pytest.fixture
def demo_fieldwork(demo_plan: Any) -> Any:
    """The demo plan with its 实地考核 demo data."""
    from kaohe.inspections.fieldwork.demo import load_demo_data

    load_demo_data(demo_plan)
    return demo_plan


@pytest.fixture
def demo_abilitytests(demo_plan: Any) -> Any:
    """The demo plan with its 依法行政能力测试 demo data (rosters, question bank)."""
    from kaohe.inspections.abilitytests.demo import load_demo_data

    load_demo_data(demo_plan)
    return demo_plan


@pytest.fixture
def demo_casefiles(demo_plan: Any) -> Any:
    """The demo plan with its 案卷集中评查 demo data (the units' case-file lists)."""
    from kaohe.inspections.casefiles.demo import load_demo_data

    load_demo_data(demo_plan)
    return demo_plan
