"""Prove the audit chain intact, or name the first broken event."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kaohe.core.audit import verify_chain


class Command(BaseCommand):
    help = "校验审计日志哈希链"

    def handle(self, *args: Any, **options: Any) -> None:
        result = verify_chain()
        if not result.ok:
            raise CommandError(
                f"审计链校验失败：第 {result.first_broken_seq} 号事件 — {result.reason}（已校验 {result.checked} 条）"
            )
        self.stdout.write(self.style.SUCCESS(f"审计链完整：共 {result.checked} 条事件"))
