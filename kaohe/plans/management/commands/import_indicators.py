"""Import an indicator table from the command line (for IT staff), or preview it as JSON.

    manage.py import_indicators FILE --dry-run --json            # the preview, one JSON object
    manage.py import_indicators FILE --plan 3 --category-name 部门1 --user office1 --accept-warnings

``--dry-run`` writes nothing (with ``--plan`` it also checks 责任主体 and deadlines against that plan).
Without it the file goes through the page's path: stored as an import of the plan, then confirmed
(``services.plan_import_upload`` + ``plan_import_apply``), audited as the ``--user`` account, which must
hold the plan's 考核办 role.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from kaohe.plans import services
from kaohe.plans.excel.checks import check_sums
from kaohe.plans.excel.headers import COLUMN_ROLES
from kaohe.plans.excel.parse import IndicatorOptions, parse_indicator_workbook
from kaohe.plans.excel.report import preview_data
from kaohe.plans.excel.workbook import DEFAULT_MAX_BYTES
from kaohe.plans.models import Category, Plan, PlanImport


class Command(BaseCommand):
    help = "导入指标表（.xlsx/.docx）；--dry-run --json 只输出预览结果"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="指标表文件（.xlsx 或 .docx）")
        parser.add_argument("--plan", type=int, help="考核方案 ID")
        parser.add_argument("--category", type=int, help="考核对象类别 ID（已有类别）")
        parser.add_argument("--category-name", default="", help="考核对象类别名称（没有时新建）")
        parser.add_argument("--full-score", default="", help="类别满分，默认 100 或该类别的满分")
        parser.add_argument("--sheet", action="append", default=[], help="要导入的工作表/表格名称，可重复")
        parser.add_argument(
            "--column",
            action="append",
            default=[],
            help="列的读法，如 B=points 或 表格1!B=task；角色：" + "、".join(COLUMN_ROLES),
        )
        parser.add_argument("--distribute", action="store_true", help="把只写在上级指标的合计分值平均分配给工作任务")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument("--json", action="store_true", help="以一个 JSON 对象输出结果")
        parser.add_argument("--user", default="", help="执行导入的考核办账号（写入时必填，记入审计）")
        parser.add_argument("--accept-warnings", action="store_true", help="接受全部警告并导入")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        if path.stat().st_size > DEFAULT_MAX_BYTES:
            raise CommandError(f"文件过大，上限 {DEFAULT_MAX_BYTES // 1024 // 1024} MB")
        data = path.read_bytes()
        reading = IndicatorOptions(
            sheets=options["sheet"] or None, columns=_columns(options["column"]), distribute=options["distribute"]
        )
        plan = self._plan(options["plan"])
        category = self._category(plan, options["category"])
        full_score = _full_score(options["full_score"], category)
        if options["dry_run"]:
            self._preview(data, plan, full_score, reading, as_json=options["json"])
            return
        if plan is None or (category is None and not options["category_name"].strip()):
            raise CommandError("写入时须指定 --plan 和 --category 或 --category-name（只检查请加 --dry-run）")
        self._apply(data, path.name, plan, category, full_score, reading, options)

    def _plan(self, plan_id: int | None) -> Plan | None:
        if plan_id is None:
            return None
        plan = Plan.objects.filter(pk=plan_id).first()
        if plan is None:
            raise CommandError(f"考核方案 {plan_id} 不存在")
        return plan

    def _category(self, plan: Plan | None, category_id: int | None) -> Category | None:
        if category_id is None:
            return None
        if plan is None:
            raise CommandError("--category 须与 --plan 一起使用")
        category = Category.objects.filter(plan=plan, pk=category_id).first()
        if category is None:
            raise CommandError(f"方案 {plan.pk} 中没有类别 {category_id}")
        return category

    def _preview(self, data: bytes, plan: Plan | None, full_score: Decimal, reading: IndicatorOptions, *, as_json: bool) -> None:
        if plan is not None:
            table, problems, _ = services.analyse_indicators(plan, data, full_score, reading)
        else:
            table = parse_indicator_workbook(data, options=reading)
            problems = list(table.problems)
            if table.level1:
                problems += check_sums(table, full_score=full_score)
        result = preview_data(table, problems)
        if as_json:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return
        self._print_text(result)

    def _print_text(self, result: dict[str, Any]) -> None:
        for item in result["indicators"]:
            points = f"{item['points']}分" if item["points"] is not None else "（未写分值）"
            self.stdout.write(f"{'  ' * (item['level'] - 1)}{item['code']} {item['name']} {points}")
        for key, label in (("errors", "错误"), ("warnings", "警告")):
            for problem in result[key]:
                column = f"{problem['column']}列" if problem["column"] else ""
                where = f"{problem['sheet']} 第{problem['row']}行{column} " if problem["row"] else ""
                self.stdout.write(f"[{label}] {where}{problem['message']}")
        verdict = "可以导入" if result["ok"] else "有错误，不能导入"
        self.stdout.write(self.style.SUCCESS(verdict) if result["ok"] else self.style.ERROR(verdict))

    def _apply(
        self,
        data: bytes,
        name: str,
        plan: Plan,
        category: Category | None,
        full_score: Decimal,
        reading: IndicatorOptions,
        options: dict[str, Any],
    ) -> None:
        user = get_user_model().objects.filter(username=options["user"]).first() if options["user"] else None
        if user is None:
            raise CommandError("写入时须用 --user 指定执行导入的考核办账号")
        category_name = category.name if category is not None else options["category_name"].strip()
        try:
            record = services.plan_import_upload(
                actor=user,
                plan=plan,
                kind=PlanImport.Kind.INDICATORS,
                data=data,
                original_name=name,
                category_name=category_name,
                full_score=full_score,
                options=reading.to_json(),
            )
            services.plan_import_apply(actor=user, plan_import=record, accept_warnings=options["accept_warnings"])
        except services.ImportRejected as exc:
            lines = [exc.message, *(f"  {p.location} {p.message}".rstrip() for p in exc.problems)]
            raise CommandError("\n".join(lines)) from exc
        except (PermissionError, PermissionDenied) as exc:
            raise CommandError(f"账号“{user}”没有导入该方案指标体系的权限") from exc
        record.refresh_from_db()
        if options["json"]:
            self.stdout.write(json.dumps({"ok": True, "import_id": record.pk, "summary": record.summary}, ensure_ascii=False))
            return
        self.stdout.write(self.style.SUCCESS(f"已导入到类别“{category_name}”：{record.summary.get('tasks', 0)} 项工作任务"))


def _columns(values: list[str]) -> dict[str, dict[str, str]]:
    columns: dict[str, dict[str, str]] = {}
    for value in values:
        target, _, role = value.partition("=")
        sheet, _, letter = target.rpartition("!")
        letter = letter.strip().upper()
        role = role.strip()
        if not letter.isalpha() or (role and role not in COLUMN_ROLES):
            raise CommandError(f"列的读法“{value}”无法识别，应为 B=points 这样的形式；角色：" + "、".join(COLUMN_ROLES))
        columns.setdefault(sheet or "*", {})[letter] = role
    return columns


def _full_score(text: str, category: Category | None) -> Decimal:
    if not text:
        return category.full_score if category is not None else Decimal(100)
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise CommandError(f"满分“{text}”不是数字") from exc
    if not value.is_finite() or value <= 0:
        raise CommandError("满分须大于 0")
    return value
