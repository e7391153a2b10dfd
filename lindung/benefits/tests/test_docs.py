"""The guide's example runs as printed, and every error code the command can give is explained there."""

from __future__ import annotations

import json
import re
from pathlib import Path

from .conftest import run_quote

GUIDE = Path(__file__).resolve().parents[3] / "docs" / "panduan" / "manfaat.md"


def test_the_guide_example_gives_the_printed_output():
    blocks = re.findall(r"```json\n(.*?)```", GUIDE.read_text(encoding="utf-8"), flags=re.S)
    payload, printed = (json.loads(block) for block in blocks[:2])
    code, result = run_quote(payload)
    assert code == 0
    assert result == printed


def test_the_guide_explains_every_error_code():
    root = Path(__file__).resolve().parents[1]
    text = GUIDE.read_text(encoding="utf-8")
    codes = set()
    for path in [*(root / "engine").glob("*.py"), root / "management" / "commands" / "quote-benefits.py"]:
        codes |= set(re.findall(r'QuoteError\(\s*"([a-z_]+)"', path.read_text(encoding="utf-8")))
    codes.add("invalid_input")  # raised through jsonio._invalid()
    codes.discard("guardian_required")  # the heirs function, not the command
    assert codes
    for code in codes:
        assert f"`{code}`" in text, code
