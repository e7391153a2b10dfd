"""The user guide lists every import header and synonym the importer accepts (docs never drift)."""

from pathlib import Path

from lindung.registry.importing.reading import COLUMNS

GUIDE = Path(__file__).resolve().parents[3] / "docs" / "panduan" / "pekerja.md"


def test_guide_lists_every_import_header_and_synonym():
    text = GUIDE.read_text(encoding="utf-8")
    for column in COLUMNS:
        assert f"**{column.header}**" in text, column.header
        for synonym in column.synonyms:
            assert f"`{synonym}`" in text, synonym
