"""The project's form renderer draws Django's widget, label and error templates in Python (`render_builtin`): the HTML
must be exactly what the templates give, for every form of every app and for the awkward cases (escaping, safe and
lazy strings, dates, numbers, boolean attributes, option groups, errors)."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil
from typing import Any

import pytest
from django import forms
from django.test import override_settings
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

import lindung
from lindung.core.forms import HintFormRenderer, render_builtin

RENDERER = "lindung.core.forms.HintFormRenderer"


class TemplateRenderer(HintFormRenderer):
    fast = False


class CheckingRenderer(HintFormRenderer):
    """Renders every template both ways and records each comparison."""

    def __init__(self) -> None:
        super().__init__()
        self.slow = TemplateRenderer()
        self.compared = 0

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        fast = render_builtin(template_name, context)
        if fast is not None:
            assert fast == self.slow.engine.get_template(template_name).render(context, request).strip(), template_name
            self.compared += 1
        return super().render(template_name, context, request)


class _Awkward(forms.Form):
    required_css_class = "required"
    error_css_class = "error"

    text = forms.CharField(label='Name <b>&"', initial='a "quoted" <tag> & more', help_text="Help")
    safe = forms.CharField(label=mark_safe("<i>safe</i>"), initial=mark_safe("<b>kept</b>"), required=False)
    lazy = forms.CharField(label=gettext_lazy("Village"), initial=gettext_lazy("Village"))
    number = forms.IntegerField(initial=1234567, min_value=0)
    decimal = forms.DecimalField(initial="1234.50", required=False)
    date = forms.DateField(initial=dt.date(2026, 1, 31), widget=forms.DateInput(attrs={"type": "date"}))
    plain_date = forms.DateField(initial=dt.date(2026, 1, 31), required=False)
    when = forms.DateTimeField(initial=dt.datetime(2026, 1, 31, 8, 30, tzinfo=dt.UTC), required=False)
    flag = forms.BooleanField(initial=True, required=False)
    off = forms.BooleanField(initial=False, required=False)
    email = forms.EmailField(required=False, widget=forms.EmailInput(attrs={"autocomplete": "off", "x": False}))
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True), initial="s<>", required=False)
    hidden = forms.CharField(widget=forms.HiddenInput, initial="v&1")
    notes = forms.CharField(widget=forms.Textarea, initial="line 1\n<line 2>", required=False)
    empty_notes = forms.CharField(widget=forms.Textarea, required=False)
    choice = forms.ChoiceField(choices=[(1, "One & <1>"), ("2", gettext_lazy("Village")), ("", "—")], initial=1)
    grouped = forms.ChoiceField(
        choices=[("Group <a>", [("a", "A"), ("b", "B")]), ("c", "C"), (gettext_lazy("Village"), [("d", "D")])],
        initial="b",
        required=False,
    )
    many = forms.MultipleChoiceField(choices=[("x", "X"), ("y", "Y")], initial=["x", "y"], required=False)
    typed = forms.TypedChoiceField(choices=[(1, "1"), (2, "2")], coerce=int, initial=2)
    radio = forms.ChoiceField(choices=[("r", "R")], widget=forms.RadioSelect, required=False)
    decile = forms.IntegerField(label="Desil", required=False)  # has a hint
    search = forms.CharField(widget=forms.TextInput(attrs={"type": "search", "placeholder": 'say "hi"'}))


class _OnlyHidden(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)
    other = forms.CharField(widget=forms.HiddenInput, required=False, initial="x")


class _Empty(forms.Form):
    pass


def _render_everything(form: forms.BaseForm, *, layouts: bool = True) -> str:
    html = form.as_p() + (form.as_div() + form.as_table() + form.as_ul() if layouts else "")
    for field in form:
        html += str(field.label_tag(attrs={"class": "x", "data-on": True})) if layouts else ""
    return html + str(form.non_field_errors())


def _check(form_class: type[forms.BaseForm], *, languages: tuple[str, ...] = ("id",), **kwargs: Any) -> int:
    checking = CheckingRenderer()
    slow = TemplateRenderer()
    compared = 0
    for data in (None, {"text": "<x>", "number": "abc", "choice": "2", "flag": "on", "many": ["y"]}):
        for language in languages:
            with translation.override(language):
                fast_html = _render_everything(form_class(data, renderer=checking, **kwargs))
                slow_html = _render_everything(form_class(data, renderer=slow, **kwargs))
            assert fast_html == slow_html
    compared += checking.compared
    return compared


def test_awkward_values_render_as_the_templates_do():
    assert _check(_Awkward, languages=("id", "en")) > 100
    assert _check(_OnlyHidden) > 4  # errors of hidden fields, no visible field
    assert _check(_Empty) > 1


def test_empty_error_list_and_non_empty_one():
    form = _Awkward({}, renderer=CheckingRenderer())
    assert form.errors
    assert "errorlist" in str(form["text"].errors)
    assert str(form["safe"].errors) == ""


def _project_forms() -> list[type[forms.BaseForm]]:
    found: dict[str, type[forms.BaseForm]] = {}
    for module_info in pkgutil.walk_packages(lindung.__path__, "lindung."):
        if not module_info.name.endswith(".forms"):
            continue
        module = importlib.import_module(module_info.name)
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, forms.BaseForm)
                and value.__module__ == module.__name__
                and not name.startswith("_")
            ):
                found[f"{module.__name__}.{name}"] = value
    return [found[k] for k in sorted(found)]


@pytest.mark.django_db
@override_settings(FORM_RENDERER=RENDERER)
def test_every_form_of_the_project_renders_as_the_templates_do(bali):
    compared = 0
    checked = []
    for form_class in _project_forms():
        try:
            _render_everything(form_class(renderer=TemplateRenderer()), layouts=False)
        except Exception:  # noqa: S112 - needs arguments or data of its view: not renderable on its own
            continue
        compared += _check(form_class)
        checked.append(form_class.__name__)
    assert "WorkerForm" in checked
    assert "PaymentForm" in checked
    assert compared > 300


@pytest.mark.django_db
def test_worker_form_with_its_villages(bali):
    from lindung.regions.models import Region
    from lindung.registry.forms import WorkerForm

    villages = Region.objects.filter(level=Region.Level.VILLAGE)
    assert _check(WorkerForm, villages=villages[:3]) > 50
