"""The city officer opens Kota Denpasar's dashboard, clicks into Denpasar Barat, then Tegal Harum: on each level every
chart is drawn by Chart.js from the JSON endpoint, its data equals the table beneath it, and the Excel export
downloaded in the browser holds the same figures."""

from __future__ import annotations

from decimal import Decimal

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from lindung.core.demo import DEMO_PASSWORD, demo_setup
from lindung.reporting.refresh import refresh_summaries
from lindung.synth.models import SynthRun
from lindung.synth.services import synth_run

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEGAL_HARUM = "51.71.03.2008"

CHART_STATE = """(id) => {
  const canvas = document.getElementById('chart-' + id);
  const chart = Chart.getChart(canvas);
  if (!chart) return null;
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i]) painted++;
  return {labels: chart.data.labels, data: chart.data.datasets.map(s => s.data),
          series: chart.data.datasets.map(s => s.label), painted: painted, width: canvas.width};
}"""

TABLE_STATE = """(table) => ({
  series: [...table.querySelectorAll('thead th')].slice(1).map(th => th.textContent.trim()),
  rows: [...table.querySelectorAll('tbody tr')].map(tr => [tr.querySelector('th').textContent.trim(),
         ...[...tr.querySelectorAll('td')].map(td => td.textContent.trim())]),
})"""


def parse_id(text: str) -> float:
    """An Indonesian-formatted number ("1.234.567", "2,97") as a number."""
    return float(Decimal(text.replace(".", "").replace(",", ".")))


def check_charts(page) -> dict[str, dict]:
    """Every chart on the page is drawn and shows exactly its table's figures; returns {title: {label: [values]}}."""
    expect(page.locator("#dashboard")).to_have_attribute("data-ready", "1")
    figures = page.locator("figure[data-chart-id]")
    count = figures.count()
    assert count >= 8
    seen: dict[str, dict] = {}
    for i in range(count):
        figure = figures.nth(i)
        chart_id = figure.get_attribute("data-chart-id")
        state = page.evaluate(CHART_STATE, chart_id)
        assert state is not None, f"no Chart.js instance for {chart_id}"
        assert state["width"] > 0 and state["painted"] > 0, f"{chart_id} not drawn"
        table = figure.locator("table").evaluate(TABLE_STATE)
        assert table["series"] == state["series"], chart_id
        assert [row[0] for row in table["rows"]] == state["labels"], chart_id
        for column, values in enumerate(state["data"]):
            assert [parse_id(row[column + 1]) for row in table["rows"]] == [float(v) for v in values], chart_id
        title = figure.locator("h2").inner_text().strip()
        seen[title] = {label: [values[k] for values in state["data"]] for k, label in enumerate(state["labels"])}
    return seen


def xlsx_charts(path) -> dict[str, dict]:
    """The "Grafik" sheet's tables: {title: {label: [values]}}."""
    rows = list(load_workbook(path)["Grafik"].iter_rows(values_only=True))
    tables: dict[str, dict] = {}
    i = 0
    while i < len(rows):
        if rows[i] and rows[i][0] and (i + 1 < len(rows)) and rows[i + 1] and rows[i + 1][0] in ("", None):
            title, width = rows[i][0], len([c for c in rows[i + 1][1:] if c is not None])
            body: dict = {}
            i += 2
            while i < len(rows) and rows[i] and rows[i][0] is not None:
                body[rows[i][0]] = list(rows[i][1 : 1 + width])
                i += 1
            tables[title] = body
        i += 1
    return tables


def test_city_officer_drills_down_and_charts_equal_tables_and_export(page, live_server, tmp_path):
    demo_setup()
    if not SynthRun.objects.exists():  # the demo generates Denpasar's other villages itself (lindung.synth.demo)
        synth_run(prefix="51.71", exclude=[TEGAL_HARUM], per_village=5, months=6, profile="full", with_checksum=False)
    refresh_summaries(full=True)
    errors: list[str] = []  # script errors, CSP refusals, failed requests (the browser's own favicon request aside)
    page.on(
        "console", lambda m: errors.append(m.text) if m.type == "error" and "Failed to load" not in m.text else None
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", lambda r: errors.append(r.url) if r.status >= 400 and "favicon" not in r.url else None)

    page.goto(f"{live_server.url}/masuk/")
    page.get_by_label("Nama pengguna").fill("dinas.denpasar")
    page.get_by_label("Kata sandi").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.get_by_role("navigation", name="Menu utama").get_by_role("link", name="Dasbor").click()

    title = page.get_by_test_id("dashboard-title")
    expect(title).to_contain_text("Kota Denpasar")
    expect(page.get_by_test_id("as-of")).to_contain_text("Data per ")
    city = check_charts(page)
    assert "Peserta aktif dibanding kuota per wilayah" in city

    page.get_by_test_id("children").get_by_role("link", name="Denpasar Barat").click()
    expect(title).to_contain_text("Denpasar Barat")
    check_charts(page)

    page.get_by_test_id("children").get_by_role("link", name="Tegal Harum").click()
    expect(title).to_contain_text("Tegal Harum")
    village = check_charts(page)
    # Tegal Harum's demo: 100 members (all with the last two months unpaid, so in arrears) against a quota of 100.
    assert village["Peserta aktif dibanding kuota"]["Aktif"] == [100]
    assert village["Peserta aktif dibanding kuota"]["Kuota"] == [100]

    with page.expect_download() as download_info:
        page.get_by_test_id("export-xlsx").click()
    path = tmp_path / "dasbor.xlsx"
    download_info.value.save_as(path)
    exported = xlsx_charts(path)
    assert exported == village

    # The breadcrumb leads back up to the city.
    page.get_by_test_id("breadcrumb").get_by_role("link", name="Kota Denpasar").click()
    expect(title).to_contain_text("Kota Denpasar")
    assert check_charts(page) == city
    assert errors == []
