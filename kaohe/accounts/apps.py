from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "kaohe.accounts"
    label = "accounts"
    verbose_name = "账号"

    def ready(self) -> None:
        from kaohe.accounts import signals  # noqa: F401  (connects login audit receivers)
