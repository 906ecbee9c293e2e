"""Write everything (or one plan) to one .zip: database rows, stored files and a manifest of SHA-256s."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kaohe.core import backup


class Command(BaseCommand):
    help = "备份：把全部数据（或一个考核方案）连同文件写入一个 .zip，附 SHA-256 清单"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", required=True, help="备份文件路径（.zip）；给出目录时自动按时间命名")
        parser.add_argument("--plan", type=int, default=None, help="只备份这个考核方案（ID）及其引用的单位、用户")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = backup.create_backup(Path(options["output"]), plan_id=options["plan"])
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"备份已写入 {result.path}（{result.size} 字节，SHA-256 {result.sha256}）"))
        for line in backup.describe(result.manifest):
            self.stdout.write(f"  {line}")
        if result.missing_files:
            shown = "、".join(result.missing_files[:10])
            raise CommandError(f"备份已写入，但有 {len(result.missing_files)} 个文件在存储中找不到：{shown}")
