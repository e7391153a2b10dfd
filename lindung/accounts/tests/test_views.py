import os
import subprocess
import sys

from django.conf import settings
from django.urls import reverse

from lindung.accounts.models import Role
from lindung.audit.models import AuditEvent
from lindung.regions.models import Region

TEGAL_HARUM = "51.71.03.2008"
PASSWORD = "rahasia-uji-123"


def test_login_page_is_indonesian_by_default(client, db):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="id">' in html
    assert "Kata sandi" in html and "Nama pengguna" in html


def test_anonymous_is_sent_to_login(client, db):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/masuk/")


def test_login_and_logout_are_audited(client, operator_tegal_harum):
    response = client.post(reverse("accounts:login"), {"username": "op.tegalharum", "password": PASSWORD})
    assert response.status_code == 302
    client.post(reverse("accounts:logout"))
    client.post(reverse("accounts:login"), {"username": "op.tegalharum", "password": "salah"})
    actions = list(
        AuditEvent.objects.filter(action__startswith="auth.").order_by("seq").values_list("action", "actor_username")
    )
    assert actions == [
        ("auth.login", "op.tegalharum"),
        ("auth.logout", "op.tegalharum"),
        ("auth.login_failed", "op.tegalharum"),
    ]


def test_login_five_failures_lock_account_with_indonesian_message(client, operator_tegal_harum):
    url = reverse("accounts:login")
    statuses = [client.post(url, {"username": "op.tegalharum", "password": f"salah{i}"}).status_code for i in range(5)]
    assert statuses[:4] == [200, 200, 200, 200]
    assert statuses[4] == 429
    # Even the right password is refused while locked.
    response = client.post(url, {"username": "op.tegalharum", "password": PASSWORD})
    assert response.status_code == 429
    assert "dikunci selama 15 menit" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_village_operator_gets_404_for_every_other_village(client, operator_tegal_harum):
    client.force_login(operator_tegal_harum)
    assert client.get(f"/wilayah/{TEGAL_HARUM}/").status_code == 200
    others = Region.objects.filter(code__startswith="51.").exclude(code=TEGAL_HARUM)
    others = others.filter(level=Region.Level.VILLAGE).values_list("code", flat=True)
    assert len(others) == 715
    statuses = {client.get(f"/wilayah/{code}/").status_code for code in others}
    assert statuses == {404}
    for region_page in ("51.71.03", "51.71", "51", "31.71.01.1001"):
        assert client.get(f"/wilayah/{region_page}/").status_code == 404


def test_village_operator_has_no_user_administration(client, operator_tegal_harum, city_officer):
    client.force_login(operator_tegal_harum)
    assert client.get(reverse("accounts:users")).status_code == 403
    assert client.get(reverse("accounts:user_detail", args=[city_officer.pk])).status_code == 403


def test_city_officer_out_of_scope_user_is_404(client, city_officer, make_user):
    badung = make_user("op.badung", Role.VILLAGE_OPERATOR, "51.03.05.2001")
    mine = make_user("op.mine", Role.VILLAGE_OPERATOR, TEGAL_HARUM)
    client.force_login(city_officer)
    assert client.get(reverse("accounts:user_detail", args=[badung.pk])).status_code == 404
    assert client.get(reverse("accounts:user_detail", args=[mine.pk])).status_code == 200
    listing = client.get(reverse("accounts:users")).content.decode()
    assert "op.mine" in listing and "op.badung" not in listing


def test_city_officer_deactivate_asks_before_acting(client, city_officer, make_user):
    target = make_user("op.target", Role.VILLAGE_OPERATOR, TEGAL_HARUM)
    client.force_login(city_officer)
    url = reverse("accounts:user_toggle_active", args=[target.pk])
    assert client.get(url).status_code == 200
    target.refresh_from_db()
    assert target.is_active
    client.post(url)
    target.refresh_from_db()
    assert not target.is_active


def test_temporary_password_forces_change_first(client, city_officer):
    client.force_login(city_officer)
    response = client.post(
        reverse("accounts:user_new"),
        {
            "username": "op.baru",
            "full_name": "Operator Baru",
            "role": Role.VILLAGE_OPERATOR,
            "region_codes": TEGAL_HARUM,
        },
    )
    password = response.context["password"]
    client.logout()
    client.post(reverse("accounts:login"), {"username": "op.baru", "password": password})
    assert client.get("/").url == reverse("accounts:password_change")
    client.post(
        reverse("accounts:password_change"),
        {"password1": "sandi-baru-yang-kuat", "password2": "sandi-baru-yang-kuat"},
    )
    assert client.get("/").status_code == 200


def test_home_figures_differ_by_scope(client, operator_tegal_harum, city_officer):
    client.force_login(operator_tegal_harum)
    village = client.get("/").context["counts"]
    client.force_login(city_officer)
    city = client.get("/").context["counts"]
    assert (village.villages, village.desa, village.kelurahan) == (1, 1, 0)
    assert (city.villages, city.desa, city.kelurahan) == (43, 27, 16)


def test_sessions_expire_after_30_idle_minutes():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST


def test_production_mode_requires_secret_key(tmp_path):
    env = {**os.environ, "LINDUNG_ENV": "production", "LINDUNG_VAR_DIR": str(tmp_path)}
    env.pop("LINDUNG_SECRET_KEY", None)
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='lindung.settings'; "
            "from django.conf import settings; settings.SECRET_KEY",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "LINDUNG_SECRET_KEY wajib diisi" in result.stderr
    env["LINDUNG_SECRET_KEY"] = "k" * 50
    ok = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os; os.environ['DJANGO_SETTINGS_MODULE']='lindung.settings'; "
            "from django.conf import settings; print(settings.SESSION_COOKIE_SECURE, settings.DEMO_MODE)",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert ok.stdout.strip() == "True False"


def test_home_counts_registered_workers_in_scope(client, operator_tegal_harum, city_officer):
    from lindung.registry.models import Worker

    Worker.objects.create(nik="5171034508900003", name="A", sex="P", birth_date="1990-08-05", village_id=TEGAL_HARUM)
    Worker.objects.create(
        nik="5171011203850001", name="B", sex="L", birth_date="1985-03-12", village_id="51.71.01.1001"
    )
    client.force_login(operator_tegal_harum)
    assert client.get("/").context["workers"] == 1
    client.force_login(city_officer)
    assert client.get("/").context["workers"] == 2
