from django.urls import path

from kaohe.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/code/", views.login_totp, name="login_totp"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("sessions/", views.sessions, name="sessions"),
    path("sessions/<int:session_id>/end", views.session_end, name="session_end"),
    path("sessions/end-others", views.sessions_end_others, name="sessions_end_others"),
    path("totp/", views.totp_status, name="totp"),
    path("totp/start", views.totp_start, name="totp_start"),
    path("totp/confirm", views.totp_confirm, name="totp_confirm"),
    path("totp/disable", views.totp_disable, name="totp_disable"),
    path("security/", views.security_lockouts, name="security_lockouts"),
    path("security/unlock", views.security_unlock, name="security_unlock"),
    path("security/totp-reset", views.security_totp_reset, name="security_totp_reset"),
]
