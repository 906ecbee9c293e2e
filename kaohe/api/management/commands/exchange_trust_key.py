"""manage.py exchange_trust_key --organisation <name> --name <label> [--by <username>] <pem file>

Register another installation's public key (its ``exchange_public_key --pem`` file, or the Base64 line) as trusted
for an office's imports: the same as the 数据交换 page's 登记受信任公钥, for installations whose networks are not
connected. The key is recorded as registered by an OFFICE (考核办) account of that organisation: ``--by``, or the
organisation's only active one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kaohe.accounts.models import User
from kaohe.api import services
from kaohe.organisations.models import Organisation
from kaohe.organisations.roles import Role


def _office_account(organisation: Organisation, username: str | None) -> User:
    accounts = User.objects.filter(
        is_active=True, memberships__organisation=organisation, memberships__role=Role.OFFICE
    ).distinct()
    if username:
        found = accounts.filter(username=username).first()
        if found is None:
            raise CommandError(f"“{username}”不是“{organisation.name}”的考核办账号")
        return found
    found_all = list(accounts.order_by("username")[:2])
    if len(found_all) != 1:
        raise CommandError(f"“{organisation.name}”有 {len(found_all)} 个以上考核办账号：请用 --by 指明登记人")
    return found_all[0]


class Command(BaseCommand):
    help = "为本单位考核办登记受信任的公钥（下级平台的签名公钥文件）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisation", required=True, help="登记单位（考核办）的名称")
        parser.add_argument("--name", required=True, help="来源平台名称，如：平顶山市依法行政考核督导平台")
        parser.add_argument("--by", default=None, help="登记人（该单位考核办账号的用户名）；只有一个考核办账号时可省略")
        parser.add_argument("pem", help="对方平台的公钥文件（PEM，或 Base64 公钥）")

    def handle(self, *args: Any, **options: Any) -> None:
        organisations = list(Organisation.objects.filter(name=options["organisation"])[:2])
        if len(organisations) != 1:
            raise CommandError(
                f"单位“{options['organisation']}”不存在"
                if not organisations
                else f"名为“{options['organisation']}”的单位不止一个"
            )
        organisation = organisations[0]
        actor = _office_account(organisation, options["by"])
        try:
            text = Path(options["pem"]).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"无法读取公钥文件：{options['pem']}") from exc
        try:
            key = services.trusted_key_add(actor=actor, organisation=organisation, name=options["name"], public_key=text.strip())
        except (ValidationError, PermissionDenied) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            raise CommandError("；".join(messages)) from exc
        self.stdout.write(f"已为“{organisation.name}”登记“{key.name}”的公钥（指纹 {key.fingerprint}）")
