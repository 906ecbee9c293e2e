"""Province scale: load and compute all results of 3,000 units × 120 tasks (360,000 evaluations) in PostgreSQL.

Run:  .venv/bin/python bench/results_scale.py                      # the issue's figures
      .venv/bin/python bench/results_scale.py --units 300 --runs 2 # a quick check

What it does, all on 127.0.0.1:5432 (user postgres, trust auth):
1. creates a throwaway database (``kaohe_bench_results``), migrates it, and writes a synthetic published plan:
   3 categories, 120 tasks each (10 一级 × 3 二级 × 4 tasks, 100 points), ``--units`` units spread over them,
   an evaluation for every unit × task (COPY), plus a few 不涉及, bonus applications, deductions and veto flags;
2. times, ``--runs`` times each (the median is printed):
   (a) ``results_calculate``: load every row (10 queries) + the engine for every category + serialise + digest,
       i.e. ``results_compute`` minus the snapshot write; and ``results_compute`` itself (with the write);
   (b) the floor: ``SELECT unit_id, SUM(score) FROM scoring_evaluation WHERE plan_id = … GROUP BY unit_id``;
3. prints both, the ratios, where the time goes, the loader's query count and the size of a snapshot;
4. drops the database (``--keep`` keeps it).
Nothing here runs in the test suite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Django is set up at run time, after the arguments are read
    from kaohe.plans.models import Plan
    from kaohe.results.models import ResultSnapshot

ROOT = Path(__file__).resolve().parent.parent
PG = "postgres://postgres@127.0.0.1:5432"
SHAPE = (10, 3, 4)  # 一级, 二级 per 一级, tasks per 二级 → 120 tasks


def admin_sql(statement: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(statement)


def setup_django(db: str) -> None:
    os.environ["DATABASE_URL"] = f"{PG}/{db}"
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only")
    os.environ.setdefault("KAOHE_AUDIT_KEY", "bench-only-audit-key-0123456789abcdef")
    os.environ["KAOHE_VAR_DIR"] = tempfile.mkdtemp(prefix="kaohe-bench-results-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def task_points(index: int) -> Decimal:
    """80 tasks of 1 point and 40 of 0.5: 100 points in all."""
    return Decimal("0.50") if index % 3 == 2 else Decimal("1.00")


def build(units: int, seed: int) -> tuple[int, int]:
    """The synthetic plan; returns (plan id, evaluation count)."""
    from django.db import connection, transaction

    from kaohe.accounts.models import User
    from kaohe.organisations.models import Membership, Organisation, Region
    from kaohe.organisations.roles import Role
    from kaohe.plans.constants import Level, Method
    from kaohe.plans.models import AssessorDesk, Category, Indicator, Plan, PlanUnit, ScoringPolicy
    from kaohe.scoring.models import BonusApplication, Deduction, NotApplicable, VetoFlag

    rng = random.Random(seed)
    with transaction.atomic():
        province = Region.objects.create(name="河南省", level=Region.Level.PROVINCE)
        office_org = Organisation.objects.create(
            region=province, name="省法治政府建设领导小组办公室", kind=Organisation.Kind.OFFICE
        )
        office = User.objects.create(username="bench_office", display_name="考核办")
        Membership.objects.create(user=office, organisation=office_org, role=Role.OFFICE)
        plan = Plan.objects.create(
            organiser=office_org,
            year=2020,
            title="全省2020年度依法行政考核（基准测试）",
            period_start=dt.date(2020, 1, 1),
            period_end=dt.date(2020, 12, 31),
            status=Plan.Status.PUBLISHED,
        )
        ScoringPolicy.objects.create(plan=plan)
        desks = []
        for i in range(15):
            org = Organisation.objects.create(region=province, name=f"考核主体{i:02d}", sort_key=f"d{i:02d}")
            desks.append(AssessorDesk.objects.create(plan=plan, organisation=org, seq=str(i + 1)))
        categories = [
            Category.objects.create(plan=plan, name=name, order=i) for i, name in enumerate(("县区政府", "部门1", "部门2"))
        ]
        tasks: dict[int, list[Indicator]] = {}
        methods = [Method.SUBMISSION] * 6 + [Method.DAILY] * 3 + [Method.FIELD]
        for category in categories:
            order = 0
            tasks[category.pk] = []
            n1, n2, n3 = SHAPE
            for a in range(1, n1 + 1):
                order += 1
                l1 = Indicator.objects.create(
                    plan=plan,
                    category=category,
                    level=Level.LEVEL1,
                    code=str(a),
                    order=order,
                    name=f"一级指标{a}",
                    points=Decimal(10),
                )
                for b in range(1, n2 + 1):
                    order += 1
                    l2 = Indicator.objects.create(
                        plan=plan,
                        category=category,
                        parent=l1,
                        level=Level.LEVEL2,
                        code=f"{a}.{b}",
                        order=order,
                        name=f"二级指标{a}.{b}",
                    )
                    for c in range(1, n3 + 1):
                        order += 1
                        index = len(tasks[category.pk])
                        tasks[category.pk].append(
                            Indicator(
                                plan=plan,
                                category=category,
                                parent=l2,
                                level=Level.TASK,
                                code=f"{a}.{b}.{c}",
                                order=order,
                                name=f"工作任务{a}.{b}.{c}",
                                points=task_points(index),
                                method=methods[index % len(methods)],
                                assessor=desks[index % len(desks)],
                            )
                        )
            tasks[category.pk] = Indicator.objects.bulk_create(tasks[category.pk])
        orgs = Organisation.objects.bulk_create(
            [Organisation(region=province, name=f"考核对象{i:05d}", sort_key=f"u{i:05d}") for i in range(units)]
        )
        sizes = (units // 20, units * 6 // 20)  # 5 % governments, 30 % 部门1, the rest 部门2
        plan_units = PlanUnit.objects.bulk_create(
            [
                PlanUnit(
                    plan=plan, organisation=org, category=categories[0 if i < sizes[0] else 1 if i < sizes[0] + sizes[1] else 2]
                )
                for i, org in enumerate(orgs)
            ]
        )
    grades = [("excellent", Decimal(100)), ("good", Decimal(80)), ("fair", Decimal(60)), ("poor", Decimal(0))]
    buffer = io.StringIO()
    count = 0
    stamp = "2020-12-28 10:00:00+08"
    for unit in plan_units:
        for task in tasks[unit.category_id]:
            assert task.points is not None
            if task.method == Method.SUBMISSION:
                grade, pct = grades[min(3, int(rng.expovariate(2.0)))]
                score = (task.points * pct / 100).quantize(Decimal("0.01"))
            else:
                grade, score = "", (task.points * Decimal(rng.choice((100, 100, 100, 90, 80, 50)))) / 100
                score = score.quantize(Decimal("0.01"))
            reason = "" if score == task.points else "资料不全"
            buffer.write(
                f"{plan.pk}\t{unit.pk}\t{task.pk}\t{grade}\t{score}\t{reason}\t{task.assessor_id}\t{office.pk}\t{stamp}\t1\t\n"
            )
            count += 1
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg 3 cursor under Django's wrapper
        with raw.copy(
            "COPY scoring_evaluation (plan_id, unit_id, task_id, grade, score, reason, desk_id, evaluated_by_id, evaluated_at, version, conflict_note)"
            " FROM STDIN"
        ) as copy:
            copy.write(buffer.getvalue())
        cursor.execute("ANALYZE scoring_evaluation")
    sample = rng.sample(plan_units, min(len(plan_units), 300))
    with transaction.atomic():
        NotApplicable.objects.bulk_create(
            [
                NotApplicable(plan=plan, unit=u, task=tasks[u.category_id][7], reason="不涉及", decided_by=office)
                for u in sample[:100]
            ]
        )
        BonusApplication.objects.bulk_create(
            [
                BonusApplication(
                    plan=plan, unit=u, kind="award", matter=f"表彰{j}", status=BonusApplication.Status.APPROVED, applied_by=office
                )
                for u in sample[100:200]
                for j in range(rng.randint(1, 3))
            ]
        )
        Deduction.objects.bulk_create(
            [
                Deduction(
                    plan=plan,
                    unit=u,
                    kind="other",
                    matter="减分事项",
                    points=Decimal(2),
                    task=tasks[u.category_id][3],
                    reason="经查属实",
                    recorded_by=office,
                )
                for u in sample[200:250]
            ]
        )
        VetoFlag.objects.bulk_create(
            [VetoFlag(plan=plan, unit=u, flag="two_lost_lawsuits", recorded_by=office) for u in sample[250:]]
        )
    return plan.pk, count


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float, object]:
    """(median, fastest, last result) of ``runs`` calls."""
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), min(times), result


def pages(plan: Plan, snapshot: ResultSnapshot, args: argparse.Namespace) -> None:
    """What the pages read from a province's snapshot: one category's ranked table, one unit's breakdown."""
    from kaohe.plans.models import PlanUnit
    from kaohe.results import exports, selectors

    biggest = max(snapshot.summary, key=lambda c: c["units"])
    unit = PlanUnit.objects.select_related("organisation", "category").filter(plan=plan, category_id=biggest["id"]).last()
    assert unit is not None
    table_s, _, table = timed(lambda: selectors.category_table(snapshot, biggest["id"]), args.runs)
    assert isinstance(table, selectors.CategoryTable)
    breakdown_s, _, _ = timed(lambda: selectors.unit_breakdown(plan, snapshot, unit), args.runs)
    print(
        f"\npages: ranked table of {biggest['name']} ({len(table.rows)} units) {table_s * 1000:.0f} ms; "
        f"one unit's breakdown {breakdown_s * 1000:.0f} ms (selectors only, median)"
    )
    if args.export:
        export_s, _, body = timed(lambda: exports.snapshot_workbook(plan, snapshot), 1)
        assert isinstance(body, bytes)
        print(
            f"export: the whole snapshot as .xlsx ({snapshot.unit_count} ranked rows + every task row) "
            f"{export_s:.1f} s, {len(body) / 1e6:.1f} MB"
        )


def background(plan: Plan, office: object, runs: int) -> None:
    """The button as a background job (kaohe.core.jobs): what the request does (check, validate, record and queue
    the job in django-tasks' database backend) and what the worker then does (the whole computation)."""
    from kaohe.core import jobs
    from kaohe.core.models_job import Job, JobStatus
    from kaohe.results import services_jobs

    started: list[Job] = []

    def request_only() -> object:
        job = services_jobs.results_compute_start(actor=office, plan=plan, missing_policy="report")  # type: ignore[arg-type]
        started.append(job)
        return job

    request_s, _, job = timed(request_only, 1)
    assert isinstance(job, Job)
    worker_s, _, _ = timed(lambda: jobs.execute(job.pk), 1)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    print(
        f"\nbackground job: the request that starts it {request_s * 1000:.1f} ms; "
        f"the worker's run (computation, snapshot, audit) {worker_s * 1000:.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--db", default="kaohe_bench_results")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--export", action="store_true", help="also time the .xlsx export of the whole snapshot (slow)")
    args = parser.parse_args()

    admin_sql(f'DROP DATABASE IF EXISTS "{args.db}"')
    admin_sql(f'CREATE DATABASE "{args.db}"')
    try:
        setup_django(args.db)
        from django.core.management import call_command
        from django.db import connection, reset_queries
        from django.test.utils import CaptureQueriesContext

        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        migrated = time.perf_counter()
        plan_id, evaluations = build(args.units, args.seed)
        built = time.perf_counter()
        print(
            f"database {args.db}: migrated in {migrated - started:.1f} s, generated {args.units} units × 120 tasks = "
            f"{evaluations} evaluations in {built - migrated:.1f} s"
        )

        from kaohe.accounts.models import User
        from kaohe.plans.models import Plan
        from kaohe.results import services
        from kaohe.results.loader import load_plan
        from kaohe.results.models import ResultSnapshot

        plan = Plan.objects.select_related("organiser").get(pk=plan_id)
        office = User.objects.get(username="bench_office")

        def floor() -> list[tuple[int, Decimal]]:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT unit_id, SUM(score) FROM scoring_evaluation WHERE plan_id = %s GROUP BY unit_id", [plan_id]
                )
                sums: list[tuple[int, Decimal]] = cursor.fetchall()
                return sums

        floor()  # warm the cache: every timing below reads the same, cached rows
        floor_s, floor_min, rows = timed(floor, args.runs)
        assert isinstance(rows, list) and len(rows) == args.units

        with CaptureQueriesContext(connection) as ctx:
            load_plan(plan, "report")
        loader_queries = len(ctx.captured_queries)
        reset_queries()

        timings: list[dict[str, float]] = []

        def calculate() -> object:
            computation = services.results_calculate(plan=plan, missing_policy="report")
            timings.append(computation.timings)
            return computation

        calc_s, calc_min, _ = timed(calculate, args.runs)
        compute_s, compute_min, snapshot = timed(
            lambda: services.results_compute(actor=office, plan=plan, missing_policy="report"), args.runs
        )
        assert isinstance(snapshot, ResultSnapshot)
        assert snapshot.complete and snapshot.scored_count == args.units, (snapshot.complete, snapshot.scored_count)
        parts = {k: statistics.median(t[k] for t in timings) for k in timings[0]}
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_column_size(data), pg_column_size(inputs), octet_length(data::text), octet_length(inputs::text)"
                " FROM results_resultsnapshot WHERE id = %s",
                [snapshot.pk],
            )
            data_stored, inputs_stored, data_text, inputs_text = cursor.fetchone()

        def line(label: str, median: float, fastest: float) -> str:
            return f"{label:<58}{median * 1000:9.1f} ms (fastest {fastest * 1000:7.1f})  {median / floor_s:6.1f} × floor"

        print(
            f"\n{'(b) floor: SELECT unit_id, SUM(score) … GROUP BY unit_id':<58}{floor_s * 1000:9.1f} ms (fastest {floor_min * 1000:7.1f})"
        )
        print(line("(a) load + compute every category (service, no write)", calc_s, calc_min))
        print(line("    … with the snapshot write and audit (results_compute)", compute_s, compute_min))
        other = calc_s - sum(parts.values())
        print(
            "    where (a) goes: "
            + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in parts.items())
            + f", freeing {other * 1000:.0f} ms"
        )
        print(
            f"    loader queries: {loader_queries}; snapshot stored: data {data_stored / 1e6:.1f} MB "
            f"({data_text / 1e6:.1f} MB as text), inputs {inputs_stored / 1e6:.1f} MB ({inputs_text / 1e6:.1f} MB as text)"
        )
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"    peak memory of this process {peak:.0f} MB; median of {args.runs} runs each; PostgreSQL on 127.0.0.1, {os.cpu_count()} CPUs"
        )
        background(plan, office, args.runs)
        pages(plan, snapshot, args)
    finally:
        if "django.db" in sys.modules:
            from django.db import connections

            connections.close_all()
        if not args.keep:
            admin_sql(f'DROP DATABASE IF EXISTS "{args.db}"')


if __name__ == "__main__":
    main()
