"""agreements_in_force (billing relies on it) and agreement_for, on hand-built agreements."""

from __future__ import annotations

from datetime import date

import pytest

from lindung.programmes.models import Agreement
from lindung.programmes.selectors import agreement_for, agreements_in_force
from lindung.regions.models import Region

S = Agreement.Status


@pytest.fixture
def agreements(programme):
    def make(code, status, valid_from=None, valid_until=None):
        return Agreement.objects.create(
            programme=programme,
            village_id=code,
            status=status,
            valid_from=valid_from,
            valid_until=valid_until,
            funder="apbdes",
        )

    return {
        "open": make("51.71.03.2008", S.ACTIVE, date(2023, 2, 1)),
        "bounded": make("51.71.03.2009", S.SIGNED, date(2023, 3, 1), date(2023, 12, 31)),
        "no_dates": make("51.71.01.2007", S.SIGNED),
        "discussion": make("51.71.01.2008", S.IN_DISCUSSION, date(2023, 1, 1)),
        "expired": make("51.71.02.2001", S.EXPIRED, date(2023, 1, 1), date(2023, 6, 30)),
        "terminated": make("51.71.02.2002", S.TERMINATED, date(2023, 1, 1)),
    }


def _names(queryset, agreements):
    by_pk = {a.pk: name for name, a in agreements.items()}
    return {by_pk[a.pk] for a in queryset}


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2023, 1, 31), {"no_dates"}),
        (date(2023, 2, 1), {"open", "no_dates"}),
        (date(2023, 3, 1), {"open", "no_dates", "bounded"}),
        (date(2023, 12, 31), {"open", "no_dates", "bounded"}),  # last valid day included
        (date(2024, 1, 1), {"open", "no_dates"}),
    ],
)
def test_in_force_by_status_and_dates(agreements, day, expected):
    assert _names(agreements_in_force(day), agreements) == expected
    for name, agreement in agreements.items():
        assert agreement.is_in_force(day) == (name in expected)


def test_in_force_by_region_prefix(agreements):
    day = date(2023, 6, 1)
    assert _names(agreements_in_force(day, "51.71.03"), agreements) == {"open", "bounded"}
    assert _names(agreements_in_force(day, "51.71.01"), agreements) == {"no_dates"}
    assert _names(agreements_in_force(day, "51.71.03.2008"), agreements) == {"open"}
    assert _names(agreements_in_force(day, "51.03"), agreements) == set()
    assert _names(agreements_in_force(day, "51.7"), agreements) == set()  # a prefix is a whole code


def test_agreement_for(agreements, programme):
    assert agreement_for(programme, Region.objects.get(code="51.71.03.2008")) == agreements["open"]
    assert agreement_for(programme, Region.objects.get(code="51.71.04.2001")) is None
