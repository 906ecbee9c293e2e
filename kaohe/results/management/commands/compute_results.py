"""manage.py compute_results <plan_id> [--missing report|zero --note "…" --actor username]

The same computation as the results page's button (``services.results_compute``), for scripts and cron:
stores a snapshot and prints, per category, its status and the top of its ranked table.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kaohe.accounts.models import User
from kaohe.organisations.models import Membership
from kaohe.organisations.roles import Role
from kaohe.plans.models import Plan
from kaohe.results import selectors, services
from kaohe.results.models import MissingPolicyChoice


class Command(BaseCommand):
    help = "计算考核方案的结果并保存为快照（与“考核结果”页面的“计算结果”相同）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("plan_id", type=int, help="考核方案编号")
        parser.add_argument(
            "--missing",
            choices=MissingPolicyChoice.values,
            default=MissingPolicyChoice.REPORT.value,
            help="缺少评价时：report 等待评价（默认，列出缺少的评价），zero 按0分计（须用 --note 记录决定）",
        )
        parser.add_argument("--note", default="", help="按0分计时考核办的决定")
        parser.add_argument("--actor", help="以哪个考核办账号计算（用户名）；省略时该方案须恰有一个考核办账号")
        parser.add_argument("--top", type=int, default=5, help="每个类别打印前几名（默认5）")

    def handle(self, *args: Any, **options: Any) -> None:
        plan = Plan.objects.select_related("organiser").filter(pk=options["plan_id"]).first()
        if plan is None:
            raise CommandError(f"考核方案 {options['plan_id']} 不存在")
        actor = self._actor(plan, options["actor"])
        try:
            snapshot = services.results_compute(
                actor=actor, plan=plan, missing_policy=options["missing"], decision_note=options["note"]
            )
        except PermissionDenied as exc:
            raise CommandError(f"{actor.username} 不是该方案的考核办，不能计算结果") from exc
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        self.stdout.write(
            f"{plan.title} 第{snapshot.seq}次计算（{snapshot.get_missing_policy_display()}）：{snapshot.completeness}"
        )
        self.stdout.write(f"输入摘要 SHA-256 {snapshot.inputs_digest}")
        for summary in snapshot.summary:
            table = selectors.category_table(snapshot, summary["id"])
            if table is None:
                continue
            if not table.complete:
                state = f"评价未齐，缺少 {table.missing_count} 项评价"
            else:
                state = f"缺少的 {table.missing_count} 项评价按0分计" if table.missing_count else "评价齐全"
            self.stdout.write(f"\n{table.name}：已计分 {table.scored_count}/{table.unit_count}，{state}")
            for row in [r for r in table.rows if r.scored][: options["top"]]:
                self.stdout.write(f"  {row.rank:>4}  {row.final:>8}  {row.grade or '—':<4}  {row.name}")

    def _actor(self, plan: Plan, username: str | None) -> User:
        if username:
            user = User.objects.filter(username=username, is_active=True).first()
            if user is None:
                raise CommandError(f"账号 {username} 不存在或已停用")
            return user
        offices = list(
            Membership.objects.filter(organisation=plan.organiser, role=Role.OFFICE, user__is_active=True)
            .select_related("user")
            .order_by("user__username")
        )
        if len({m.user_id for m in offices}) != 1:
            raise CommandError("请用 --actor 指定以哪个考核办账号计算")
        return offices[0].user
