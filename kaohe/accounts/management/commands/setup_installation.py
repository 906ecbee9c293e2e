"""A new installation's first step: the region, the office (考核办) and the first holders of the admin powers.

Everything after this is done in pages: the system administrator creates the office's account and gives it the
考核办 role; the office sets up its plan, imports its units and desks with their accounts, and so on
(docs/guide-office.md). The system administrator's one-time password is printed once and must be changed at
the first login; so are those of the first 安全管理员 and 审计管理员 when ``--secadmin`` / ``--auditadmin`` are given
(三员分立: three different accounts). Refused once anyone holds the 系统管理员 role: later grants go through the
account pages (proposed by the system administrator, confirmed by the security administrator).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from kaohe.accounts.models import User
from kaohe.accounts.services import save_with_initial_password
from kaohe.core import audit
from kaohe.organisations import services
from kaohe.organisations.models import Membership, Organisation, Region
from kaohe.organisations.regions import region_get_or_create
from kaohe.organisations.roles import Role


class Command(BaseCommand):
    help = "安装初始化：建立行政区划、考核办（组织单位）和第一位系统管理员，打印其一次性初始密码"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--province", required=True, help="省级区划名称，如 河南省")
        parser.add_argument("--city", default="", help="市级区划名称，如 焦作市（省级考核办不填）")
        parser.add_argument("--office", required=True, help="考核办（组织单位）全称，如 焦作市法治政府建设领导小组办公室")
        parser.add_argument("--sysadmin", required=True, help="第一位系统管理员的登录账号")
        parser.add_argument("--sysadmin-name", default="系统管理员", help="系统管理员的显示名称")
        parser.add_argument("--secadmin", default="", help="第一位安全管理员的登录账号（可选）")
        parser.add_argument("--auditadmin", default="", help="第一位审计管理员的登录账号（可选）")

    def handle(self, *args: Any, **options: Any) -> None:
        wanted = [
            (options["sysadmin"].strip(), options["sysadmin_name"].strip() or "系统管理员", Role.SYSTEM_ADMIN),
            (options["secadmin"].strip(), "安全管理员", Role.SECURITY_ADMIN),
            (options["auditadmin"].strip(), "审计管理员", Role.AUDIT_ADMIN),
        ]
        wanted = [w for w in wanted if w[0]]
        names = [w[0].lower() for w in wanted]
        if len(set(names)) != len(names):
            raise CommandError("系统管理员、安全管理员、审计管理员须为三个不同的账号（三员分立）。")
        if Membership.objects.filter(role=Role.SYSTEM_ADMIN, user__is_active=True).exists():
            raise CommandError("已有系统管理员：此后的账号与角色请在“账号管理”页面办理。")
        for username, _, _ in wanted:
            if User.objects.filter(username__iexact=username).exists():
                raise CommandError(f"账号 {username} 已存在。")
        passwords: list[tuple[str, Role, str]] = []
        try:
            with transaction.atomic():
                province, _ = region_get_or_create(name=options["province"], parent=None, level=Region.Level.PROVINCE)
                region = province
                if options["city"].strip():
                    region, _ = region_get_or_create(name=options["city"], parent=province, level=Region.Level.CITY)
                office, _ = Organisation.objects.get_or_create(
                    region=region, name=options["office"].strip(), defaults={"kind": Organisation.Kind.OFFICE}
                )
                for username, display_name, role in wanted:
                    user = User(username=username, display_name=display_name)
                    password = save_with_initial_password(user)
                    services.admin_role_bootstrap(user=user, organisation=office, role=role)
                    passwords.append((username, role, password))
                audit.record(
                    actor=None,
                    action="installation.setup",
                    obj=office,
                    organisation=office,
                    after={"region": str(region), "office": office.name, **{r.value: u for u, _, r in wanted}},
                )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(f"已建立：{region.name} · {office.name}"))
        for username, role, password in passwords:
            self.stdout.write(f"{role.label}：账号 {username}  一次性初始密码：{password}")
        self.stdout.write("请分别当面交给本人；首次登录须修改密码。初始密码不会再次显示，也未以明文保存。")
