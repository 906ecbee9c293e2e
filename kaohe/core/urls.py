from django.urls import path

from kaohe.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("notifications/read", views.notifications_read, name="notifications_read"),
]
