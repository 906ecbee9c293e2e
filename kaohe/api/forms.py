"""Forms of the office's 数据交换 page: tokens, trusted keys and the upload of a signed file."""

from __future__ import annotations

from django import forms

from kaohe.api.models import Scope
from kaohe.api.signing import MAX_FILE_BYTES
from kaohe.core.forms import BoundedDateField, StyledFormMixin


class TokenForm(StyledFormMixin, forms.Form):
    name = forms.CharField(
        label="名称",
        max_length=100,
        help_text="如：省司法厅数据汇总",
        error_messages={"required": "请填写令牌名称", "max_length": "令牌名称不能超过 100 字"},
    )
    scopes = forms.MultipleChoiceField(
        label="权限范围",
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请至少选择一项权限范围", "invalid_choice": "权限范围不正确"},
    )
    expires_on = BoundedDateField(
        window=None,
        label="有效期至",
        required=False,
        help_text="留空为长期有效（可随时吊销）",
        error_messages={"invalid": "有效期至不是有效的日期"},
    )


class TrustedKeyForm(StyledFormMixin, forms.Form):
    name = forms.CharField(
        label="来源平台名称",
        max_length=200,
        help_text="如：平顶山市依法行政考核督导平台",
        error_messages={"required": "请填写来源平台名称", "max_length": "来源平台名称不能超过 200 字"},
    )
    public_key = forms.CharField(
        label="公钥",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="对方平台“数据交换”页显示的 Base64 公钥，或其公钥文件的内容；请通过电话等其他渠道核对指纹",
        error_messages={"required": "请填写公钥", "max_length": "公钥内容过长"},
    )


class ImportForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label="签名导出文件（.zip）", error_messages={"required": "请选择要导入的文件", "empty": "文件是空的"})

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(f"文件过大（超过 {MAX_FILE_BYTES // 1024 // 1024} MB），不是考核结果导出文件")
        return upload
