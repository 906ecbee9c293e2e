"""Extract the text of every uploaded file version not yet read, and record its hints and duplicates."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kaohe.insights import services


class Command(BaseCommand):
    help = "提取尚未提取文字的报送文件，并生成材料分析提示（--force 重新提取全部文件）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organiser", type=int, default=None, help="只处理该组织单位（id）的方案")
        parser.add_argument("--force", action="store_true", help="重新提取已提取过的文件")

    def handle(self, *args: Any, **options: Any) -> None:
        done, extracted = services.backfill(organiser_id=options["organiser"], force=options["force"])
        self.stdout.write(f"已处理 {done} 个文件，提取文字 {extracted} 个")
