"""Hostile files through the whole import (the `import-workers` command): random bytes, a truncated workbook,
entity expansion inside the XLSX XML, a 100,000-column row. Each ends in a clear Indonesian refusal or in
row-level rejections; never a crash, never a half-stored batch."""

from __future__ import annotations

import io
import json
import time
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from lindung.registry.models import Worker

HEADER = ["NIK", "Nama", "JK", "Tgl Lahir", "Kode Desa"]
GOOD_ROW = ["5171034508900003", "Ni Made Suryani", "P", "05-08-1990", "51.71.03.2008"]


def _import(path: Path) -> dict:
    """The command's JSON: the summary (exit 0) or the error envelope (exit 2)."""
    out = io.StringIO()
    try:
        call_command("import-workers", str(path), "--json", stdout=out)
    except CommandError as error:
        assert error.returncode == 2, error
    result = json.loads(out.getvalue().strip().splitlines()[-1])
    assert ("error" in result) or (result["rows"] == result["valid"] + result["rejected"] + result["duplicates"])
    return result


def _workbook_bytes(rows: list[list[str]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=st.binary(min_size=1, max_size=4096), as_xlsx=st.booleans())
def test_random_bytes_are_refused_or_rejected_never_crash(bali, tmp_path, payload, as_xlsx):
    path = tmp_path / ("acak.xlsx" if as_xlsx else "acak.csv")
    path.write_bytes((b"PK\x03\x04" + payload) if as_xlsx else payload)
    result = _import(path)
    if "error" in result:
        assert result["error"]["message"]  # said in words, not a traceback
    assert not Worker.objects.exists()


@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.9, 0.99])
def test_truncated_workbook_is_refused_and_nothing_is_stored(bali, tmp_path, fraction):
    whole = _workbook_bytes([HEADER, GOOD_ROW])
    path = tmp_path / "terpotong.xlsx"
    path.write_bytes(whole[: int(len(whole) * fraction)])
    result = _import(path)
    assert result["error"]["message"] == "Berkas bukan XLSX atau CSV yang dapat dibaca."
    assert not Worker.objects.exists()


def test_entity_expansion_in_the_sheet_xml_does_not_expand(bali, tmp_path):
    """'Billion laughs': eight levels of ten references would be 10^7 copies (30 MB from 1 KB) if expanded."""
    whole = _workbook_bytes([HEADER, GOOD_ROW])
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{"".join(f"&lol{i - 1};" for _ in range(10))}">' for i in range(1, 8)
    )
    path = tmp_path / "tawa.xlsx"
    planted = False
    with zipfile.ZipFile(io.BytesIO(whole)) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            data = source.read(entry.filename)
            if entry.filename == "xl/worksheets/sheet1.xml":  # openpyxl writes the names inline here
                text = data.decode()
                assert "Ni Made Suryani" in text
                prolog_end = text.index("?>") + 2 if text.startswith("<?xml") else 0
                text = f"{text[:prolog_end]}<!DOCTYPE worksheet [{entities}]>{text[prolog_end:]}"
                data = text.replace("Ni Made Suryani", "&lol7;").encode()
                planted = True
            target.writestr(entry, data)
    assert planted
    started = time.perf_counter()
    result = _import(path)
    assert time.perf_counter() - started < 30  # bounded
    if "error" in result:  # expat's amplification limit stops the parse: the file is called damaged
        assert result["error"]["message"].startswith("Berkas XLSX rusak")
        assert not Worker.objects.exists()
    else:  # a reader that does not expand entities at all: the name is never the expansion
        assert not Worker.objects.filter(name__contains="lollol").exists()


def test_a_row_of_100000_columns_is_handled(bali, tmp_path):
    path = tmp_path / "lebar.csv"
    wide = ";".join([*GOOD_ROW, *(["x"] * 100_000)])
    path.write_text(";".join(HEADER) + "\n" + wide + "\n", encoding="utf-8")
    result = _import(path)
    # Cells beyond the header's columns carry no meaning and are ignored; the row itself is valid.
    assert (result["rows"], result["created"]) == (1, 1)
    assert Worker.objects.get().name == "Ni Made Suryani"


def test_formulas_are_never_evaluated(bali, tmp_path):
    """openpyxl stores a text starting with '=' as a formula without a cached value; Lindung reads only cached
    values, so the formula is neither run nor stored: the name counts as empty and the row is rejected."""
    path = tmp_path / "rumus.xlsx"
    path.write_bytes(_workbook_bytes([HEADER, [GOOD_ROW[0], '=HYPERLINK("http://x","Klik")', *GOOD_ROW[2:]]]))
    result = _import(path)
    assert (result["rows"], result["rejected"], result["created"]) == (1, 1, 0)
    assert not Worker.objects.exists()
