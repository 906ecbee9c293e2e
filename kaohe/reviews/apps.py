from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "kaohe.reviews"
    label = "reviews"
    verbose_name = "问题反馈与复核"
