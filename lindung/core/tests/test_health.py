"""/sehat/ for monitoring: the web process and the database answer; the task queue's backlog is shown."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_health_answers_ok_with_the_waiting_tasks(client):
    response = client.get("/sehat/")
    assert response.status_code == 200
    assert response.content.decode() == "ok\ntasks waiting: 0\n"


def test_health_is_503_when_the_database_does_not_answer(client, monkeypatch):
    from django.db import OperationalError
    from django_tasks_db.models import DBTaskResult

    def broken(self):
        raise OperationalError("connection refused")

    monkeypatch.setattr(type(DBTaskResult.objects.ready()), "count", broken)
    response = client.get("/sehat/")
    assert (response.status_code, response.content) == (503, b"database unavailable\n")
