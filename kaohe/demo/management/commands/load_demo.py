"""Load the demo plan (Pingdingshan 2020) and print the demo accounts."""

from typing import Any

from django.core.management.base import BaseCommand

from kaohe.demo import loader as demo


class Command(BaseCommand):
    help = "载入演示数据（平顶山市2020年度依法行政考核方案）并打印演示账号"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--draft", action="store_true", help="保持草稿状态，不发布")
        parser.add_argument("--keep-deadlines", action="store_true", help="保留 2020 年的原定截止日期（不为演示统一延期）")

    def handle(self, *args: Any, **options: Any) -> None:
        existed = demo.demo_exists()
        plan = demo.load_demo(publish=not options["draft"])
        verb = "已存在" if existed else "已载入"
        self.stdout.write(self.style.SUCCESS(f"演示方案{verb}：{plan.title}（{plan.get_status_display()}）"))
        if not existed and not options["draft"] and not options["keep_deadlines"]:
            count = demo.open_for_demo(plan)
            self.stdout.write(f"为便于体验，{count} 项报送资料任务已统一延期 60 天（可用 --keep-deadlines 保留原定日期）")
        self.stdout.write(f"演示账号（密码均为 {demo.DEMO_PASSWORD}）：")
        for account in demo.ACCOUNTS:
            self.stdout.write(f"  {account.username:<12} {account.role.label:<6} {account.organisation}")
        self.stdout.write(
            "下级考核汇总（两级演示）：省考核办可查看平顶山市、舞钢市的方案；平顶山市考核办（office）可查看舞钢市的方案；节假日安排由省系统管理员维护"
        )
        for account in demo.TWO_LEVEL_ACCOUNTS:
            self.stdout.write(f"  {account.username:<18} {account.role.label:<6} {account.organisation}")
