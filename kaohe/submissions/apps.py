from django.apps import AppConfig


class SubmissionsConfig(AppConfig):
    name = "kaohe.submissions"
    label = "submissions"
    verbose_name = "报送资料"
