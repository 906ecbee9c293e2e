"""FastSelect / FastSelectMultiple write the same bytes as Django's template-rendered selects, for every kind of
choice, label and attribute (they replace them on every styled form: a change here would show on every page)."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.utils.safestring import mark_safe
from hypothesis import given, settings
from hypothesis import strategies as st

from kaohe.core.forms import FastSelect, FastSelectMultiple, StyledFormMixin

HOSTILE = ['<script>alert("x")</script>', "A & B", "O'Brien", '"quoted"', "舞钢市人民政府（压测001）", "", " "]


def _both(django_cls: type[forms.Select], fast_cls: type[forms.Select], choices: Any, value: Any, attrs: Any) -> None:
    name = 'field"<name>'
    expected = django_cls(attrs=dict(attrs), choices=choices).render(name, value, attrs={"id": "id_x"})
    got = fast_cls(attrs=dict(attrs), choices=choices).render(name, value, attrs={"id": "id_x"})
    assert got == expected


@pytest.mark.parametrize(
    ("choices", "value"),
    [
        ([], None),
        ([("", "请选择"), (1, "一"), (2, "二")], 2),
        ([("", "请选择"), ("a", "甲"), ("b", "乙")], "b"),
        ([(label, label) for label in HOSTILE], HOSTILE[0]),
        ([("县区政府", [(1, "舞钢市"), (2, "宝丰县")]), ("部门", [(3, "市司法局")]), (4, "其他")], 3),
        ([(1, mark_safe("<b>已是安全的</b>")), (2, "<b>要转义</b>")], 1),
        ([(True, "是"), (False, "否"), (None, "未知")], False),
    ],
)
@pytest.mark.parametrize(
    "attrs",
    [{}, {"class": "form-select"}, {"class": "form-select", "disabled": True, "data-x": 'a"b', "hidden": False}],
)
def test_the_fast_select_writes_what_django_writes(choices, value, attrs):
    _both(forms.Select, FastSelect, choices, value, attrs)
    _both(forms.SelectMultiple, FastSelectMultiple, choices, [value] if value is not None else [], attrs)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.one_of(st.integers(), st.text(max_size=8)), st.text(max_size=12)), max_size=8),
    st.one_of(st.none(), st.integers(), st.text(max_size=8)),
)
def test_any_choices_render_alike(choices, value):
    _both(forms.Select, FastSelect, choices, value, {"class": "form-select"})
    _both(forms.SelectMultiple, FastSelectMultiple, choices, [value], {"class": "form-select"})


@pytest.mark.django_db
def test_model_choices_render_alike(personas):
    from kaohe.organisations.models import Organisation

    class Form(forms.Form):
        organisation = forms.ModelChoiceField(queryset=Organisation.objects.order_by("pk"))
        several = forms.ModelMultipleChoiceField(queryset=Organisation.objects.order_by("pk"))

    class Styled(StyledFormMixin, Form):
        pass

    chosen = Organisation.objects.order_by("pk")[1]
    data = {"organisation": chosen.pk, "several": [chosen.pk]}
    plain, styled = Form(data), Styled(data)
    for name in ("organisation", "several"):
        plain.fields[name].widget.attrs["class"] = "form-select"
        assert str(styled[name]) == str(plain[name])
        assert f'value="{chosen.pk}" selected' in str(styled[name])


def test_styled_forms_use_the_fast_selects_but_leave_other_widgets():
    class Special(forms.Select):
        pass

    class Form(StyledFormMixin, forms.Form):
        one = forms.ChoiceField(choices=[(1, "一")])
        many = forms.MultipleChoiceField(choices=[(1, "一")])
        radio = forms.ChoiceField(choices=[(1, "一")], widget=forms.RadioSelect)
        special = forms.ChoiceField(choices=[(1, "一")], widget=Special)
        flag = forms.NullBooleanField()

    form = Form()
    assert type(form.fields["one"].widget) is FastSelect
    assert type(form.fields["many"].widget) is FastSelectMultiple
    assert type(form.fields["radio"].widget) is forms.RadioSelect
    assert type(form.fields["special"].widget) is Special
    assert type(form.fields["flag"].widget) is forms.NullBooleanSelect
    assert Form.base_fields["one"].widget.__class__ is forms.Select  # the class's own fields are untouched
