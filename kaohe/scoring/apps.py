from django.apps import AppConfig


class ScoringConfig(AppConfig):
    name = "kaohe.scoring"
    label = "scoring"
    verbose_name = "评价与计分"
