"""Merging two registry records of one person never deletes the training history of the one removed."""

from __future__ import annotations

import pytest
from django.utils import timezone

from lindung.core.errors import ApplicationError
from lindung.registry.lifecycle import worker_merge
from lindung.registry.models import Worker
from lindung.training.models import Enrolment


@pytest.fixture
def twins(make_worker, make_programme, trainer):
    kept = make_worker("5171030101850001", "Made Cukur")
    duplicate = make_worker("5171030101850011", "I Made Cukur")
    programme = make_programme(trainer)
    Enrolment.objects.create(
        programme=programme, worker=duplicate, status=Enrolment.Status.COMPLETED, invited_on=timezone.localdate()
    )
    return kept, duplicate


def test_merge_refused_while_the_removed_record_has_training_history(twins, city_officer):
    kept, duplicate = twins
    with pytest.raises(ApplicationError) as refused:
        worker_merge(acting_user=city_officer, keep=kept, remove=duplicate, reason="data ganda")
    assert refused.value.code == "has_history"
    assert "I Made Cukur" in refused.value.message
    assert Worker.objects.filter(pk=duplicate.pk).exists()
    assert Enrolment.objects.filter(worker=duplicate).count() == 1


def test_merge_the_other_way_keeps_the_history(twins, city_officer):
    kept, duplicate = twins
    worker_merge(acting_user=city_officer, keep=duplicate, remove=kept, reason="data ganda")
    assert not Worker.objects.filter(pk=kept.pk).exists()
    assert Enrolment.objects.get().worker_id == duplicate.pk
