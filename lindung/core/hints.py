"""Context help for domain-specific form fields: one short Indonesian hint per field name, linked to the guide's
glossary (docs/panduan/glosarium.md). `lindung.core.forms.HintFormRenderer` adds it after the field's label in every
form of every app, so no app's form has to repeat it."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Hint:
    text: object  # lazily translated
    anchor: str  # the glossary entry's id


_NIK = Hint(_("16-digit national identity number (KTP)."), "nik")
_HAMLET = Hint(_("Banjar (Bali) or dusun: the neighbourhood within the village."), "banjar-dusun")
_HEIR = Hint(_("Heirs are paid in the order set by regulation: spouse, then children, then parents…"), "ahli-waris")

#: Field name → hint. Only names whose meaning is the same in every form that uses them.
HINTS: dict[str, Hint] = {
    "decile": Hint(
        _("Welfare decile from P3KE/DTSEN: 1 = poorest 10% (extreme poor). Lower deciles come first."), "desil"
    ),
    "extreme_poor": Hint(_("Extreme poverty: below US$1.9 PPP per person per day."), "desil"),
    "nik": _NIK,
    "other_nik": _NIK,
    "new_nik": _NIK,
    "kk_number": Hint(_("16-digit family card (KK) number."), "nik"),
    "hamlet": _HAMLET,
    "rt": _HAMLET,
    "rw": _HAMLET,
    "is_wage_earner_member": Hint(
        _(
            "Wage earners (PU) are enrolled by their employer and leave the programme, which covers non-wage "
            "earners (BPU)."
        ),
        "bpu",
    ),
    "declared_income": Hint(
        _("The monthly income contributions are computed on, not the worker's real income."), "penghasilan-dilaporkan"
    ),
    "package": Hint(_("JKK: work accident; JKM: death; JHT: old-age savings (optional)."), "iuran"),
    "kpj_number": Hint(_("The member's BPJS Ketenagakerjaan number, from the branch's answer."), "kpj"),
    "answer": Hint(_("The branch's file with the KPJ number of every member."), "kpj"),
    "relation": _HEIR,
    "guardian_name": _HEIR,
    "guardian_account": _HEIR,
    "quota_per_village": Hint(_("Workers a village protects; 100 in the 1 Village 100 Workers movement."), "pks"),
    "decree_number": Hint(_("Number of the village head's decree (SK) naming the protected workers."), "sk"),
    "attendees": Hint(_("People present at the village deliberation (musyawarah desa)."), "musyawarah"),
    "school_level": Hint(_("Scholarships are paid per school year, from kindergarten to university."), "beasiswa"),
    "months_unable": Hint(_("STMB: months the worker could not work while recovering."), "stmb"),
    "budget_source": Hint(_("Where the village's money comes from: Dana Desa, APBDes, or another funder."), "apbdes"),
}
