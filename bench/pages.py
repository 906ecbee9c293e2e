"""Pages against the framework floor: CPU ms, queries and HTML bytes of every main page, city scale and 300 units.

Run:  .venv/bin/python bench/pages.py                 # both scales (city = the demo's 60 units, then 300 units)
      .venv/bin/python bench/pages.py --scale city    # one scale
      .venv/bin/python bench/pages.py --requests 5    # a quick check
      .venv/bin/python bench/pages.py --reuse         # keep the databases built by an earlier run
      .venv/bin/python bench/pages.py --reuse --profile grid  # … and print where one grid request goes

What it does, one process per scale, all in-process (Django's test Client, no server, no network):
1. builds its own SQLite database ``var/bench/pages-<scale>.sqlite3`` (migrate, ``load_demo``), scales the demo plan
   to the target with the code of ``bench/mixed_load.py`` (its ``SETUP``: the 60 demo units cloned round-robin),
   then writes a realistic mid-cycle state in bulk: 85 % of unit × 报送资料 pairs submitted with 1–3 files each
   (rows only; no file is read by the pages measured), 70 % of those graded 优/良/中/差, 60 % of the other scored
   tasks scored, each evaluation with its history row; then computes the results (missing = 0);
2. the floor: ``/__bench__/floor/``, registered only in this module's URLconf, a login-required view rendering
   ``base.html`` with an empty content block for the same user through the same middleware (session, auth,
   CSRF, security headers, account policy, axes; session saved on every request as in production);
3. for each page: ``--warmup`` requests, then ``--requests`` timed ones; per page the median CPU ms
   (``time.process_time``: SQLite runs in this process, so its work is counted too), the median wall ms, the
   queries of one more request (counted separately, so counting costs no time), the HTML bytes, and the ratio
   of the CPU median to the floor's, timed interleaved with the page (a floor request before each page request,
   so both are taken under the same load on a shared machine);
4. prints a table per scale and writes everything to ``var/bench/pages.json``.
Settings as in production (DEBUG off, manifest static files, ``collectstatic`` into var/bench/), except the
cache (local memory) and the database (SQLite). Nothing here runs in the test suite.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"
SCALES = {"city": 60, "300": 300}  # the demo plan has 60 units
GOALS = {"city": 3.0, "300": 5.0}  # issue 18: within 3× the floor at city scale, 5× at 300 units
FLOOR_PATH = "/__bench__/floor/"
DEMO_TITLE = "平顶山市2020年度依法行政考核"  # kaohe.demo.loader.DEMO_TITLE: load_demo also makes two other 2020 plans


# --- the bench's own URLconf: the product's, plus the floor -----------------------------------------------

urlpatterns: list[Any] = []
handler403: str | None = None
handler404: str | None = None
handler500: str | None = None


def _install_urlconf() -> None:
    """Fill this module's urlpatterns (the product's, plus the floor) and make it the root URLconf."""
    from django.conf import settings
    from django.contrib.auth.decorators import login_required
    from django.http import HttpRequest, HttpResponse
    from django.template import engines
    from django.urls import clear_url_caches, include, path
    from django.views.decorators.http import require_GET

    import config.urls

    global urlpatterns, handler403, handler404, handler500  # this module is the URLconf
    template = engines["django"].from_string('{% extends "base.html" %}{% block title %}基准{% endblock %}')

    @login_required
    @require_GET
    def floor(request: HttpRequest) -> HttpResponse:
        return HttpResponse(template.render({}, request))

    urlpatterns = [path(FLOOR_PATH.strip("/") + "/", floor, name="bench_floor"), path("", include("config.urls"))]
    handler403, handler404, handler500 = config.urls.handler403, config.urls.handler404, config.urls.handler500
    settings.ROOT_URLCONF = __name__
    clear_url_caches()


# --- building the database -----------------------------------------------------------------------------


def remove_database(db: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


def setup_django(scale: str, reuse: bool) -> Path:
    db = OUT / f"pages-{scale}.sqlite3"
    if not reuse:
        remove_database(db)
    os.environ.update(
        {
            "DATABASE_URL": f"sqlite:///{db}",
            "KAOHE_VAR_DIR": str(OUT),
            "DJANGO_SECRET_KEY": "bench-only",
            "KAOHE_AUDIT_KEY": "bench-only-audit-key-0123456789abcdef",
            "KAOHE_AUDIT_ANCHOR_FILE": str(OUT / "audit-anchors.log"),
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
    return db


def build(units: int, seed: int) -> None:
    from django.core.management import call_command

    from bench.mixed_load import PASSWORD, SETUP

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    with contextlib.redirect_stdout(io.StringIO()):
        call_command("load_demo")
        # the same scaling code as the mixed-load benchmark (it also computes the results once)
        exec(SETUP.format(target=units, office=1, password=PASSWORD), {})  # noqa: S102 - our own bench code
    scaled = time.perf_counter()
    counts = populate(seed)
    print(
        f"  built in {time.perf_counter() - started:.0f} s (demo and scaling {scaled - started:.0f} s): "
        + ", ".join(f"{v} {k}" for k, v in counts.items()),
        flush=True,
    )


def populate(seed: int) -> dict[str, int]:
    """Evidence and evaluations in bulk, then the results (missing = 0)."""
    from django.db import transaction
    from django.utils import timezone

    from kaohe.accounts.models import User
    from kaohe.organisations.models import Membership
    from kaohe.plans.constants import Adjustment, Level
    from kaohe.plans.models import Indicator, Plan, PlanUnit, ScoringPolicy
    from kaohe.results import services as results
    from kaohe.scoring.models import Evaluation, EvaluationChange, GradeChoice
    from kaohe.scoring.services import is_graded
    from kaohe.submissions.models import EvidenceFile, Submission
    from kaohe.submissions.services import needs_evidence

    rng = random.Random(seed)
    plan = Plan.objects.get(year=2020, title=DEMO_TITLE)
    office = User.objects.get(username="office")
    policy = ScoringPolicy.objects.get(plan=plan)
    pct = {
        GradeChoice.EXCELLENT: policy.grade_excellent_pct,
        GradeChoice.GOOD: policy.grade_good_pct,
        GradeChoice.FAIR: policy.grade_fair_pct,
        GradeChoice.POOR: policy.grade_poor_pct,
    }
    tasks: dict[int, list[Indicator]] = {}
    for task in Indicator.objects.filter(plan=plan, level=Level.TASK, adjustment=Adjustment.NONE).order_by("order"):
        tasks.setdefault(task.category_id, []).append(task)
    units = list(PlanUnit.objects.filter(plan=plan).order_by("pk"))
    # files are uploaded by the unit's bench account (made by SETUP), else by the office
    unit_users = dict(
        Membership.objects.filter(user__username__startswith="bench_unit_").values_list("organisation_id", "user_id")
    )
    now = timezone.now()
    base = now - dt.timedelta(days=30)
    # the demo already holds some evidence (events, the insights' documents) and evaluations: leave those pairs
    submitted_already = set(Submission.objects.filter(plan=plan).values_list("unit_id", "task_id"))
    graded_already = set(Evaluation.objects.filter(plan=plan).values_list("unit_id", "task_id"))
    submissions: list[Submission] = []
    files: list[list[tuple[str, int]]] = []
    graded: list[tuple[PlanUnit, Indicator, str, Decimal]] = []
    for unit in units:
        uploader = unit_users.get(unit.organisation_id, office.pk)
        for task in tasks.get(unit.category_id, []):
            if task.points is None or (unit.pk, task.pk) in submitted_already or (unit.pk, task.pk) in graded_already:
                continue
            if needs_evidence(task):
                if rng.random() >= 0.85:
                    continue
                status = Submission.Status.SUBMITTED
                if is_graded(task) and rng.random() < 0.7:
                    grade = rng.choices(list(pct), weights=(5, 3, 1, 0.3))[0]
                    graded.append((unit, task, grade, (task.points * pct[grade] / 100).quantize(Decimal("0.01"))))
                    status = Submission.Status.EVALUATED
                at = base + dt.timedelta(minutes=rng.randint(0, 40000))
                submissions.append(
                    Submission(
                        plan=plan,
                        unit=unit,
                        task=task,
                        status=status,
                        first_submitted_at=at,
                        last_changed_at=at,
                        version=1,
                        note="按要求报送" if rng.random() < 0.3 else "",
                    )
                )
                files.append([(f"{task.code}材料{i + 1}.pdf", uploader) for i in range(rng.choice((1, 1, 2, 3)))])
            elif rng.random() < 0.6:
                score = (task.points * Decimal(rng.choice((100, 100, 100, 90, 80, 50))) / 100).quantize(Decimal("0.01"))
                graded.append((unit, task, "", score))
    with transaction.atomic():
        Submission.objects.bulk_create(submissions, batch_size=2000)
        rows = [
            EvidenceFile(
                submission=s,
                storage_name=f"evidence/plan-{plan.pk}/unit-{s.unit_id}/task-{s.task_id}/bench-{i}.pdf",
                display_name=name,
                size=rng.randint(8, 2000) * 1024,
                sha256=f"{rng.getrandbits(256):064x}",
                kind="pdf",
                mime="application/pdf",
                uploaded_by_id=uploader,
                uploaded_at=s.last_changed_at or now,
            )
            for s, names in zip(submissions, files, strict=True)
            for i, (name, uploader) in enumerate(names)
        ]
        EvidenceFile.objects.bulk_create(rows, batch_size=2000)
        evaluations = Evaluation.objects.bulk_create(
            [
                Evaluation(
                    plan=plan,
                    unit=unit,
                    task=task,
                    grade=grade,
                    score=score,
                    reason="" if score == task.points else "材料不够完整",
                    desk_id=task.assessor_id,
                    evaluated_by=office,
                    evaluated_at=now,
                    version=1,
                )
                for unit, task, grade, score in graded
            ],
            batch_size=2000,
        )
        EvaluationChange.objects.bulk_create(
            [
                EvaluationChange(
                    evaluation=e,
                    changed_by=office,
                    changed_at=now,
                    new_grade=e.grade,
                    new_score=e.score,
                    reason=e.reason,
                )
                for e in evaluations
            ],
            batch_size=2000,
        )
    results.results_compute(actor=office, plan=plan, missing_policy="zero", decision_note="基准测试：缺少的评价按0分计")
    return {"units": len(units), "submissions": len(submissions), "files": len(rows), "evaluations": len(evaluations)}


# --- the pages ----------------------------------------------------------------------------------------


def pages() -> list[tuple[str, str, str, dict[str, str]]]:
    """(label, username, path, extra headers) of every page measured; the floor first."""
    from django.db.models import Count

    from kaohe.accounts.models import User
    from kaohe.plans.models import AssessorDesk, Plan, PlanUnit
    from kaohe.results.models import ResultSnapshot
    from kaohe.scoring.models import Evaluation
    from kaohe.submissions.models import Submission

    plan = Plan.objects.get(year=2020, title=DEMO_TITLE)
    p = f"/plans/{plan.pk}"
    snapshot = ResultSnapshot.objects.filter(plan=plan).order_by("-seq").first()
    assert snapshot is not None
    desk_user = User.objects.get(username="desk_yfxz")
    desk = AssessorDesk.objects.get(plan=plan, organisation__memberships__user=desk_user)
    # the desk's biggest category: most units × its tasks
    sizes = {row["category"]: row["n"] for row in PlanUnit.objects.filter(plan=plan).values("category").annotate(n=Count("pk"))}
    desk_tasks = desk.tasks.values("category").annotate(n=Count("pk"))
    biggest = max(desk_tasks, key=lambda row: row["n"] * sizes.get(row["category"], 0))["category"]
    graded_unit = (
        Evaluation.objects.filter(plan=plan, desk=desk, unit__category_id=biggest)
        .order_by("unit_id")
        .values_list("unit_id", "task_id")
        .first()
    )
    assert graded_unit is not None
    unit_user = User.objects.get(username="unit_wugang")
    unit = PlanUnit.objects.get(plan=plan, organisation__memberships__user=unit_user)
    submitted = Submission.objects.filter(plan=plan, unit=unit).order_by("task__order").values_list("task_id", flat=True).first()
    breakdown_unit = PlanUnit.objects.filter(plan=plan, category_id=biggest).order_by("-pk").values_list("pk", flat=True).first()
    hx = {"HTTP_HX_REQUEST": "true"}
    return [
        ("floor (base layout only)", "office", FLOOR_PATH, {}),
        ("office: home", "office", "/", {}),
        ("office: plan page", "office", f"{p}/", {}),
        ("office: evidence overview", "office", f"{p}/evidence/overview/", {}),
        ("office: results index", "office", f"{p}/results/", {}),
        ("office: results snapshot", "office", f"{p}/results/{snapshot.pk}/", {}),
        ("office: unit breakdown", "office", f"{p}/results/{snapshot.pk}/units/{breakdown_unit}/", {}),
        ("office: analysis", "office", f"{p}/analysis/", {}),
        ("office: release", "office", f"{p}/results/release/", {}),
        ("desk: home", "desk_yfxz", "/", {}),
        ("desk: queue", "desk_yfxz", f"{p}/evidence/queue/", {}),
        ("desk: grid (biggest category)", "desk_yfxz", f"{p}/evaluate/?category={biggest}", {}),
        ("desk: grading page (one unit)", "desk_yfxz", f"{p}/evaluate/{graded_unit[0]}/", {}),
        ("desk: open cell (htmx)", "desk_yfxz", f"{p}/evaluate/{graded_unit[0]}/tasks/{graded_unit[1]}/", hx),
        ("unit: home", "unit_wugang", "/", {}),
        ("unit: workspace", "unit_wugang", f"{p}/evidence/", {}),
        ("unit: task page", "unit_wugang", f"{p}/evidence/{unit.pk}/tasks/{submitted}/", {}),
        ("viewer: home", "viewer", "/", {}),
        ("viewer: plan page", "viewer", f"{p}/", {}),
        ("viewer: analysis", "viewer", f"{p}/analysis/", {}),
        ("sysadmin: users", "sysadmin", "/accounts/users/", {}),
        ("secadmin: lockouts", "secadmin", "/accounts/security/", {}),
        ("auditor: audit log", "auditor", "/security/audit/", {}),
    ]


def more_pages() -> list[tuple[str, str, str, dict[str, str]]]:
    """The other pages of the year's cycle (``--pages more``): set-up, adjustments, feedback, rectification,
    inspections, insights, roll-up. Each renders on the bench's mid-cycle plan (some lists are short there)."""
    from kaohe.plans.models import Category, Plan

    plan = Plan.objects.get(year=2020, title=DEMO_TITLE)
    p = f"/plans/{plan.pk}"
    category = Category.objects.filter(plan=plan).order_by("order", "pk").values_list("pk", flat=True).first()
    return [
        ("office: indicator tree", "office", f"{p}/categories/{category}/", {}),
        ("office: units", "office", f"{p}/units/", {}),
        ("office: desks", "office", f"{p}/desks/", {}),
        ("office: plan settings", "office", f"{p}/settings/", {}),
        ("office: scoring policy", "office", f"{p}/policy/", {}),
        ("office: extensions", "office", f"{p}/evidence/extensions/", {}),
        ("office: 不涉及", "office", f"{p}/applicability/", {}),
        ("office: 加减分", "office", f"{p}/adjustments/office/", {}),
        ("office: feedback and 复核", "office", f"{p}/feedback/office/", {}),
        ("office: rectification", "office", f"{p}/rectification/office/", {}),
        ("office: 约谈", "office", f"{p}/talks/", {}),
        ("office: annual reports", "office", f"{p}/insights/reports/", {}),
        ("office: fieldwork", "office", f"{p}/fieldwork/", {}),
        ("office: ability tests", "office", f"{p}/ability-tests/", {}),
        ("office: case files", "office", f"{p}/case-files/office/", {}),
        ("office: practices", "office", f"{p}/practices/", {}),
        ("office: roll-up of the plans below", "office", "/rollup/", {}),
        ("desk: evidence search", "desk_yfxz", f"{p}/insights/search/?q=%E5%88%B6%E5%BA%A6", {}),
        ("unit: 加减分", "unit_wugang", f"{p}/adjustments/", {}),
        ("unit: feedback", "unit_wugang", f"{p}/feedback/", {}),
        ("unit: rectification", "unit_wugang", f"{p}/rectification/", {}),
    ]


def measure(scale: str, args: argparse.Namespace) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from kaohe.accounts.models import User

    _install_urlconf()
    todo = pages()
    if args.pages != "main":
        todo = [todo[0], *more_pages()] if args.pages == "more" else [*todo, *more_pages()]
    clients: dict[str, Client] = {}
    for username in sorted({u for _, u, _, _ in todo}):
        user = User.objects.get(username=username)
        user.must_change_password = False
        user.password_changed_at = timezone.now()
        user.save(update_fields=["must_change_password", "password_changed_at"])
        clients[username] = Client()
        clients[username].force_login(user)

    def timed(client: Client, path: str, headers: dict[str, str]) -> tuple[float, float]:
        c0, w0 = time.process_time(), time.perf_counter()
        response = client.get(path, **headers)  # type: ignore[arg-type]
        wall, cpu = (time.perf_counter() - w0) * 1000, (time.process_time() - c0) * 1000
        assert response.status_code == 200, (path, response.status_code)
        return cpu, wall

    # The floor is timed interleaved with every page (one floor request before each page request), so each
    # ratio compares two figures taken under the same load; the floor's own row pools all those samples.
    _, floor_user, floor_path, _ = todo[0]
    floor_client = clients[floor_user]
    floor_cpu: list[float] = []
    floor_wall: list[float] = []
    rows: list[dict[str, Any]] = []
    for label, username, path, headers in todo[1:]:
        client = clients[username]
        response = client.get(path, **headers)  # type: ignore[arg-type]
        if response.status_code != 200:
            print(f"  {label}: HTTP {response.status_code} for {path}, skipped", flush=True)
            rows.append({"page": label, "user": username, "path": path, "status": response.status_code})
            continue
        for _ in range(args.warmup - 1):
            client.get(path, **headers)  # type: ignore[arg-type]
            floor_client.get(floor_path)
        cpu: list[float] = []
        wall: list[float] = []
        paired: list[float] = []
        for _ in range(args.requests):
            c, w = timed(floor_client, floor_path, {})
            paired.append(c)
            floor_wall.append(w)
            c, w = timed(client, path, headers)
            cpu.append(c)
            wall.append(w)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path, **headers)  # type: ignore[arg-type]
        rows.append(
            {
                "page": label,
                "user": username,
                "path": path,
                "status": 200,
                "cpu_ms": round(statistics.median(cpu), 2),
                "cpu_ms_min": round(min(cpu), 2),
                "wall_ms": round(statistics.median(wall), 2),
                "queries": len(queries.captured_queries),
                "html_bytes": len(response.content),
                "floor_cpu_ms": round(statistics.median(paired), 2),
                "ratio": round(statistics.median(cpu) / statistics.median(paired), 2),
            }
        )
        floor_cpu += paired
    with CaptureQueriesContext(connection) as queries:
        response = floor_client.get(floor_path)
    floor = {
        "page": todo[0][0],
        "user": floor_user,
        "path": floor_path,
        "status": 200,
        "cpu_ms": round(statistics.median(floor_cpu), 2),
        "cpu_ms_min": round(min(floor_cpu), 2),
        "wall_ms": round(statistics.median(floor_wall), 2),
        "queries": len(queries.captured_queries),
        "html_bytes": len(response.content),
        "floor_cpu_ms": round(statistics.median(floor_cpu), 2),
        "ratio": 1.0,
    }
    rows.insert(0, floor)
    if args.profile:
        for label, username, path, headers in todo:
            if any(part.strip().lower() in label.lower() for part in args.profile.split(",")):
                profile(label, clients[username], path, headers)
    return {"scale": scale, "units": SCALES[scale], "goal_ratio": GOALS[scale], "pages": rows}


def profile(label: str, client: Any, path: str, headers: dict[str, str]) -> None:
    """Where one request of the page spends its time: our functions by cumulative time, all by own time."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    client.get(path, **headers)
    profiler.disable()
    print(f"\nprofile of one request, {label} ({path}):")
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats("cumulative").print_stats(r"/kaohe/|/templates/", 20)
    stats.sort_stats("tottime").print_stats(15)


def print_table(result: dict[str, Any]) -> None:
    goal = result["goal_ratio"]
    print(f"\n{result['scale']} scale ({result['units']} units), medians; goal: within {goal:g}× the floor's CPU")
    print(f"{'page':<32} {'CPU ms':>8} {'wall ms':>8} {'queries':>8} {'HTML KB':>8} {'× floor':>8}")
    for row in result["pages"]:
        if "cpu_ms" not in row:
            print(f"{row['page']:<32} HTTP {row['status']}")
            continue
        mark = "" if row["ratio"] <= goal else "  over"
        print(
            f"{row['page']:<32} {row['cpu_ms']:>8.1f} {row['wall_ms']:>8.1f} {row['queries']:>8} "
            f"{row['html_bytes'] / 1024:>8.1f} {row['ratio']:>8.1f}{mark}"
        )


def machine() -> dict[str, Any]:
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "host": platform.node(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "load_average": [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]],
    }


def run_one(scale: str, args: argparse.Namespace) -> dict[str, Any]:
    db = setup_django(scale, args.reuse)
    import django
    from django.db import DatabaseError, connections

    from kaohe.plans.models import Plan
    from kaohe.results.models import ResultSnapshot

    try:
        reusable = (
            args.reuse and ResultSnapshot.objects.filter(plan__in=Plan.objects.filter(year=2020, title=DEMO_TITLE)).exists()
        )
    except DatabaseError:  # no tables yet
        reusable = False
    if not reusable:
        connections.close_all()
        remove_database(db)
        print(f"building {db.relative_to(ROOT)}: the demo plan at {SCALES[scale]} units …", flush=True)
        build(SCALES[scale], args.seed)
    before = machine()
    result = measure(scale, args)
    result["machine"] = {**before, "load_average_after": machine()["load_average"], "django": django.get_version()}
    result["settings"] = {"database": "SQLite (file)", "debug": False, "requests": args.requests, "warmup": args.warmup}
    print_table(result)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=[*SCALES, "all"], default="all")
    parser.add_argument("--requests", type=int, default=20, help="timed requests per page (the median is reported)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests per page first")
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument(
        "--pages",
        choices=["main", "more", "all"],
        default="main",
        help="main: the 22 pages of the daily work (default); more: the other pages of the cycle; all: both",
    )
    parser.add_argument("--reuse", action="store_true", help="reuse var/bench/pages-<scale>.sqlite3 if it exists")
    parser.add_argument("--json", type=Path, default=OUT / "pages.json", help="where to write the figures")
    parser.add_argument(
        "--profile",
        default="",
        help="also print a cProfile of the pages whose label contains this (comma-separated: any of these)",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    if args.child:  # one scale in this process; the parent collects its JSON
        result = run_one(args.scale, args)
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1))
        return
    results: dict[str, Any] = {}
    for scale in SCALES if args.scale == "all" else [args.scale]:
        # one process per scale: Django's settings (the database) are per process
        part = OUT / f"pages-{scale}.json"
        cmd = [sys.executable, __file__, "--child", "--scale", scale, "--json", str(part)]
        cmd += ["--requests", str(args.requests), "--warmup", str(args.warmup), "--seed", str(args.seed)]
        cmd += ["--pages", args.pages]
        cmd += ["--profile", args.profile] if args.profile else []
        subprocess.run([*cmd, *(["--reuse"] if args.reuse else [])], check=True, cwd=ROOT)
        results[scale] = json.loads(part.read_text())
        part.unlink()
    args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1))
    print(f"\nwritten to {args.json}")


if __name__ == "__main__":
    main()
