"""The project's form renderer: Django's, plus the context help of `lindung.core.hints` after each field's label."""

from __future__ import annotations

from typing import Any

from django.forms.renderers import DjangoTemplates
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from lindung.core.hints import HINTS, Hint
from lindung.core.html import string, text


def hint_html(hint: Hint) -> SafeString:
    """`<small class="helptext hint">…</small>` with a link to the glossary entry (opens in a new tab: the form
    keeps what was typed)."""
    url = reverse("core:guide_page", args=["glosarium.html"]) + f"#{hint.anchor}"
    return format_html(
        ' <small class="helptext hint" data-hint="{}">{} <a href="{}" target="_blank" rel="noopener">{}</a></small>',
        hint.anchor,
        hint.text,
        url,
        _glossary_label(),
    )


def _glossary_label() -> str:
    from django.utils.translation import gettext

    return gettext("Glossary")


# --- Django's own widget, label and error templates, rendered in Python ---------------------------------------------
# A form renders one template per field for its widget, one for its label and one for its (usually empty) error list,
# and a <select> one more per option: a worker's form costs ~20 ms of CPU in Django's template engine. These functions
# produce the same characters as the templates of django/forms/templates/django/forms/ (Django 5.2) — the same
# escaping, localisation and `stringformat:'s'` (lindung.core.html) — at a tenth of the cost; tests compare them with
# the templates.
_WIDGETS = "django/forms/widgets/"
# Each of these templates is only `{% include "django/forms/widgets/input.html" %}`.
_INPUT_NAMES = "input text number email url password hidden date datetime time search tel color checkbox"
_INPUTS = frozenset(f"{_WIDGETS}{name}.html" for name in _INPUT_NAMES.split())
_OPTION = f"{_WIDGETS}select_option.html"


def _attrs(attrs: Any) -> str:
    """django/forms/widgets/attrs.html and django/forms/attrs.html."""
    if not attrs:
        return ""
    return "".join(
        f" {text(name)}" if value is True else f' {text(name)}="{string(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget: dict[str, Any]) -> str:
    value = f' value="{string(widget["value"])}"' if widget["value"] != None else ""  # noqa: E711 - the template's !=
    return f'<input type="{text(widget["type"])}" name="{text(widget["name"])}"{value}{_attrs(widget["attrs"])}>'


def _select(widget: dict[str, Any]) -> str | None:
    parts = [f'<select name="{text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{text(group_name)}">')
        for option in group_choices:
            if option["template_name"] != _OPTION:
                return None
            parts.append(
                f'\n  <option value="{string(option["value"])}"{_attrs(option["attrs"])}>{text(option["label"])}'
                "</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _textarea(widget: dict[str, Any]) -> str:
    value = text(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{text(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


def _label(context: dict[str, Any]) -> str:
    if not context["use_tag"]:
        return text(context["label"])
    tag = text(context["tag"])
    return f"<{tag}{_attrs(context['attrs'])}>{text(context['label'])}</{tag}>"


def _hidden(fields: list[Any]) -> str:
    return "".join(text(field) for field in fields)


def _form_p(context: dict[str, Any]) -> str:
    """django/forms/p.html (`form.as_p`), its line breaks and indentation included."""
    errors, fields, hidden = context["errors"], context["fields"], context["hidden_fields"]
    parts = [text(errors), "\n"]
    if errors and not fields:
        parts.append(f"\n  <p>{_hidden(hidden)}</p>\n")
    parts.append("\n")
    last = len(fields) - 1
    for index, (field, field_errors) in enumerate(fields):
        classes = field.css_classes()
        css = f' class="{text(classes)}"' if classes else ""
        parts.append(f"\n  {text(field_errors)}\n  <p{css}>")
        parts.append(f"\n    {text(field.label_tag()) if field.label else ''}\n    {text(field)}\n    ")
        if field.help_text:
            helptext_id = f' id="{text(field.auto_id)}_helptext"' if field.auto_id else ""
            parts.append(f'\n      <span class="helptext"{helptext_id}>{field.help_text}</span>\n    ')  # |safe
        parts.append("\n    ")
        if index == last:
            parts.append(f"\n      {_hidden(hidden)}\n    ")
        parts.append("\n  </p>\n")
    parts.append("\n")
    if not fields and not errors:
        parts.append(f"\n  {_hidden(hidden)}\n")
    parts.append("\n")
    return "".join(parts)


def render_builtin(template_name: str, context: dict[str, Any]) -> str | None:
    """The output of one of Django's form templates, or None for a template this does not know (or a case it leaves
    to the template: a non-empty error list, an option with another template)."""
    html: str | None
    if template_name in _INPUTS:
        html = _input(context["widget"])
    elif template_name == f"{_WIDGETS}select.html":
        html = _select(context["widget"])
    elif template_name == f"{_WIDGETS}textarea.html":
        html = _textarea(context["widget"])
    elif template_name == "django/forms/label.html":
        html = _label(context)
    elif template_name == "django/forms/errors/list/default.html" and not context["errors"]:
        html = ""
    elif template_name == "django/forms/p.html":
        html = _form_p(context)
    else:
        return None
    return None if html is None else html.strip()  # BaseRenderer.render strips the template's output


class HintFormRenderer(DjangoTemplates):
    """Every label rendered through Django (`form.as_p`, `field.label_tag` in a hand-written template) of a field
    named in `HINTS` is followed by its hint; other templates render unchanged. Django's common widget, label and
    error templates are rendered by `render_builtin` (same output, less CPU) unless `fast` is off."""

    fast = True

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        html = render_builtin(template_name, context) if self.fast else None
        if html is None:
            html = super().render(template_name, context, request)
        field = context.get("field")
        if "use_tag" in context and field is not None:
            hint = HINTS.get(getattr(field, "name", ""))
            if hint is not None:
                return mark_safe(html + hint_html(hint))
        return html
