"""Delete old background jobs and their files; fail jobs whose worker was killed (run it daily).

Also deletes uploads left half-staged in the media store by a worker killed mid-upload."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kaohe.core.jobs import jobs_purge
from kaohe.core.storage import purge_stale_staging


class Command(BaseCommand):
    help = "删除已结束超过保留天数的后台任务及其文件，并将长时间未结束的后台任务标记为中断"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--keep-days", type=int, default=7, help="已结束的任务保留天数（默认7天）")
        parser.add_argument("--stale-hours", type=int, default=6, help="排队或进行中超过此小时数即视为中断（默认6小时）")

    def handle(self, *args: Any, **options: Any) -> None:
        deleted, interrupted = jobs_purge(keep_days=options["keep_days"], stale_hours=options["stale_hours"])
        self.stdout.write(f"已删除 {deleted} 个后台任务及其文件；{interrupted} 个长时间未结束的任务已标记为中断")
        if staged := purge_stale_staging():
            self.stdout.write(f"已删除 {staged} 个中断上传遗留的暂存文件")
