from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AdminPasswordChangeForm, AuthenticationForm, PasswordChangeForm
from django.core.exceptions import ValidationError
from django.views.decorators.debug import sensitive_variables

from kaohe.accounts import policy


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label="账号",
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "class": "form-control"}),
    )
    password = forms.CharField(
        label="密码", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "class": "form-control"})
    )

    error_messages: ClassVar[dict[str, Any]] = {  # type: ignore[misc]
        "invalid_login": "账号或密码不正确。连续输错多次后账号将被暂时锁定。",
        "inactive": "该账号已停用，请联系系统管理员。",
    }


class PolicyValidationMixin:
    """Validate new passwords with the configured validators plus the history check (even if settings omit it)."""

    @sensitive_variables("password")
    def validate_password_for_user(self, user: Any, password_field_name: str = "password2") -> None:  # noqa: S107
        form: Any = self  # a django.forms.Form, which this mixin is combined with
        password = form.cleaned_data.get(password_field_name)
        if password:
            try:
                password_validation.validate_password(password, user, password_validators=policy.password_validators())
            except ValidationError as error:
                form.add_error(password_field_name, error)


class PolicyPasswordChangeForm(PolicyValidationMixin, PasswordChangeForm):
    """旧密码 + 新密码 twice, checked against the whole policy; saving goes through ``services.password_change``."""

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        self.fields["old_password"].label = "当前密码"
        self.fields["new_password1"].label = "新密码"
        self.fields["new_password2"].label = "再次输入新密码"
        self.fields["new_password1"].help_text = ""
        self.fields["new_password2"].help_text = ""
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control"


class PolicyAdminPasswordChangeForm(PolicyValidationMixin, AdminPasswordChangeForm):  # type: ignore[type-arg]
    """The admin's "change password" page is a reset: saving goes through ``services.password_reset``."""

    def clean(self) -> dict[str, Any]:
        from kaohe.accounts import services
        from kaohe.core import audit

        data = super().clean()
        refusal = services.password_reset_refusal(actor=audit.current_user(), user=self.user)
        if refusal:  # on the field: the admin's password page does not show non-field errors
            raise ValidationError({"password1": refusal})
        return data or {}

    def save(self, commit: bool = True) -> Any:
        from kaohe.accounts import services
        from kaohe.core import audit

        usable = self.cleaned_data.get("usable_password", "true") != "false"
        new_password = self.cleaned_data["password1"] if usable else None
        if commit:
            services.password_reset(actor=audit.current_user(), user=self.user, new_password=new_password)
        return self.user


class TotpCodeForm(forms.Form):
    code = forms.CharField(
        label="验证码",
        max_length=10,
        widget=forms.TextInput(
            attrs={
                "class": "form-control",
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
                "placeholder": "6 位数字",
            }
        ),
    )


class TotpDisableForm(forms.Form):
    password = forms.CharField(
        label="当前密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"class": "form-control", "autocomplete": "current-password"}),
    )
    code = forms.CharField(
        label="验证码",
        max_length=10,
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class UnlockForm(forms.Form):
    username = forms.CharField(label="账号", max_length=255)
    ip_address = forms.GenericIPAddressField(label="IP地址", required=False)


class TotpResetForm(forms.Form):
    username = forms.CharField(
        label="账号", max_length=150, widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"})
    )
    confirm = forms.BooleanField(
        label="我已核实该用户的身份（如当面或电话回拨）",
        required=True,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


class EmailNotificationsForm(forms.Form):
    """邮件通知: the user's own choice; opting in needs a valid e-mail address."""

    email = forms.EmailField(
        label="电子邮箱",
        required=False,
        max_length=254,
        error_messages={"invalid": "请输入有效的电子邮箱地址，例如 name@example.gov.cn。"},
        widget=forms.EmailInput(attrs={"class": "form-control", "autocomplete": "email"}),
    )
    email_notifications = forms.BooleanField(
        label="同时通过电子邮件接收平台消息",
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("email_notifications") and not cleaned.get("email") and "email" not in self.errors:
            self.add_error("email", "接收邮件通知须填写有效的电子邮箱地址。")
        return cleaned
