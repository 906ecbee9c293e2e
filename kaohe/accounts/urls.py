from django.urls import path

from kaohe.accounts import views, views_bulk, views_manage

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/code/", views.login_totp, name="login_totp"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("sessions/", views.sessions, name="sessions"),
    path("sessions/<int:session_id>/end", views.session_end, name="session_end"),
    path("sessions/end-others", views.sessions_end_others, name="sessions_end_others"),
    path("email-notifications/", views.email_notifications, name="email_notifications"),
    path("totp/", views.totp_status, name="totp"),
    path("totp/start", views.totp_start, name="totp_start"),
    path("totp/confirm", views.totp_confirm, name="totp_confirm"),
    path("totp/disable", views.totp_disable, name="totp_disable"),
    path("security/", views.security_lockouts, name="security_lockouts"),
    path("security/unlock", views.security_unlock, name="security_unlock"),
    path("security/totp-reset", views.security_totp_reset, name="security_totp_reset"),
    # 三员分立: accounts and roles (系统管理员), confirming admin-role grants (安全管理员)
    path("users/", views_manage.users, name="users"),
    path("users/new", views_manage.user_create, name="user_create"),
    path("users/<int:account_id>/", views_manage.user_detail, name="user_detail"),
    path("users/<int:account_id>/roles/add", views_manage.membership_add, name="membership_add"),
    path("users/<int:account_id>/roles/<int:membership_id>/revoke", views_manage.membership_revoke, name="membership_revoke"),
    path("users/<int:account_id>/roles/<int:membership_id>/move", views_manage.membership_move, name="membership_move"),
    path("users/<int:account_id>/active", views_manage.user_active, name="user_active"),
    path("users/<int:account_id>/password", views_manage.user_password, name="user_password"),
    path("users/import", views_bulk.user_import, name="user_import"),
    path("users/import/preview", views_bulk.user_import_preview, name="user_import_preview"),
    path("users/import/apply", views_bulk.user_import_apply, name="user_import_apply"),
    path("users/import/template", views_bulk.user_import_template, name="user_import_template"),
    path("users/passwords/", views_bulk.password_sheet_page, name="password_sheet"),
    path("users/passwords/xlsx", views_bulk.password_sheet_xlsx, name="password_sheet_xlsx"),
    path("grants/", views_manage.grant_proposals, name="grant_proposals"),
    path("grants/<int:proposal_id>/decide", views_manage.grant_decide, name="grant_decide"),
]
