"""Forms of the account pages (系统管理员: accounts and roles; 安全管理员: confirming admin-role grants)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator

from kaohe.core.forms import model_choice_field
from kaohe.organisations.models import Organisation
from kaohe.organisations.roles import Role


class AccountSearchForm(forms.Form):
    q = forms.CharField(
        label="账号或姓名", max_length=150, required=False, widget=forms.TextInput(attrs={"class": "form-control"})
    )


class AccountCreateForm(forms.Form):
    username = forms.CharField(
        label="账号",
        max_length=150,
        validators=[UnicodeUsernameValidator(message="账号只能包含字母、数字和 @ . + - _ 字符。")],
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )
    display_name = forms.CharField(label="姓名", max_length=50, widget=forms.TextInput(attrs={"class": "form-control"}))
    email = forms.EmailField(
        label="电子邮箱",
        required=False,
        error_messages={"invalid": "请输入有效的电子邮箱地址。"},
        widget=forms.EmailInput(attrs={"class": "form-control"}),
    )


class OrganisationChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.region.name} · {obj.name}"


class MembershipAddForm(forms.Form):
    """Roles are granted only in organisations of the administrator's regions (``organisations``)."""

    organisation = OrganisationChoiceField(
        label="单位",
        queryset=Organisation.objects.select_related("region").order_by("region__name", "sort_key", "name"),
        error_messages={"required": "请选择单位。", "invalid_choice": "所选单位不存在。"},
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    role = forms.ChoiceField(
        label="角色",
        choices=Role.choices,
        error_messages={"required": "请选择角色。", "invalid_choice": "所选角色不存在。"},
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args: Any, organisations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if organisations is not None:
            model_choice_field(self, "organisation").queryset = organisations.select_related("region").order_by(
                "region__name", "sort_key", "name"
            )


class ActiveForm(forms.Form):
    active = forms.TypedChoiceField(
        choices=[("1", "启用"), ("0", "停用")], coerce=lambda v: v == "1", error_messages={"required": "请选择启用或停用。"}
    )


class GrantDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="决定",
        choices=[("confirm", "确认授予"), ("reject", "驳回")],
        error_messages={"required": "请选择确认或驳回。", "invalid_choice": "请选择确认或驳回。"},
    )
    reason = forms.CharField(
        label="驳回理由",
        max_length=500,
        required=False,
        error_messages={"max_length": "驳回理由不能超过 500 字。"},
        widget=forms.TextInput(attrs={"class": "form-control", "placeholder": "驳回时必填"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "reject" and not (data.get("reason") or "").strip():
            self.add_error("reason", "驳回时请填写理由。")
        return data


class PeopleImportForm(forms.Form):
    file = forms.FileField(
        label="人员名单（.xlsx）",
        error_messages={"required": "请选择要导入的 .xlsx 文件。", "empty": "文件是空的（0 字节）。"},
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".xlsx"}),
    )

    def clean_file(self) -> Any:
        from django.conf import settings

        upload = self.cleaned_data["file"]
        limit = settings.KAOHE_IMPORT_MAX_BYTES
        if upload.size is not None and upload.size > limit:
            raise forms.ValidationError(f"文件过大（{upload.size / 1024 / 1024:.1f} MB），上限 {limit // 1024 // 1024} MB。")
        if not (upload.name or "").lower().endswith(".xlsx"):
            raise forms.ValidationError("请上传 .xlsx 格式的 Excel 文件（旧版 .xls 请先另存为 .xlsx）。")
        return upload


class MembershipMoveForm(forms.Form):
    organisation = OrganisationChoiceField(
        label="调往单位",
        queryset=Organisation.objects.none(),
        error_messages={"required": "请选择调往的单位。", "invalid_choice": "所选单位不存在或不在您管理的地区内。"},
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "organisation").queryset = organisations.select_related("region").order_by(
            "region__name", "sort_key", "name"
        )
