"""manage.py import_signed_results --office <username> <file.zip>

Import a lower installation's signed file of published results as that office account (考核办) — the same as the
数据交换 page's 导入: the signer's key must be registered (``exchange_trust_key``), the digest and signature must
match. Prints the outcome in Chinese; a refusal exits with a non-zero status and stores nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kaohe.access.exchange import office_of
from kaohe.accounts.models import User
from kaohe.api import services
from kaohe.api.models import ImportStatus
from kaohe.api.signing import MAX_FILE_BYTES


class Command(BaseCommand):
    help = "以考核办账号导入下级平台的考核结果签名文件（.zip）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--office", required=True, help="导入人（考核办账号的用户名）")
        parser.add_argument("file", help="签名导出文件（.zip）")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["office"], is_active=True).first()
        if user is None:
            raise CommandError(f"账号“{options['office']}”不存在或已停用")
        try:
            organisation = office_of(user)
        except PermissionDenied as exc:
            raise CommandError(f"账号“{user.username}”不是考核办账号，不能导入") from exc
        path = Path(options["file"])
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise CommandError(f"文件过大（超过 {MAX_FILE_BYTES // 1024 // 1024} MB），不是考核结果导出文件")
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取文件：{path}") from exc
        try:
            outcome = services.result_import(actor=user, organisation=organisation, data=data)
        except (ValidationError, PermissionDenied) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            raise CommandError("拒绝导入：" + "；".join(messages)) from exc
        found = outcome.result_import
        if not outcome.created:
            self.stdout.write(f"该文件已于 {found.imported_at:%Y-%m-%d %H:%M} 导入（第{found.version}版），未作改动")
        elif found.status == ImportStatus.PENDING:
            self.stdout.write(
                f"“{found.plan_title}”已有导入的结果：本文件作为第{found.version}版保存，待考核办在数据交换页确认后取代现行版本"
            )
        else:
            self.stdout.write(
                f"已导入“{found.organiser_name} {found.plan_title}”的考核结果（{found.results.count()} 个考核对象）"
            )
