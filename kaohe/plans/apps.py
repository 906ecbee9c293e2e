from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "kaohe.plans"
    label = "plans"
    verbose_name = "考核方案"
