from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "kaohe.organisations"
    label = "organisations"
    verbose_name = "组织机构"

    def ready(self) -> None:
        from kaohe.organisations import signals  # noqa: F401  (connects membership audit receivers)
