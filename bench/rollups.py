"""下级考核汇总 at province scale: queries and CPU ms per request of the roll-up pages beside the framework floor.

Run:  .venv/bin/python bench/rollups.py                          # 18 cities × 60 units × 120 tasks + 100 county plans
      .venv/bin/python bench/rollups.py --cities 3 --counties 10  # a quick check
      .venv/bin/python bench/rollups.py --reuse                   # keep the database of an earlier run

What it does, on the PostgreSQL database of DATABASE_URL (default postgres://postgres@127.0.0.1:5432/bench_rollup,
dropped and created again unless ``--reuse``), in-process (Django's test Client, no server):
1. builds, with bulk_create: 河南省's office; ``--cities`` city offices, each with a published plan of 60 units
   (two categories of 30) × 120 tasks (10 一级 × 3 二级 × 4, 100 points); ``--counties`` county offices spread
   over the cities, each with a published plan of 6 units × 34 tasks; an evaluation for every unit × task
   (≈ 150,000 at full scale), 报送 rows for 85 % of the unit × 报送资料 pairs; then the results of two cities in
   three and of two counties in three are computed, approved and published through the ordinary services (the
   others stay in progress: the roll-up shows their progress only);
2. measures, like bench/pages.py (whose floor it reuses: ``base.html`` with an empty block, login-required, same
   middleware), each page ``--warmup`` times, then ``--requests`` timed requests interleaved with floor requests:
   median CPU ms (``time.process_time``; PostgreSQL's own work runs in its server process and shows in wall ms),
   wall ms, queries of one more request, HTML KB, ratio to the floor. Pages: the province's roll-up (every plan),
   a city's roll-up (its counties only), a published lower plan, an unpublished one, a bulletin download;
3. prints the table and the queries of the roll-up at both views (the province's 100+ plans and a city's few),
   which are equal: the count does not grow with the number of lower plans.
Nothing here runs in the test suite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_rollup"
CITY_SHAPE = (10, 3, 4)  # 一级, 二级 per 一级, tasks per 二级 → 120 tasks
COUNTY_SHAPE = (5, 2, 3)  # → 30 tasks, plus 4 under the last 一级 → 34
CITY_UNITS = 60
COUNTY_UNITS = 6
LEVEL1_NAMES = (
    "依法全面履行政府职能",
    "完善依法行政制度体系",
    "依法科学民主决策",
    "严格规范公正文明执法",
    "强化行政权力制约监督",
    "依法有效化解社会矛盾纠纷",
    "提高政府工作人员法治思维",
    "法治政府建设组织领导",
    "政务公开",
    "诚信政府建设",
)


def admin_sql(url: str, statement: str) -> None:
    import psycopg

    base, _, _name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(statement)


def setup_django(url: str, reuse: bool) -> None:
    name = url.rpartition("/")[2]
    if not reuse:
        admin_sql(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin_sql(url, f'CREATE DATABASE "{name}"')
    var = ROOT / "var" / "bench"
    var.mkdir(parents=True, exist_ok=True)
    os.environ.update(
        {
            "DATABASE_URL": url,
            "KAOHE_VAR_DIR": str(var),
            "DJANGO_SECRET_KEY": "bench-only",
            "KAOHE_AUDIT_KEY": "bench-only-audit-key-0123456789abcdef",
            "KAOHE_AUDIT_ANCHOR_FILE": str(var / "audit-anchors-rollup.log"),
            "DJANGO_DEBUG": "false",
            "DJANGO_ALLOWED_HOSTS": "testserver",
            "KAOHE_CACHE": "locmem",
            "KAOHE_LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
    )
    os.environ.pop("KAOHE_TESTING", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _tree(plan: Any, category: Any, shape: tuple[int, int, int], extra: int, methods: Sequence[str]) -> list[Any]:
    """A category's table in three bulk inserts: 一级, 二级, tasks (100 points); returns the tasks."""
    from kaohe.plans.constants import Level
    from kaohe.plans.models import Indicator

    n1, n2, n3 = shape
    count = n1 * n2 * n3 + extra
    points = (Decimal(100) / count).quantize(Decimal("0.01"))
    level1 = Indicator.objects.bulk_create(
        [
            Indicator(
                plan=plan,
                category=category,
                level=Level.LEVEL1,
                code=str(a),
                order=a * 1000,
                name=LEVEL1_NAMES[a - 1],
                points=None,
            )
            for a in range(1, n1 + 1)
        ]
    )
    level2 = Indicator.objects.bulk_create(
        [
            Indicator(
                plan=plan,
                category=category,
                parent=l1,
                level=Level.LEVEL2,
                code=f"{a}.{b}",
                order=a * 1000 + b * 100,
                name=f"二级指标{a}.{b}",
            )
            for a, l1 in enumerate(level1, start=1)
            for b in range(1, n2 + 1)
        ]
    )
    tasks: list[Any] = []
    for index, l2 in enumerate(level2):
        a, b = (int(x) for x in l2.code.split("."))
        per = n3 + (extra if index == len(level2) - 1 else 0)
        for c in range(1, per + 1):
            tasks.append(
                Indicator(
                    plan=plan,
                    category=category,
                    parent=l2,
                    level=Level.TASK,
                    code=f"{a}.{b}.{c}",
                    order=a * 1000 + b * 100 + c,
                    name=f"工作任务{a}.{b}.{c}",
                    points=points,
                    method=methods[len(tasks) % len(methods)],
                    materials="相关材料",
                )
            )
    return Indicator.objects.bulk_create(tasks)


def build(cities: int, counties: int, seed: int) -> dict[str, int]:
    from django.db import transaction

    from kaohe.accounts.models import User
    from kaohe.organisations.models import Membership, Organisation, Region
    from kaohe.organisations.roles import Role
    from kaohe.plans.constants import Method
    from kaohe.plans.models import Category, Plan, PlanUnit, ScoringPolicy
    from kaohe.scoring.models import Evaluation
    from kaohe.submissions.models import Submission

    rng = random.Random(seed)
    methods = [Method.SUBMISSION] * 6 + [Method.DAILY] * 3 + [Method.FIELD]
    stamp = dt.datetime(2020, 12, 28, 10, 0, tzinfo=dt.UTC)
    offices: dict[int, User] = {}  # plan id → its office's account
    counts = {"plans": 0, "units": 0, "evaluations": 0, "submissions": 0}
    with transaction.atomic():
        province = Region.objects.create(name="河南省", level=Region.Level.PROVINCE)
        province_org = Organisation.objects.create(region=province, name="河南省法治政府建设领导小组办公室", kind="office")
        province_user = User.objects.create(username="province_office", display_name="省考核办")
        Membership.objects.create(user=province_user, organisation=province_org, role=Role.OFFICE)
        city_regions = Region.objects.bulk_create(
            [Region(name=f"第{i + 1:02d}市", level=Region.Level.CITY, parent=province) for i in range(cities)]
        )
        county_regions = Region.objects.bulk_create(
            [Region(name=f"第{i + 1:03d}县", level=Region.Level.COUNTY, parent=city_regions[i % cities]) for i in range(counties)]
        )
        regions = [(r, CITY_UNITS, CITY_SHAPE, 0, 2) for r in city_regions]
        regions += [(r, COUNTY_UNITS, COUNTY_SHAPE, 4, 1) for r in county_regions]
        office_orgs = Organisation.objects.bulk_create(
            [Organisation(region=r, name=f"{r.name}法治政府建设领导小组办公室", kind="office") for r, *_ in regions]
        )
        users = User.objects.bulk_create(
            [User(username=f"office_{i:03d}", display_name=f"{r.name}考核办") for i, (r, *_rest) in enumerate(regions)]
        )
        Membership.objects.bulk_create(
            [Membership(user=u, organisation=o, role=Role.OFFICE) for u, o in zip(users, office_orgs, strict=True)]
        )
        plans = Plan.objects.bulk_create(
            [
                Plan(
                    organiser=o,
                    year=2020,
                    title=f"{r.name}2020年度依法行政考核",
                    period_start=dt.date(2020, 1, 1),
                    period_end=dt.date(2020, 12, 31),
                    submission_deadline=dt.date(2020, 12, 31),
                    status=Plan.Status.PUBLISHED,
                    published_at=stamp,
                )
                for o, (r, *_rest) in zip(office_orgs, regions, strict=True)
            ]
        )
        ScoringPolicy.objects.bulk_create([ScoringPolicy(plan=p) for p in plans])
        for plan, user, (region, n_units, shape, extra, n_categories) in zip(plans, users, regions, strict=True):
            offices[plan.pk] = user
            unit_orgs = Organisation.objects.bulk_create(
                [Organisation(region=region, name=f"{region.name}考核对象{i:02d}", sort_key=f"u{i:02d}") for i in range(n_units)]
            )
            categories = Category.objects.bulk_create(
                [
                    Category(plan=plan, name=("县区政府", "部门")[i] if n_categories > 1 else "部门", order=i)
                    for i in range(n_categories)
                ]
            )
            tasks = {c.pk: _tree(plan, c, shape, extra, methods) for c in categories}
            units = PlanUnit.objects.bulk_create(
                [
                    PlanUnit(plan=plan, category=categories[i * n_categories // n_units], organisation=o)
                    for i, o in enumerate(unit_orgs)
                ]
            )
            evaluations, submissions = [], []
            for unit in units:
                for task in tasks[unit.category_id]:
                    score = (task.points * Decimal(rng.choice((100, 100, 100, 90, 80, 50))) / 100).quantize(Decimal("0.01"))
                    evaluations.append(
                        Evaluation(
                            plan=plan,
                            unit=unit,
                            task=task,
                            score=score,
                            reason="" if score == task.points else "资料不全",
                            evaluated_by=user,
                            evaluated_at=stamp,
                        )
                    )
                    if task.method == Method.SUBMISSION and rng.random() < 0.85:
                        submissions.append(
                            Submission(plan=plan, unit=unit, task=task, status=Submission.Status.EVALUATED, version=1)
                        )
            Evaluation.objects.bulk_create(evaluations, batch_size=5000)
            Submission.objects.bulk_create(submissions, batch_size=5000)
            counts["plans"] += 1
            counts["units"] += len(units)
            counts["evaluations"] += len(evaluations)
            counts["submissions"] += len(submissions)
    published = 0
    for index, plan in enumerate(plans):
        # two cities in three; of each city's counties (county j lies in city j mod cities) two in three
        if (index if index < cities else (index - cities) // cities) % 3 != 2:
            publish(plan, offices[plan.pk])
            published += 1
    counts["published"] = published
    return counts


def publish(plan: Any, office: Any) -> None:
    from django.utils import timezone

    from kaohe.results import services
    from kaohe.results.models import ResultRelease

    snapshot = services.results_compute(actor=office, plan=plan, missing_policy="report")
    today = timezone.localdate()
    release = services.release_start(actor=office, plan=plan, snapshot=snapshot, consult_until=today + dt.timedelta(days=7))
    services.consultation_close(actor=office, plan=plan, release=release)
    services.release_approve(
        actor=office, plan=plan, release=release, approved_by="领导小组会议审定（基准测试）", approved_on=today
    )
    services.release_publish(actor=office, plan=plan, release=ResultRelease.objects.get(pk=release.pk))


def pages() -> list[tuple[str, str, str]]:
    """(label, username, path): the floor first."""
    from bench.pages import FLOOR_PATH
    from kaohe.plans.models import Plan
    from kaohe.results.models import ResultPublication

    published = set(ResultPublication.objects.filter(withdrawn_at__isnull=True).values_list("plan_id", flat=True))
    cities = Plan.objects.filter(organiser__region__level="city").order_by("pk")
    done = next(p for p in cities if p.pk in published)
    running = next(p for p in Plan.objects.order_by("pk") if p.pk not in published)
    # a city whose counties' plans are of both kinds (published, in progress), so its roll-up runs every query
    lower = Plan.objects.filter(organiser__region__level="county").values_list("organiser__region__parent_id", "pk")
    kinds: dict[int, set[bool]] = {}
    for region_id, pk in lower:
        kinds.setdefault(region_id or 0, set()).add(pk in published)
    mixed = next((c for c in cities.select_related("organiser") if kinds.get(c.organiser.region_id) == {True, False}), done)
    city_user = Plan.objects.filter(pk=mixed.pk).values_list("organiser__memberships__user__username", flat=True).get()
    return [
        ("floor (base layout only)", "province_office", FLOOR_PATH),
        ("province: roll-up (all plans)", "province_office", "/rollup/"),
        ("city: roll-up (its counties)", city_user, "/rollup/"),
        ("province: published city plan", "province_office", f"/rollup/plans/{done.pk}/"),
        ("province: plan in progress", "province_office", f"/rollup/plans/{running.pk}/"),
        ("province: bulletin (.docx)", "province_office", f"/rollup/plans/{done.pk}/bulletin.docx"),
    ]


def measure(args: argparse.Namespace) -> list[dict[str, Any]]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from bench.pages import _install_urlconf
    from kaohe.accounts.models import User

    _install_urlconf()
    todo = pages()
    clients: dict[str, Client] = {}
    for username in sorted({u for _, u, _ in todo}):
        user = User.objects.get(username=username)
        user.must_change_password = False
        user.password_changed_at = timezone.now()
        user.save(update_fields=["must_change_password", "password_changed_at"])
        clients[username] = Client()
        clients[username].force_login(user)

    def timed(client: Client, path: str) -> tuple[float, float]:
        c0, w0 = time.process_time(), time.perf_counter()
        response = client.get(path)
        wall, cpu = (time.perf_counter() - w0) * 1000, (time.process_time() - c0) * 1000
        assert response.status_code == 200, (path, response.status_code)
        return cpu, wall

    _, floor_user, floor_path = todo[0]
    floor_client = clients[floor_user]
    floor_cpu: list[float] = []
    rows: list[dict[str, Any]] = []
    for label, username, path in todo[1:]:
        client = clients[username]
        for _ in range(args.warmup):
            timed(client, path)
            timed(floor_client, floor_path)
        cpu, wall, paired = [], [], []
        for _ in range(args.requests):
            paired.append(timed(floor_client, floor_path)[0])
            c, w = timed(client, path)
            cpu.append(c)
            wall.append(w)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        floor_cpu += paired
        rows.append(
            {
                "page": label,
                "path": path,
                "cpu_ms": statistics.median(cpu),
                "wall_ms": statistics.median(wall),
                "queries": len(queries.captured_queries),
                "kb": len(response.content) / 1024,
                "ratio": statistics.median(cpu) / statistics.median(paired),
            }
        )
    with CaptureQueriesContext(connection) as queries:
        response = floor_client.get(floor_path)
    floor = statistics.median(floor_cpu)
    rows.insert(
        0,
        {
            "page": todo[0][0],
            "path": floor_path,
            "cpu_ms": floor,
            "wall_ms": float("nan"),
            "queries": len(queries.captured_queries),
            "kb": len(response.content) / 1024,
            "ratio": 1.0,
        },
    )
    return rows


def profile() -> None:
    """Where one request of the province's roll-up spends its time: our functions by cumulative time."""
    import cProfile
    import pstats

    from django.test import Client

    from kaohe.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username="province_office"))
    client.get("/rollup/")
    profiler = cProfile.Profile()
    profiler.enable()
    client.get("/rollup/")
    profiler.disable()
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats("cumulative").print_stats(r"/kaohe/|/templates/", 25)
    stats.sort_stats("tottime").print_stats(12)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cities", type=int, default=18)
    parser.add_argument("--counties", type=int, default=100)
    parser.add_argument("--requests", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--reuse", action="store_true", help="keep the database of an earlier run")
    parser.add_argument("--profile", action="store_true", help="also print where one province roll-up request goes")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not url.startswith("postgres"):
        sys.exit(f"DATABASE_URL must name a PostgreSQL database (got {url})")
    setup_django(url, args.reuse)
    from django.core.management import call_command

    from kaohe.plans.models import Plan

    if not args.reuse or not Plan.objects.exists():
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        counts = build(args.cities, args.counties, args.seed)
        print(f"built in {time.perf_counter() - started:.0f} s: " + ", ".join(f"{v} {k}" for k, v in counts.items()), flush=True)
    rows = measure(args)
    if args.profile:
        profile()
    load = Path("/proc/loadavg").read_text().split()[:3]
    print(f"\nroll-up pages, medians of {args.requests} requests (load average {' '.join(load)}, {os.cpu_count()} CPUs)")
    print(f"{'page':<34} {'CPU ms':>8} {'wall ms':>8} {'queries':>8} {'HTML KB':>8} {'× floor':>8}")
    for row in rows:
        print(
            f"{row['page']:<34} {row['cpu_ms']:>8.1f} {row['wall_ms']:>8.1f} {row['queries']:>8} {row['kb']:>8.1f} {row['ratio']:>8.1f}"
        )
    by_label = {row["page"]: row["queries"] for row in rows}
    same = by_label["province: roll-up (all plans)"] == by_label["city: roll-up (its counties)"]
    print(
        f"\nqueries of the roll-up: province (all lower plans) and one city (its counties) are {'equal' if same else 'NOT equal'}"
    )


if __name__ == "__main__":
    main()
