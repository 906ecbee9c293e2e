"""Say where each year's holiday schedule comes from, and fail if any year has none."""

from __future__ import annotations

import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from kaohe.core.calendar import Calendar


def parse_years(text: str) -> list[int]:
    """Parse 2020-2027, 2026 or 2020,2022-2023 into sorted distinct years."""
    years: set[int] = set()
    for part in text.replace("，", ",").split(","):
        part = part.strip()
        match = re.fullmatch(r"(\d{4})(?:\s*[-–~]\s*(\d{4}))?", part)
        if match is None:
            raise CommandError(f"年度“{part}”无法识别，应写成 2026 或 2020-2027")
        first = int(match.group(1))
        last = int(match.group(2) or first)
        if last < first:
            raise CommandError(f"年度范围“{part}”起止颠倒")
        years.update(range(first, last + 1))
    return sorted(years)


class Command(BaseCommand):
    help = "检查各年度节假日安排的来源，缺少的年度以非零状态退出"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--years", help="要检查的年度，如 2020-2027；默认为今年和明年")

    def handle(self, *args: Any, **options: Any) -> None:
        if options.get("years"):
            years = parse_years(options["years"])
        else:
            this_year = timezone.localdate().year
            years = [this_year, this_year + 1]
        calendar = Calendar.from_database()
        for year in years:
            source = calendar.source(year)
            if source is not None:
                self.stdout.write(f"{year} 年：{source.label}")
            elif year in calendar.incomplete_years:
                self.stdout.write(f"{year} 年：缺失（考核办已建表，但尚未录入放假日期）")
            else:
                self.stdout.write(f"{year} 年：缺失")
        missing = calendar.missing_years(years)
        if missing:
            listed = "、".join(str(y) for y in missing)
            raise CommandError(f"以下年度尚无节假日安排：{listed}。请考核办按国务院办公厅通知维护节假日表。")
        self.stdout.write(self.style.SUCCESS(f"已检查 {len(years)} 个年度，均有节假日安排"))
