"""Prove the audit chain intact and consistent with its anchors, or name what broke."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kaohe.core.audit import verify_chain


class Command(BaseCommand):
    help = "校验审计日志：密钥哈希链，以及锚定文件中的每个检查点"

    def handle(self, *args: Any, **options: Any) -> None:
        result = verify_chain(require_anchor_file=True)
        if not result.ok:
            where = f"第 {result.first_broken_seq} 号事件 — " if result.first_broken_seq is not None else ""
            raise CommandError(
                f"审计链校验失败 (audit chain verification failed)：{where}{result.reason}（已校验 {result.checked} 条）"
            )
        for warning in result.warnings:
            self.stderr.write(self.style.WARNING(warning))
        self.stdout.write(
            self.style.SUCCESS(f"审计链完整 (audit chain intact)：共 {result.checked} 条事件，与 {result.anchors} 个检查点相符")
        )
