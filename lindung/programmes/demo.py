"""Demo data: the Denpasar programme, Tegal Harum's agreement in force, 12 more desa in discussion. Idempotent.

Facts from the launch article (`shared/mission/`, 7 Feb 2023): the programme follows Inpres 4/2022 and
Permendesa PDTT 8/2022 and continues the provincial cooperation agreement between BPJS Ketenagakerjaan Cabang
Bali Denpasar and the Forum Perbekel Provinsi Bali (PER/118/12.2022 and FPB/14/2022, December 2022) and the
Dinas PMD Kota Denpasar circular 140/1838/DPMD. Tegal Harum was the first desa to sign (launched 7 Feb 2023);
12 of the city's other desa were to follow. The article does not give Tegal Harum's own PKS numbers, its
signatories' names, the exact signing dates of the framework documents, nor which 12 desa follow: the demo leaves
the unknown numbers and dates empty and takes the first 12 other desa by Kemendagri code.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from lindung.programmes.models import Agreement, FrameworkAgreement, Funder, Package, Programme
from lindung.programmes.services import agreement_create, agreement_transition, programme_create
from lindung.regions.models import Region

PROGRAMME_NAME = "Gerakan 1 Desa 100 Pekerja Rentan"
DENPASAR = "51.71"
BALI = "51"
TEGAL_HARUM = "51.71.03.2008"
PROGRAMME_STARTS = date(2023, 2, 1)
LAUNCH = date(2023, 2, 7)  # "Peresmian Pelindungan Pekerja Rentan Desa Tegal Harum, Selasa (7/2/2023)"
IN_DISCUSSION_COUNT = 12

LEGAL_BASIS = "\n".join(
    [
        "Inpres 4/2022 tentang Percepatan Penghapusan Kemiskinan Ekstrem",
        "Permendesa PDTT 8/2022 tentang Prioritas Penggunaan Dana Desa Tahun 2023",
        "PKS BPJS Ketenagakerjaan Cabang Bali Denpasar - Forum Perbekel Provinsi Bali PER/118/12.2022 dan FPB/14/2022",
        "Surat Edaran Dinas PMD Kota Denpasar 140/1838/DPMD",
    ]
)
FRAMEWORK_NUMBER = "PER/118/12.2022 dan FPB/14/2022"
FRAMEWORK_TITLE = (
    "Pelaksanaan Penyelenggaraan Program Jaminan Sosial Ketenagakerjaan bagi Pekerja Rentan "
    "dan Ekosistem Desa di Bali (BPJS Ketenagakerjaan Cabang Bali Denpasar - Forum Perbekel Provinsi Bali)"
)
CIRCULAR_NUMBER = "140/1838/DPMD"
CIRCULAR_TITLE = "Gerakan Perlindungan 1 Desa 100 Pekerja Rentan se-Kota Denpasar"


def demo_programmes() -> dict:
    """Create (once) the Denpasar programme, its framework documents and the 13 desa agreements.

    Assumes the regions of Bali are loaded. Returns the programme and what this run created.
    """
    with transaction.atomic():
        denpasar = Region.objects.get(code=DENPASAR)
        programme = Programme.objects.filter(name=PROGRAMME_NAME, region=denpasar).first()
        created_programme = programme is None
        if programme is None:
            programme = programme_create(
                acting_user=None,
                name=PROGRAMME_NAME,
                region=denpasar,
                starts_on=PROGRAMME_STARTS,
                quota_per_village=100,
                package=Package.JKK_JKM,
                declared_income=1_000_000,
                kelurahan_funder=Funder.APBD,
                legal_basis=LEGAL_BASIS,
            )
        framework, created_framework = FrameworkAgreement.objects.get_or_create(
            region_id=BALI,
            number=FRAMEWORK_NUMBER,
            defaults={"kind": FrameworkAgreement.Kind.FRAMEWORK, "title": FRAMEWORK_TITLE},
        )
        _circular, created_circular = FrameworkAgreement.objects.get_or_create(
            region_id=DENPASAR,
            number=CIRCULAR_NUMBER,
            defaults={"kind": FrameworkAgreement.Kind.CIRCULAR, "title": CIRCULAR_TITLE},
        )
        existing = set(programme.agreements.values_list("village_id", flat=True))
        created_agreements = 0

        tegal_harum = Region.objects.get(code=TEGAL_HARUM)
        if TEGAL_HARUM not in existing:
            agreement = agreement_create(
                acting_user=None,
                programme=programme,
                village=tegal_harum,
                framework=framework,
                village_signatory="Perbekel Desa Tegal Harum",
                partner_signatory="Kepala Kantor Cabang BPJS Ketenagakerjaan Bali Denpasar",
                valid_from=PROGRAMME_STARTS,
            )
            for status, on, note in (
                (Agreement.Status.IN_DISCUSSION, date(2023, 1, 2), "Menindaklanjuti kesepakatan tingkat provinsi."),
                (Agreement.Status.SIGNED, LAUNCH, "Desa pertama yang menandatangani; peresmian 7 Februari 2023."),
                (Agreement.Status.ACTIVE, LAUNCH, "Kepesertaan pekerja rentan dimulai."),
            ):
                agreement_transition(agreement, status, on, None, note)
            created_agreements += 1

        others = (
            Region.objects.filter(level=Region.Level.VILLAGE, kind=Region.Kind.DESA, code__startswith=f"{DENPASAR}.")
            .exclude(code=TEGAL_HARUM)
            .order_by("code")[:IN_DISCUSSION_COUNT]
        )
        for village in others:
            if village.code in existing:
                continue
            agreement = agreement_create(acting_user=None, programme=programme, village=village, framework=framework)
            agreement_transition(
                agreement,
                Agreement.Status.IN_DISCUSSION,
                LAUNCH,
                None,
                "Akan menyusul penandatanganan (diumumkan pada peresmian 7 Februari 2023).",
            )
            created_agreements += 1
    return {
        "programme": programme,
        "programme_created": created_programme,
        "frameworks_created": int(created_framework) + int(created_circular),
        "agreements_created": created_agreements,
    }
