"""manage.py export_signed_results <plan_id> <out.zip>

The signed file of a plan's published results (the same file as the 数据交换 page's 下载签名文件), for
installations whose networks are not connected: carry it to the higher installation, which imports it there.
Run by the operator on the server (audited with no actor).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kaohe.api import services
from kaohe.plans.models import Plan


class Command(BaseCommand):
    help = "导出考核方案已公布考核结果的签名文件（.zip）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("plan_id", type=int, help="考核方案编号")
        parser.add_argument("out", help="写入的文件（.zip）")

    def handle(self, *args: Any, **options: Any) -> None:
        plan = Plan.objects.select_related("organiser").filter(pk=options["plan_id"]).first()
        if plan is None:
            raise CommandError(f"考核方案 {options['plan_id']} 不存在")
        try:
            signed = services.results_export(actor=None, plan=plan)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        Path(options["out"]).write_bytes(signed.content)
        self.stdout.write(f"已导出 {options['out']}（SHA-256 {signed.digest}）")
