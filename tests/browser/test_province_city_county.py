"""In Chromium, three levels (issue 17): 河南省's office sends a category's table down as a template with a locked
task and a minimum; 平顶山市's office adopts it in its next year's draft, adds a local task and is refused when it
lowers the locked task's points; 舞钢市's office runs its own plan; the province's roll-up shows the city's plan
without scores while they are unpublished (the bulletin's address is 404); the city publishes; the province then
sees the figures; an API client reads the same figures with a token made on the city's 数据交换 page; the signed
file downloaded there is imported by a second installation (its own database and key, this project's manage.py
in a subprocess) with the same scores.

End-to-end on the demo (河南省 › 平顶山市 › 舞钢市). What a person would not click — grading the city's units, the
consultation and approval before publication — is set up through the services.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import urllib.request
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import login, shot

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_NAME = "省辖市政府指标体系（省定）"
ADOPTED_CATEGORY = "省定指标（采用省模板）"
LOCAL_TASK = "本地：年度法治政府建设报告公开"
# The second installation's office: set up there through the ORM in `manage.py shell` (no browser needed).
SECOND_SETUP = """
from kaohe.accounts.models import User
from kaohe.organisations.models import Membership, Organisation
from kaohe.organisations.regions import region_get_or_create
from kaohe.organisations.roles import Role
region, _ = region_get_or_create(name="河南省", parent=None)
office = Organisation.objects.create(region=region, name="河南省法治政府建设领导小组办公室", kind=Organisation.Kind.OFFICE)
user = User.objects.create_user(username="province_office", password=None, display_name="省考核办示例用户")
Membership.objects.create(user=user, organisation=office, role=Role.OFFICE)
"""
SECOND_DUMP = """
import json
from kaohe.api.models import ImportedResult
rows = ImportedResult.objects.filter(result_import__status="current").order_by("position")
print(json.dumps([[r.category, r.organisation_name, str(r.final) if r.final is not None else None] for r in rows]))
"""


def _second_installation(home: Path) -> Any:
    """Run this project's manage.py as another installation: its own var/, SQLite database and signing key."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "KAOHE_", "DATABASE_URL"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_DEBUG": "true",
            "KAOHE_TESTING": "1",
            "KAOHE_VAR_DIR": str(home),
            "DATABASE_URL": f"sqlite:///{home / 'kaohe.sqlite3'}",
            "KAOHE_EXCHANGE_KEY_FILE": str(home / "exchange-signing-key.pem"),
        }
    )

    def manage(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(  # noqa: S603 (our own manage.py, fixed arguments)
            [sys.executable, str(ROOT / "manage.py"), *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if check:
            assert done.returncode == 0, f"manage.py {args[0]} failed:\n{done.stdout}\n{done.stderr}"
        return done

    return manage


def _money(value: Any) -> Decimal | None:
    """A score as the page, the API or a database shows it (``—``/None for none), to compare them."""
    return None if value in (None, "", "—") else Decimal(str(value)).quantize(Decimal("0.01"))


def _ranked(page: Any) -> dict[str, Decimal | None]:
    """The published table on the page: unit name → final score."""
    rows = page.locator("[data-testid=ranked-row]")
    found = {}
    for i in range(rows.count()):
        cells = rows.nth(i).locator("td")
        found[cells.nth(1).inner_text().strip()] = _money(cells.nth(5).inner_text().strip())
    return found


def _grade_and_approve(plan: Any) -> Any:
    """Every unit of the city's plan graded (a twentieth of a point apart in each category), results computed,
    consulted and approved: ready to publish, not published. Returns the snapshot."""
    from django.utils import timezone

    from kaohe.accounts.models import User
    from kaohe.plans.models import PlanUnit
    from kaohe.results import services
    from kaohe.results.tests.conftest import grade, tasks_of

    office = User.objects.get(username="office")
    position: dict[int, int] = {}
    for unit in PlanUnit.objects.filter(plan=plan).select_related("category").order_by("pk"):
        k = position[unit.category_id] = position.get(unit.category_id, -1) + 1
        biggest = max(tasks_of(unit), key=lambda t: t.points or 0)
        grade(plan, unit, office, scores={biggest.code: (biggest.points or Decimal(0)) - Decimal(k) * Decimal("0.05")})
    snapshot = services.results_compute(actor=office, plan=plan, missing_policy="report")
    release = services.release_start(
        actor=office, plan=plan, snapshot=snapshot, consult_until=timezone.localdate() + dt.timedelta(days=7)
    )
    services.consultation_close(actor=office, plan=plan, release=release)
    services.release_approve(
        actor=office, plan=plan, release=release, approved_by="市法治政府建设领导小组会议审定", approved_on=timezone.localdate()
    )
    return snapshot


def test_province_city_county(page, new_page, live_server, demo_plan, tmp_path):
    from kaohe.accounts.models import User
    from kaohe.plans.copy import plan_copy
    from kaohe.plans.models import Category, Indicator, IndicatorTemplate, Plan
    from kaohe.results import demo_rollup
    from kaohe.results import selectors as result_selectors

    url = live_server.url
    province_plan = Plan.objects.get(title=demo_rollup.PROVINCE_TITLE)
    county_plan = Plan.objects.get(title=demo_rollup.COUNTY_TITLE)
    province_category = Category.objects.get(plan=province_plan, name="省辖市政府")

    # 1. The province's office sends its 省辖市政府 table down: 1.1.1 locked, 2.1.1 at least 20 points.
    province = page
    login(province, live_server, "province_office")
    province.goto(f"{url}/plans/{province_plan.pk}/templates/")
    province.locator("[data-testid=publish-category]", has_text="省辖市政府").click()
    province.wait_for_selector("[data-testid=publish-template-form]")
    province.fill("#id_name", TEMPLATE_NAME)
    province.locator("[data-testid=constraint-row][data-code='1.1.1'] input[type=checkbox]").check()
    province.locator("[data-testid=constraint-row][data-code='2.1.1'] input[aria-label='最低分值 2.1.1']").fill("20")
    shot(province, "e2e17-01-province-publishes-template")
    province.click("[data-testid=publish-template-form] button[type=submit]")
    province.wait_for_selector("[data-testid=template-items]")
    template = IndicatorTemplate.objects.get(name=TEMPLATE_NAME)
    assert template.organisation.name == demo_rollup.PROVINCE_OFFICE
    assert sorted(i.code for i in template.items.all()) == sorted(
        Indicator.objects.filter(category=province_category).values_list("code", flat=True)
    )
    assert [i.code for i in template.items.filter(locked=True)] == ["1.1.1"]
    assert [(i.code, i.min_points) for i in template.items.filter(min_points__isnull=False)] == [("2.1.1", Decimal(20))]

    # 2. The city's office adopts it into its next year's draft and extends it with a local task.
    office = User.objects.get(username="office")
    draft = plan_copy(actor=office, plan=demo_plan, title="平顶山市2021年度依法行政考核")
    city = new_page()
    login(city, live_server, "office")
    city.goto(f"{url}/plans/{draft.pk}/templates/")
    offered = city.locator("[data-testid=available-template]", has_text=TEMPLATE_NAME)
    assert demo_rollup.PROVINCE_OFFICE in offered.inner_text()
    offered.get_by_role("link", name="查看并采用").click()
    city.wait_for_selector("[data-testid=adopt-form]")
    city.fill("#id_new_category", ADOPTED_CATEGORY)
    shot(city, "e2e17-02-city-adopts-template")
    city.click("[data-testid=adopt-form] button[type=submit]")
    city.wait_for_selector("[data-testid=tree-editor]")
    adopted = Category.objects.get(plan=draft, name=ADOPTED_CATEGORY)
    assert city.locator("[data-testid=badge-locked]").count() == 1
    assert "最低20分" in city.inner_text("[data-testid=tree-editor]")

    city.locator("[data-testid=edit-row][data-code='2.1']").get_by_role("link", name="加任务").click()
    city.wait_for_selector("[data-testid=indicator-form]")
    city.fill("#id_name", LOCAL_TASK)
    city.fill("#id_points", "5")
    city.select_option("#id_method", "submission")
    city.click("[data-testid=indicator-form] button[type=submit]")
    city.wait_for_selector("[data-testid=tree-editor]")
    local = Indicator.objects.get(category=adopted, name=LOCAL_TASK)
    assert local.template_item_id is None
    assert city.locator(f"[data-testid=edit-row][data-code='{local.code}'] [data-testid=badge-local]").count() == 1
    shot(city, "e2e17-03-city-extends-template")

    # ... and cannot lower the locked task's points: refused in Chinese, nothing changed.
    locked = Indicator.objects.get(category=adopted, code="1.1.1")
    city.locator("[data-testid=edit-row][data-code='1.1.1']").get_by_role("link", name="编辑").click()
    city.wait_for_selector("[data-testid=template-constraints]")
    city.fill("#id_points", "10")
    city.click("[data-testid=indicator-form] button[type=submit]")
    city.wait_for_selector("text=锁定的任务，不能修改分值")
    shot(city, "e2e17-04-city-refused-locked-points")
    locked.refresh_from_db()
    assert locked.points == Decimal(30)

    # 3. 舞钢市's office runs its own plan; the city's roll-up lists it.
    county = new_page()
    login(county, live_server, "wugang_office")
    county.goto(f"{url}/plans/{county_plan.pk}/")
    assert demo_rollup.COUNTY_TITLE in county.inner_text("body")
    shot(county, "e2e17-05-county-own-plan")
    city.goto(f"{url}/rollup/")
    assert city.locator("[data-testid=rollup-row]").get_by_role("link", name=demo_rollup.COUNTY_TITLE).count() == 1

    # 4. The city's results are computed and approved but not published: the province sees progress, no scores.
    snapshot = _grade_and_approve(demo_plan)
    first = snapshot.summary[0]
    table = result_selectors.category_table(snapshot, first["id"])
    assert table is not None
    expected = {r.name: _money(r.final) for r in table.rows}
    scored = [r for r in table.rows if r.final is not None]
    assert len(scored) >= 3
    secret_score = str(scored[-1].final)  # as the published table prints it
    province.goto(f"{url}/rollup/")
    link = province.locator("[data-testid=rollup-row]").get_by_role("link", name=demo_plan.title, exact=True)
    assert link.count() == 1  # the city's plan, in progress
    link.click()
    province.wait_for_selector("[data-testid=not-published]")
    body = province.inner_text("body")
    assert secret_score not in body and scored[-1].name not in body
    assert province.locator("[data-testid=ranked]").count() == 0
    shot(province, "e2e17-06-province-rollup-unpublished")
    assert province.request.get(f"{url}/rollup/plans/{demo_plan.pk}/bulletin.docx").status == 404

    # 5. The city publishes on its release page.
    city.goto(f"{url}/plans/{demo_plan.pk}/results/release/")
    city.wait_for_selector("[data-testid=ready]")
    city.click("[data-testid=publish]")
    city.wait_for_selector("[data-testid=publication]")
    assert Plan.objects.get(pk=demo_plan.pk).status == Plan.Status.RESULTS_PUBLISHED

    # 6. The province now sees the figures.
    province.reload()
    province.wait_for_selector("[data-testid=published-note]")
    assert first["name"] in province.locator(".card-title", has_text="排名（满分").inner_text()
    shown = _ranked(province)
    assert shown == expected and secret_score in province.inner_text("[data-testid=ranked]")
    shot(province, "e2e17-07-province-rollup-published")
    bulletin = province.request.get(f"{url}/rollup/plans/{demo_plan.pk}/bulletin.docx")
    assert bulletin.status == 200 and bulletin.body()[:2] == b"PK"
    province.goto(f"{url}/rollup/")
    published = province.locator("[data-testid=published-row]").get_by_role("link", name=demo_plan.title, exact=True)
    assert published.count() == 1

    # 7. An API client with a token made on the city's 数据交换 page reads the same figures.
    city.goto(f"{url}/exchange/")
    city.fill("#id_name", "省平台数据汇总")
    for box in city.locator("[data-testid=token-form] input[name=scopes]").all():
        box.check()
    city.click("[data-testid=token-form] button[type=submit]")
    secret = city.inner_text("[data-testid=secret]").strip()
    assert secret.startswith("kh_")
    shot(city, "e2e17-08-city-token-made")
    request = urllib.request.Request(  # noqa: S310 (the live server's http URL)
        f"{url}/api/v1/plans/{demo_plan.pk}/results", headers={"Authorization": f"Bearer {secret}"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        assert response.status == 200
        results = json.load(response)
    api_category = next(c for c in results["categories"] if c["name"] == first["name"])
    assert {u["name"]: _money(u["final"]) for u in api_category["units"]} == shown

    # 8. The city downloads the signed file and its public key on the same page.
    city.goto(f"{url}/exchange/")
    with city.expect_download() as signed_download:
        city.locator("[data-testid=export-list] .list-group-item", has_text=demo_plan.title).get_by_role(
            "link", name="下载签名文件"
        ).click()
    signed_file = tmp_path / "city-results.zip"
    signed_download.value.save_as(signed_file)
    with city.expect_download() as key_download:
        city.get_by_role("link", name="下载公钥文件").click()
    key_file = tmp_path / "city.pem"
    key_download.value.save_as(key_file)
    assert key_file.read_text().startswith("-----BEGIN PUBLIC KEY-----")

    # 9. A second installation (the province's server, networks not connected) trusts the key and imports.
    home = tmp_path / "second-installation"
    home.mkdir()
    manage = _second_installation(home)
    manage("migrate", "--no-input", "-v0")
    manage("shell", "--no-imports", "-c", SECOND_SETUP)
    unknown = manage("import_signed_results", "--office", "province_office", str(signed_file), check=False)
    assert unknown.returncode != 0 and "未登记为受信任公钥" in unknown.stderr
    trusted = manage(
        "exchange_trust_key", "--organisation", demo_rollup.PROVINCE_OFFICE, "--name", "平顶山市考核平台", str(key_file)
    )
    assert "已为" in trusted.stdout
    imported = manage("import_signed_results", "--office", "province_office", str(signed_file))
    assert f"已导入“{demo_plan.organiser.name} {demo_plan.title}”" in imported.stdout
    stored = json.loads(manage("shell", "--no-imports", "-c", SECOND_DUMP).stdout.strip().splitlines()[-1])
    assert {name: _money(final) for category, name, final in stored if category == first["name"]} == shown
    assert not (ROOT / "var" / "second-installation").exists()  # nothing of it in this installation's var/
    assert province.console_errors == [] and county.console_errors == []
    # The city's only console error is the refused form's page, served with status 400 on purpose.
    assert [e for e in city.console_errors if "status of 400" not in e] == [] and len(city.console_errors) == 1
