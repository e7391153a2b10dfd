"""Dashboard pages: scope (404 out of scope), exports, the city's poverty rate, the refresh a stale page asks for."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import BytesIO

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from lindung.accounts.models import Role
from lindung.audit.models import AuditEvent
from lindung.billing.models import Payment
from lindung.programmes.models import Agreement, Programme
from lindung.reporting.charts import field_labels
from lindung.reporting.models import CURRENT_FIELDS, PovertyRate, RefreshState, Summary
from lindung.reporting.refresh import refresh_summaries
from lindung.reporting.templatetags.reporting_extras import angka

TEGAL_HARUM = "51.71.03.2008"
PADANGSAMBIAN = "51.71.03.2001"


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def programme(bali):
    programme = Programme.objects.create(name="Gerakan", region_id="51.71", starts_on=dt.date(2023, 1, 1))
    Agreement.objects.create(programme=programme, village_id=TEGAL_HARUM, status="active", quota=100)
    Agreement.objects.create(programme=programme, village_id="51.71.01.1001", status="signed")
    Agreement.objects.create(programme=programme, village_id=PADANGSAMBIAN, status="in_discussion")
    return programme


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


SUFFIXES = ["", "data.json", "unduh.xlsx", "laporan.pdf"]


@pytest.mark.parametrize(
    ("role", "scope", "allowed", "refused"),
    [
        (Role.VILLAGE_OPERATOR, TEGAL_HARUM, [TEGAL_HARUM], [PADANGSAMBIAN, "51.71.03", "51.71", "51", "ID"]),
        (Role.CITY_OFFICER, "51.71", ["51.71", "51.71.03", TEGAL_HARUM], ["51", "51.03", "51.03.05.2001", "ID"]),
        (Role.PROVINCE_VIEWER, "51", ["51", "51.03", "51.71"], ["ID", "52", "52.01"]),
    ],
)
def test_dashboard_scope_out_of_scope_is_404(programme, make_user, role, scope, allowed, refused):
    refresh_summaries(full=True)
    client = client_for(make_user("pengguna", role, scope))
    for code in allowed:
        for suffix in SUFFIXES:
            assert client.get(f"/dasbor/{code}/{suffix}").status_code == 200, (code, suffix)
        assert client.get(f"/api/v1/dashboard/{code}").status_code == 200
    for code in refused:
        for suffix in SUFFIXES:
            assert client.get(f"/dasbor/{code}/{suffix}").status_code == 404, (code, suffix)
        assert client.get(f"/api/v1/dashboard/{code}").status_code == 404
    assert client.get("/dasbor/").url == f"/dasbor/{scope}/"


def test_dashboard_national_for_admin_drills_down(programme, make_user):
    refresh_summaries(full=True)
    client = client_for(make_user("admin.pusat", Role.ADMIN, national=True))
    assert client.get("/dasbor/").url == "/dasbor/ID/"
    page = client.get("/dasbor/ID/").content.decode()
    assert 'href="/dasbor/51/"' in page
    data = client.get("/dasbor/51.71/data.json").json()
    assert [p["code"] for p in data["breadcrumb"]] == ["ID", "51"]
    # Hand-counted from the fixture: two villages signed (one desa, one kelurahan), quota 100 + programme's 100.
    assert data["figures"]["agreements_desa"] == 1
    assert data["figures"]["agreements_kelurahan"] == 1
    assert data["figures"]["quota"] == 200
    assert data["figures"]["villages_desa"] + data["figures"]["villages_kelurahan"] == 43


def test_dashboard_shows_data_as_of_and_refreshes_when_stale(programme, make_user, django_capture_on_commit_callbacks):
    client = client_for(make_user("dinas", Role.CITY_OFFICER, "51.71"))
    # Never summarised: the page says so and asks for a refresh, which the task runs.
    with django_capture_on_commit_callbacks(execute=True):
        page = client.get("/dasbor/51.71/").content.decode()
    assert "belum diringkas" in page
    state = RefreshState.objects.get()
    assert state.refreshed_at is not None
    assert Summary.objects.get(region_code="51.71").agreements_desa == 1
    # A new payment, and the data is older than a minute: the next page view enqueues the refresh.
    Payment.objects.create(
        programme=programme, village_id=TEGAL_HARUM, value_date=timezone.localdate(), amount=50_000,
        reference="UJI", budget_source="dana_desa",
    )  # fmt: skip
    RefreshState.objects.update(refreshed_at=timezone.now() - dt.timedelta(seconds=61), requested_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        client.get("/dasbor/51.71/")
    assert Summary.objects.get(region_code="51.71").contributions_paid == 50_000
    page = client.get("/dasbor/51.71/").content.decode()
    assert "Data per " in page
    # Fresh data: no refresh is asked for.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.get("/dasbor/51.71/")
    assert callbacks == []


def test_dashboard_xlsx_has_the_figures_with_indonesian_headers(programme, make_user):
    refresh_summaries(full=True)
    client = client_for(make_user("dinas", Role.CITY_OFFICER, "51.71"))
    response = client.get("/dasbor/51.71/unduh.xlsx")
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames[:2] == ["Ringkasan", "Grafik"]
    sheet = book["Ringkasan"]
    rows = {row[0]: row[1] for row in sheet.iter_rows(min_row=5, values_only=True) if row[0]}
    labels = field_labels()
    summary = Summary.objects.get(region_code="51.71")
    assert rows == {labels[name]: getattr(summary, name) for name in CURRENT_FIELDS}
    assert rows["Kuota (peserta)"] == 200
    children = book["Wilayah"]
    assert children.max_row == 1 + 4  # the four districts of Kota Denpasar


def test_dashboard_pdf_report_for_a_month(programme, make_user):
    refresh_summaries(full=True)
    client = client_for(make_user("dinas", Role.CITY_OFFICER, "51.71"))
    response = client.get("/dasbor/51.71/laporan.pdf?bulan=2026-01")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert client.get("/dasbor/51.71/laporan.pdf?bulan=kemarin").status_code == 404


def test_poverty_rate_record_by_city_officer_audited_and_charted(programme, make_user):
    officer = make_user("dinas", Role.CITY_OFFICER, "51.71")
    client = client_for(officer)
    response = client.post(
        "/dasbor/51.71/kemiskinan/",
        {"as_of": "2023-03-01", "poverty_rate": "2.97", "extreme_poverty_rate": "0.20", "source": "BPS Maret 2023"},
    )
    assert response.status_code == 302
    rate = PovertyRate.objects.get()
    assert (rate.poverty_rate, rate.extreme_poverty_rate) == (Decimal("2.97"), Decimal("0.20"))
    event = AuditEvent.objects.get(action="reporting.poverty_rate.record")
    assert event.region_code == "51.71" and event.changes["extreme_poverty_rate"] == "0.20"
    data = client.get("/dasbor/51.71/data.json").json()
    chart = next(c for c in data["charts"] if c["id"] == "poverty_rate")
    assert chart["series"][1]["data"] == [0.2] and chart["series"][2]["data"] == [0.0]
    # The extreme rate above the total is refused with a clear message.
    response = client.post(
        "/dasbor/51.71/kemiskinan/", {"as_of": "2024-03-01", "poverty_rate": "1.00", "extreme_poverty_rate": "2.00"}
    )
    assert "tidak boleh lebih besar" in response.content.decode()
    assert PovertyRate.objects.count() == 1


def test_poverty_rate_form_refused_to_readers_and_villages(programme, make_user):
    for role, scope in [
        (Role.BPJS_OFFICER, "51.71"),
        (Role.VILLAGE_OPERATOR, TEGAL_HARUM),
        (Role.CITY_OFFICER, "51.03"),
    ]:
        client = client_for(make_user(f"u-{role}-{scope}", role, scope))
        assert client.get("/dasbor/51.71/kemiskinan/").status_code == 404
        response = client.post(
            "/dasbor/51.71/kemiskinan/", {"as_of": "2023-03-01", "poverty_rate": "2", "extreme_poverty_rate": "0"}
        )
        assert response.status_code == 404
    assert not PovertyRate.objects.exists()


@pytest.mark.parametrize(
    ("value", "text"),
    [(0, "0"), (1234567, "1.234.567"), (2.97, "2,97"), (Decimal("0.20"), "0,2"), (-5000, "-5.000"), (3.0, "3")],
)
def test_angka_matches_indonesian_locale(value, text):
    # Expected values as `Number(value).toLocaleString("id-ID")` prints them in Chromium.
    assert angka(value) == text


def test_refresh_summaries_command_all_then_nothing_changed(programme, capsys):
    import json

    from django.core.management import call_command

    call_command("refresh-summaries", "--all", "--json")
    full = json.loads(capsys.readouterr().out)
    assert full["full"] is True and full["villages"] == 716  # every desa/kelurahan of Bali
    assert Summary.objects.get(region_code="ID").agreements_desa == 1
    call_command("refresh-summaries", "--village", TEGAL_HARUM, "--json")
    one = json.loads(capsys.readouterr().out)
    assert one["full"] is False and one["villages"] == 1
