"""Bring a backup archive back on an empty installation, after checking every byte against its manifest."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kaohe.core import backup


class Command(BaseCommand):
    help = "恢复：在刚执行过 migrate 的空数据库上恢复备份文件（先校验全部 SHA-256，再写入）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help="由 manage.py backup 写出的 .zip")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["archive"])
        if not path.is_file():
            raise CommandError(f"找不到备份文件：{path}")
        try:
            result = backup.restore_backup(path)
        except backup.BackupError as exc:
            raise CommandError(f"未恢复：{exc}") from exc
        self.stdout.write(self.style.SUCCESS(f"已恢复 {path.name}：{result.rows} 行数据，写入 {result.files_written} 个文件"))
        if result.files_present:
            self.stdout.write(f"  另有 {result.files_present} 个文件已在存储中且内容相同，未重写")
        for line in backup.describe(result.manifest):
            self.stdout.write(f"  {line}")
        chain = result.chain
        if not chain.ok:
            raise CommandError(f"数据已恢复，但审计链校验失败：第 {chain.first_broken_seq} 号事件 — {chain.reason}")
        self.stdout.write(self.style.SUCCESS(f"审计链完整：共 {chain.checked} 条事件"))
