"""Anchor the audit chain: append a checkpoint of its head to the anchor file (run hourly by a timer)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from kaohe.core.audit_anchor import AnchorError, anchor_path, audit_checkpoint


class Command(BaseCommand):
    help = "生成审计链检查点：把链头的序号和哈希追加写入锚定文件（KAOHE_AUDIT_ANCHOR_FILE）"

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            checkpoint = audit_checkpoint(actor=None)
        except AnchorError as exc:
            raise CommandError(f"未生成检查点 (checkpoint not taken)：{exc}") from exc
        when = timezone.localtime(checkpoint.created_at).strftime("%Y-%m-%d %H:%M:%S")
        self.stdout.write(
            self.style.SUCCESS(
                f"已生成检查点：第 {checkpoint.seq} 号事件，链头哈希 {checkpoint.head_hash}，{when}（北京时间），"
                f"已写入 {anchor_path()}"
            )
        )
