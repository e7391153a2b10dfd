"""Accounts for the load test, created through the accounts and API services (idempotent).

    DATABASE_URL=… .venv/bin/python scripts/loadtest/setup_users.py OUT.json [--operators 45] [--officers 3]

One operator per paying village of Bali that has registered workers (`lt.op.<village digits>`), city/regency
officers (`lt.dinas.<regency digits>`) and one API token of an officer. Writes what the locustfile needs: usernames,
password, each operator's village, a sample of its workers' ids and name words to search for, the programme.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path

PASSWORD = "Uji-Beban-2026!"  # noqa: S105 - a throwaway load-test database on loopback


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--operators", type=int, default=45)
    parser.add_argument("--officers", type=int, default=3)
    options = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lindung.settings")
    import django

    django.setup()
    from django.db.models import Count
    from django.utils import timezone

    from lindung.accounts.models import Role, RoleAssignment, User
    from lindung.accounts.services import user_create
    from lindung.api.services import token_create
    from lindung.programmes.models import Agreement
    from lindung.registry.models import Worker

    admin = User.objects.filter(username="lt.admin").first()
    if admin is None:  # the first administrator, as `createsuperuser` or demo-setup would make it
        admin = User.objects.create_user(username="lt.admin", password=PASSWORD, full_name="Admin Uji Beban")
        RoleAssignment.objects.create(user=admin, role=Role.ADMIN, national=True)

    def ensure(username: str, role: str, code: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            user, _ = user_create(acting_user=admin, username=username, full_name=username, role=role,
                                  region_codes=[code], password=PASSWORD)  # fmt: skip
        return user

    paying = (
        Agreement.objects.filter(village__code__startswith="51.")
        .values_list("village_id", "programme_id")
        .order_by("village_id")
    )
    programme_of = dict(paying)
    counts = (
        Worker.objects.filter(village_id__in=list(programme_of))
        .values("village_id")
        .annotate(n=Count("id"))
        .filter(n__gte=20)
        .order_by("village_id")
    )
    villages = [row["village_id"] for row in counts]
    if not villages:
        raise SystemExit("Tidak ada desa pembayar dengan pekerja di Bali: jalankan dulu `lindung synth --prefix 51`.")
    step = max(len(villages) // options.operators, 1)
    chosen = villages[::step][: options.operators]
    operators = []
    for code in chosen:
        ensure(f"lt.op.{code.replace('.', '')}", Role.VILLAGE_OPERATOR, code)
        workers = list(Worker.objects.filter(village_id=code).order_by("pk").values_list("pk", "name")[:30])
        words = sorted({name.split()[0] for _pk, name in workers})[:10]
        operators.append({"username": f"lt.op.{code.replace('.', '')}", "village": code,
                          "programme": programme_of[code], "workers": [pk for pk, _n in workers],
                          "words": words})  # fmt: skip
    regencies = sorted({code[:5] for code in villages})[: options.officers]
    officers = []
    for code in regencies:
        officers.append({"username": f"lt.dinas.{code.replace('.', '')}", "region": code,
                         "villages": [v for v in villages if v.startswith(code + ".")][:20]})  # fmt: skip
        ensure(officers[-1]["username"], Role.CITY_OFFICER, code)
    api_user = User.objects.get(username=officers[0]["username"])
    last_day = timezone.localdate() + dt.timedelta(days=7)
    _token, secret = token_create(acting_user=api_user, name="uji beban", last_day=last_day)
    Path(options.out).write_text(json.dumps({"password": PASSWORD, "operators": operators, "officers": officers,
                                             "api": {"token": secret, "region": officers[0]["region"],
                                                     "villages": officers[0]["villages"]}}, indent=1))  # fmt: skip
    print(f"{len(operators)} operator, {len(officers)} petugas dinas, 1 token API -> {options.out}")


if __name__ == "__main__":
    main()
