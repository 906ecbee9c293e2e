from typing import ClassVar

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "kaohe.accounts"
    label = "accounts"
    verbose_name = "账号"
    # Chinese labels of this app's audit actions added since views_security.ACTION_LABELS (merged there).
    audit_labels: ClassVar[dict[str, str]] = {
        "account.bulk_create": "批量新建账号",
        "account.password_sheet_show": "显示初始密码单",
        "account.password_sheet_download": "下载初始密码单",
        "account.import_template": "下载人员名单模板",
        "account.email_notifications": "设置邮件通知",
    }

    def ready(self) -> None:
        from kaohe.accounts import signals  # noqa: F401  (connects login audit receivers)
