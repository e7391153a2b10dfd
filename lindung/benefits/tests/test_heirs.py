"""The order of heirs and a minor's share to the guardian's account."""

from __future__ import annotations

from fractions import Fraction

import pytest

from lindung.benefits.engine import Heir, HeirRelation, QuoteError, receiving_heirs

R = HeirRelation


def test_the_spouse_comes_before_children_and_parents():
    heirs = [
        Heir(R.PARENT, "Ibu Sari"),
        Heir(R.CHILD, "Putu", is_minor=True, guardian_account="BPD 001"),
        Heir(R.SPOUSE, "Ni Luh", account="BRI 123"),
    ]
    decision = receiving_heirs(heirs)
    assert decision.relation is R.SPOUSE
    assert [(p.heir.name, p.share, p.account, p.via_guardian) for p in decision.payees] == [
        ("Ni Luh", Fraction(1), "BRI 123", False)
    ]


def test_children_without_a_spouse_share_and_a_minor_is_paid_to_the_guardian():
    heirs = [
        Heir(R.PARENT, "Bapak Made"),
        Heir(R.CHILD, "Wayan", account="BNI 9"),
        Heir(R.CHILD, "Kadek", is_minor=True, guardian_account="BRI 55 (wali: Ketut)"),
    ]
    decision = receiving_heirs(heirs)
    assert decision.relation is R.CHILD
    assert [(p.heir.name, p.share, p.account, p.via_guardian) for p in decision.payees] == [
        ("Wayan", Fraction(1, 2), "BNI 9", False),
        ("Kadek", Fraction(1, 2), "BRI 55 (wali: Ketut)", True),
    ]
    assert "tidak ada suami/istri" in decision.basis


def test_whole_rupiah_shares_add_up():
    heirs = [Heir(R.CHILD, name) for name in ("A", "B", "C")]
    shares = receiving_heirs(heirs).split(42_000_000)
    assert [amount for _, amount in shares] == [14_000_000, 14_000_000, 14_000_000]
    odd = receiving_heirs(heirs).split(10_000_001)
    assert [amount for _, amount in odd] == [3_333_335, 3_333_333, 3_333_333]


@pytest.mark.parametrize(
    ("present", "receives"),
    [
        ([R.PARENT, R.GRANDCHILD, R.SIBLING], R.PARENT),
        ([R.GRANDCHILD, R.GRANDPARENT, R.SIBLING], R.GRANDCHILD),
        ([R.GRANDPARENT, R.SIBLING, R.PARENT_IN_LAW], R.GRANDPARENT),
        ([R.SIBLING, R.PARENT_IN_LAW, R.OTHER], R.SIBLING),
        ([R.PARENT_IN_LAW, R.OTHER], R.PARENT_IN_LAW),
        ([R.OTHER], R.OTHER),
    ],
)
def test_the_order_after_spouse_and_children(present, receives):
    decision = receiving_heirs([Heir(relation, relation.value) for relation in reversed(present)])
    assert decision.relation is receives
    assert [p.heir.relation for p in decision.payees] == [receives]


def test_nobody_means_funeral_to_whoever_arranged_it():
    decision = receiving_heirs([])
    assert decision.relation is None
    assert decision.payees == ()
    assert "pihak yang mengurus pemakaman" in decision.basis
    assert "Dana Jaminan Sosial" in decision.basis


def test_a_minor_heir_without_a_guardian_account_is_an_error():
    with pytest.raises(QuoteError) as raised:
        receiving_heirs([Heir(R.CHILD, "Komang", is_minor=True)])
    assert raised.value.code == "guardian_required"
    assert "rekening wali" in raised.value.message


def test_a_minor_in_a_later_group_needs_no_guardian_yet():
    decision = receiving_heirs([Heir(R.SPOUSE, "Ni Luh"), Heir(R.CHILD, "Komang", is_minor=True)])
    assert decision.relation is R.SPOUSE


def test_registry_relation_values_are_accepted():
    from lindung.registry.models import Heir as HeirRow

    for value in HeirRow.Relation.values:
        assert HeirRelation(value).value == value
