"""Give the first system, security or audit administrator of a new installation their role.

Only while nobody holds that role: afterwards grants go through the account pages (proposed by the system
administrator, confirmed by the security administrator).
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kaohe.accounts.models import User
from kaohe.organisations import services
from kaohe.organisations.models import Organisation
from kaohe.organisations.roles import ADMIN_ROLES, Role


class Command(BaseCommand):
    help = "安装初始化：为尚无人担任的管理员角色（系统/安全/审计管理员）指定第一位人员"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="账号")
        parser.add_argument("role", choices=sorted(r.value for r in ADMIN_ROLES), help="角色")
        parser.add_argument("--organisation", required=True, help="单位全称")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"账号 {options['username']} 不存在。")
        organisations = list(Organisation.objects.filter(name=options["organisation"])[:2])
        if len(organisations) != 1:
            raise CommandError(f"单位“{options['organisation']}”不存在或不唯一。")
        try:
            membership = services.admin_role_bootstrap(user=user, organisation=organisations[0], role=Role(options["role"]))
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(f"已设置：{membership}"))
