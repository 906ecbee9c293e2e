"""The office's form marking a good practice (典型经验)."""

from __future__ import annotations

from typing import Any

from django import forms

from kaohe.core.forms import StyledFormMixin, choice_field
from kaohe.results.selectors_practice import Candidate, CandidateUnit
from kaohe.results.services_practice import NOTE_MAX, TITLE_MAX


class PracticeForm(StyledFormMixin, forms.Form):
    source = forms.ChoiceField(label="报送资料或加分事项")
    title = forms.CharField(label="标题", max_length=TITLE_MAX)
    note = forms.CharField(label="简要说明", max_length=NOTE_MAX, required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, candidates: list[Candidate], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "source").choices = [("", "请选择"), *((c.value, c.label) for c in candidates)]
        self.fields["source"].error_messages.update(
            {
                "required": "请选择一份报送资料或一项已认定的加分事项",
                "invalid_choice": "请选择评为“优”的报送资料或已认定的加分事项",
            }
        )
        self.fields["title"].error_messages.update(
            {"required": "请填写典型经验的标题", "max_length": f"标题不超过 {TITLE_MAX} 个字"}
        )
        self.fields["note"].error_messages["max_length"] = f"简要说明不超过 {NOTE_MAX} 个字"


class PracticeUnitForm(StyledFormMixin, forms.Form):
    """The first step of marking: whose 优 files and approved bonus matters to list (a GET filter)."""

    unit = forms.TypedChoiceField(label="考核对象", coerce=int)

    def __init__(self, *args: Any, units: list[CandidateUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "unit").choices = [("", "请选择"), *((u.unit_id, u.label) for u in units)]
        self.fields["unit"].error_messages.update(
            {"required": "请选择考核对象", "invalid_choice": "该考核对象没有可标记的报送资料或加分事项"}
        )
