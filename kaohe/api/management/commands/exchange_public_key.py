"""manage.py exchange_public_key [--pem]

Print this installation's public signing key (Base64, as the 数据交换 page shows it) and its fingerprint, or the
PEM file: what the higher installation registers as a trusted key. Makes the key pair on first use.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kaohe.api import signing


class Command(BaseCommand):
    help = "显示本平台的签名公钥及其指纹（上级平台登记为受信任公钥）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--pem", action="store_true", help="输出 PEM 格式的公钥文件内容")

    def handle(self, *args: Any, **options: Any) -> None:
        key = signing.own_public_key()
        if options["pem"]:
            self.stdout.write(key.pem, ending="")
            return
        self.stdout.write(f"公钥（Base64）：{key.base64}")
        self.stdout.write(f"指纹（SHA-256）：{key.fingerprint}")
