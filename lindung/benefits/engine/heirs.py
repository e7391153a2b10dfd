"""Who receives a death benefit: the order of heirs (urutan ahli waris) and a minor's share to a guardian.

The order followed, as BPJS Ketenagakerjaan publishes it for JKM under PP 44/2015 as amended by PP 82/2019
(reproduced e.g. by GridStar, "Siapa saja ahli waris yang bisa cairkan Jaminan Kematian BPJS Ketenagakerjaan",
star.grid.id/amp/453742135; the order inside the blood line as BPJS lists it for JHT, star.grid.id/read/453667749):

  a. janda, duda, atau anak — the widow or widower, then (issue 6) the children;
  b. when there is none of them:
     1. keturunan sedarah menurut garis lurus ke atas dan ke bawah sampai derajat kedua — parents, then
        grandchildren, then grandparents;
     2. saudara kandung — siblings;
     3. mertua — parents-in-law;
     4. pihak yang ditunjuk dalam wasiat — whoever the member named in a will (relation `other`, by the heir
        statement);
     5. nobody: the funeral benefit goes to whoever arranged the funeral, the lump sum and the periodic benefit to
        the Dana Jaminan Sosial.

Only the first group present receives; its members share equally unless the heir statement (surat keterangan ahli
waris) says otherwise, which the claim records. A minor's share is paid into a guardian's (wali) account.
regulations-research.md does not yet carry this order; the citation above is where it was read.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from .model import QuoteError, in_language


class HeirRelation(enum.StrEnum):
    SPOUSE = "spouse"
    CHILD = "child"
    PARENT = "parent"
    GRANDCHILD = "grandchild"
    GRANDPARENT = "grandparent"
    SIBLING = "sibling"
    PARENT_IN_LAW = "parent_in_law"
    OTHER = "other"  # named in the member's will (wasiat), as the heir statement shows


ORDER: tuple[HeirRelation, ...] = (
    HeirRelation.SPOUSE,
    HeirRelation.CHILD,
    HeirRelation.PARENT,
    HeirRelation.GRANDCHILD,
    HeirRelation.GRANDPARENT,
    HeirRelation.SIBLING,
    HeirRelation.PARENT_IN_LAW,
    HeirRelation.OTHER,
)

LABEL: dict[HeirRelation, str] = {
    HeirRelation.SPOUSE: "suami/istri",
    HeirRelation.CHILD: "anak",
    HeirRelation.PARENT: "orang tua",
    HeirRelation.GRANDCHILD: "cucu",
    HeirRelation.GRANDPARENT: "kakek/nenek",
    HeirRelation.SIBLING: "saudara kandung",
    HeirRelation.PARENT_IN_LAW: "mertua",
    HeirRelation.OTHER: "pihak yang ditunjuk dalam wasiat",
}
LABEL_EN: dict[HeirRelation, str] = {
    HeirRelation.SPOUSE: "husband or wife",
    HeirRelation.CHILD: "child",
    HeirRelation.PARENT: "parent",
    HeirRelation.GRANDCHILD: "grandchild",
    HeirRelation.GRANDPARENT: "grandparent",
    HeirRelation.SIBLING: "sibling",
    HeirRelation.PARENT_IN_LAW: "parent-in-law",
    HeirRelation.OTHER: "person named in the will",
}

NO_HEIR = (
    "Tidak ada ahli waris: biaya pemakaman dibayarkan kepada pihak yang mengurus pemakaman; santunan sekaligus dan "
    "santunan berkala diserahkan ke Dana Jaminan Sosial."
)
NO_HEIR_EN = (
    "No heirs: the funeral costs are paid to whoever arranged the funeral; the lump sum and the periodic benefit go "
    "to the Dana Jaminan Sosial (the social security fund)."
)


@dataclass(frozen=True)
class Heir:
    relation: HeirRelation
    name: str
    is_minor: bool = False
    guardian_account: str | None = None  # the guardian's (wali) bank account, for a minor
    account: str | None = None  # the heir's own bank account


@dataclass(frozen=True)
class Payee:
    heir: Heir
    share: Fraction
    account: str | None  # where the money goes: the guardian's account for a minor
    via_guardian: bool


@dataclass(frozen=True)
class HeirDecision:
    relation: HeirRelation | None  # the group that receives; None when there is no heir
    payees: tuple[Payee, ...]
    basis: str  # Indonesian: why these heirs
    basis_en: str  # the same in English

    def basis_in(self, language: str | None) -> str:
        """Why these heirs, in `language` (English when it starts with "en", else Indonesian)."""
        return in_language(language, self.basis, self.basis_en)

    def split(self, amount: int) -> list[tuple[Payee, int]]:
        """Whole-rupiah shares of `amount`: each rounded down, the rupiah left over to the first payee, so that
        the shares add up to the amount."""
        shares = [int(payee.share * amount) for payee in self.payees]
        if shares:
            shares[0] += amount - sum(shares)
        return list(zip(self.payees, shares, strict=True))


def receiving_heirs(heirs: Sequence[Heir]) -> HeirDecision:
    """The heirs who receive the death benefit, by the order above; a minor's share to the guardian's account."""
    for relation in ORDER:
        group = [heir for heir in heirs if HeirRelation(heir.relation) is relation]
        if not group:
            continue
        share = Fraction(1, len(group))
        payees = []
        for heir in group:
            if heir.is_minor:
                if not heir.guardian_account:
                    raise QuoteError(
                        "guardian_required",
                        f"Ahli waris {heir.name} belum dewasa: bagiannya dibayarkan ke rekening wali, "
                        "isi rekening walinya.",
                        english=f"The heir {heir.name} is a minor: their share is paid into a guardian's account; "
                        "enter the guardian's account.",
                    )
                payees.append(Payee(heir, share, heir.guardian_account, via_guardian=True))
            else:
                payees.append(Payee(heir, share, heir.account, via_guardian=False))
        before = ORDER[: ORDER.index(relation)]
        earlier = ", ".join(LABEL[item] for item in before)
        basis = f"Urutan ahli waris (PP 44/2015 jo. PP 82/2019): {LABEL[relation]} menerima"
        basis += f"; tidak ada {earlier}." if earlier else "."
        basis_en = f"Order of heirs (PP 44/2015 jo. PP 82/2019): the benefit goes to the {LABEL_EN[relation]}"
        basis_en += f"; there is no {', '.join(LABEL_EN[item] for item in before)}." if before else "."
        return HeirDecision(relation, tuple(payees), basis, basis_en)
    return HeirDecision(None, (), NO_HEIR, NO_HEIR_EN)
