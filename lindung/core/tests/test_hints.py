"""Context help: a domain field's label is followed by its Indonesian hint and a link to the glossary entry, in any
app's form, once FORM_RENDERER is the project's renderer; the glossary has every anchor a hint links to."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django import forms
from django.test import override_settings
from django.utils import translation

from lindung.core.hints import HINTS

GLOSSARY = Path(__file__).resolve().parents[3] / "docs" / "panduan" / "glosarium.md"
RENDERER = "lindung.core.forms.HintFormRenderer"


class _Form(forms.Form):
    decile = forms.IntegerField(label="Desil")
    name = forms.CharField(label="Nama")


@override_settings(FORM_RENDERER=RENDERER)
def test_domain_field_gets_its_hint_and_glossary_link():
    with translation.override("id"):
        html = _Form().as_p()
    decile = re.search(r"<label[^>]*>Desil:</label>\s*<small[^>]*>(.*?)</small>", html, re.S)
    assert decile is not None, html
    assert "1 = 10% termiskin" in decile.group(1)
    assert 'href="/panduan/glosarium.html#desil"' in decile.group(1)
    assert html.count('class="helptext hint"') == 1  # "name" has no hint


@override_settings(FORM_RENDERER=RENDERER)
def test_hint_in_a_hand_written_template_and_in_another_apps_form():
    from lindung.registry.forms import HeirForm

    form = HeirForm()
    with translation.override("id"):
        label = str(form["relation"].label_tag())
        name_label = str(form["name"].label_tag())
    assert 'data-hint="ahli-waris"' in label
    assert "hint" not in name_label


@override_settings(FORM_RENDERER="django.forms.renderers.DjangoTemplates")
def test_without_the_setting_forms_render_unchanged():
    assert "helptext hint" not in _Form().as_p()


def test_every_hint_links_to_an_entry_of_the_glossary():
    ids = set(re.findall(r'<span id="([a-z-]+)"></span>', GLOSSARY.read_text(encoding="utf-8")))
    assert {h.anchor for h in HINTS.values()} <= ids


@pytest.mark.parametrize("name", sorted(HINTS))
def test_every_hint_is_translated(name):
    with translation.override("en"):
        english = str(HINTS[name].text)
    with translation.override("id"):
        assert str(HINTS[name].text) != english
