"""`make run` demo data: synthetic candidates, members, billing and claims for Kota Denpasar's other villages.

Tegal Harum (51.71.03.2008) keeps its hand-made demo data (other tests rely on it): it and every village that
already has workers are left out. The villages go into the demo programme ("Gerakan 1 Desa 100 Pekerja Rentan");
the 12 desa it lists as in discussion keep their agreement and get candidates only. The data's "today" is the real
date, so the statuses shown match the calendar the demo runs on. Idempotent: a second call does nothing.
"""

from __future__ import annotations

from django.utils import timezone

from lindung.accounts.models import User
from lindung.programmes.demo import DENPASAR, PROGRAMME_NAME, TEGAL_HARUM
from lindung.programmes.models import Programme
from lindung.registry.models import Worker
from lindung.synth.models import SynthRun
from lindung.synth.services import synth_run

DEMO_SEED = 1


def demo_synth() -> dict:
    if SynthRun.objects.filter(scope=DENPASAR).exists():
        return {"created": False}
    programme = Programme.objects.filter(name=PROGRAMME_NAME, region_id=DENPASAR).first()
    occupied = set(
        Worker.objects.filter(village__code__startswith=f"{DENPASAR}.").values_list("village_id", flat=True).distinct()
    )
    # Recorded by the demo administrator: the demo keeps its seven users (no separate synth user).
    user = User.objects.filter(username="admin").first()
    result = synth_run(
        prefix=DENPASAR,
        seed=DEMO_SEED,
        months=12,
        profile="realistic",
        as_of=timezone.localdate(),
        exclude=sorted(occupied | {TEGAL_HARUM}),
        programme=programme,
        with_checksum=False,
        user=user,
    )
    return {"created": True, "villages": result.villages, **result.counts}
