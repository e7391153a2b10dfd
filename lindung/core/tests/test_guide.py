"""The built user guide is served at /panduan/, inside its build directory only."""

from __future__ import annotations

import pytest


@pytest.fixture
def built_guide(settings, tmp_path):
    (tmp_path / "index.html").write_text("<h1>Panduan Pengguna Lindung</h1>", encoding="utf-8")
    (tmp_path / "pekerja.html").write_text("<h1>Pekerja</h1>", encoding="utf-8")
    (tmp_path.parent / "secret.txt").write_text("rahasia", encoding="utf-8")
    settings.LINDUNG_GUIDE_DIR = tmp_path
    return tmp_path


def test_guide_pages_are_served(client, built_guide):
    response = client.get("/panduan/")
    assert response.status_code == 200
    assert b"Panduan Pengguna Lindung" in b"".join(response.streaming_content)
    response = client.get("/panduan/pekerja.html")
    assert response.status_code == 200
    assert "'unsafe-inline'" in response.headers["Content-Security-Policy"]


def test_guide_refuses_paths_outside_its_directory(client, built_guide):
    for path in ("/panduan/../secret.txt", "/panduan/%2e%2e/secret.txt", "/panduan/..%2fsecret.txt"):
        response = client.get(path)
        assert response.status_code in (400, 404), path  # 400: Django's serve() refuses the traversal itself
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert b"rahasia" not in body


def test_guide_not_built_says_how_to_build_it(client, settings, tmp_path):
    settings.LINDUNG_GUIDE_DIR = tmp_path / "missing"
    response = client.get("/panduan/")
    assert response.status_code == 503
    assert "make docs" in response.content.decode()
