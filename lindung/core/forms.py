"""The project's form renderer: Django's, plus the context help of `lindung.core.hints` after each field's label."""

from __future__ import annotations

from typing import Any

from django.forms.renderers import DjangoTemplates
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from lindung.core.hints import HINTS, Hint


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


class HintFormRenderer(DjangoTemplates):
    """Every label rendered through Django (`form.as_p`, `field.label_tag` in a hand-written template) of a field
    named in `HINTS` is followed by its hint; other templates render unchanged."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        html = super().render(template_name, context, request)
        field = context.get("field")
        if "use_tag" in context and field is not None:
            hint = HINTS.get(getattr(field, "name", ""))
            if hint is not None:
                return mark_safe(html + hint_html(hint))
        return html
