"""Region loading. Expected counts come from RULES.md (Kemendagri figures), not from the loader."""

import pytest

from lindung.audit.models import AuditEvent
from lindung.regions.models import Region
from lindung.regions.services import regions_load


@pytest.mark.django_db
def test_regions_load_whole_country_counts_match_kemendagri():
    result = regions_load()
    villages = Region.objects.filter(level=Region.Level.VILLAGE)
    assert villages.count() == 83_762
    assert villages.filter(kind=Region.Kind.DESA).count() == 75_252
    assert villages.filter(kind=Region.Kind.KELURAHAN).count() == 8_496
    assert villages.filter(kind=Region.Kind.DESA_ADAT).count() == 14
    assert result.villages == 83_762
    assert Region.objects.filter(level=Region.Level.PROVINCE).count() == 38
    denpasar = villages.filter(code__startswith="51.71.")
    assert denpasar.filter(kind=Region.Kind.DESA).count() == 27
    assert denpasar.filter(kind=Region.Kind.KELURAHAN).count() == 16
    # A second run changes nothing and says so.
    again = regions_load()
    assert (again.created, again.updated, again.changed) == (0, 0, False)
    assert again.unchanged == Region.objects.count()


@pytest.mark.django_db
def test_regions_load_prefix_loads_subtree_with_parents():
    regions_load(prefix="51.71")
    tegal_harum = Region.objects.select_related("parent__parent__parent").get(code="51.71.03.2008")
    assert tegal_harum.name == "Tegal Harum"
    assert tegal_harum.kind == Region.Kind.DESA
    assert tegal_harum.parent.name == "Denpasar Barat"
    assert tegal_harum.parent.parent.name == "Kota Denpasar"
    assert tegal_harum.parent.parent.kind == Region.Kind.CITY
    assert tegal_harum.parent.parent.parent.code == "51"
    assert Region.objects.filter(level=Region.Level.VILLAGE).count() == 43
    assert not Region.objects.filter(code__startswith="51.03").exists()


@pytest.mark.django_db
def test_regions_load_bali_has_716_villages():
    regions_load(prefix="51")
    assert Region.objects.filter(level=Region.Level.VILLAGE, code__startswith="51.").count() == 716


@pytest.mark.django_db
def test_regions_load_renamed_region_is_updated_and_audited():
    regions_load(prefix="51.71")
    Region.objects.filter(code="51.71.03.2008").update(name="Nama Lama")
    result = regions_load(prefix="51.71")
    assert (result.created, result.updated) == (0, 1)
    assert Region.objects.get(code="51.71.03.2008").name == "Tegal Harum"
    event = AuditEvent.objects.filter(action="regions.load").order_by("-seq").first()
    assert event.changes["updated"] == 1
    assert event.changes["sample_updated"] == ["51.71.03.2008"]


@pytest.mark.django_db
def test_regions_load_query_count_does_not_grow_with_villages(django_assert_max_num_queries):
    # Set-based: a province (716 villages) costs a handful of queries, not one per village.
    with django_assert_max_num_queries(15):
        regions_load(prefix="51")


@pytest.mark.django_db
def test_regions_load_command_reports_no_changes_on_second_run(capsys):
    from django.core.management import call_command

    call_command("regions-load", "--prefix", "51.71")
    first = capsys.readouterr().out
    assert "43 desa/kelurahan" in first
    call_command("regions-load", "--prefix", "51.71")
    assert "Tidak ada perubahan" in capsys.readouterr().out
