"""Lindung's REST API, version 1, at /api/v1/ (OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs)."""

from __future__ import annotations

from ninja import NinjaAPI

from lindung.api.auth import FixedWindowThrottle, SessionCsrfAuth, TokenAuth
from lindung.api.docs import OfflineSwagger
from lindung.api.errors import install_handlers
from lindung.api.routes import (
    billing,
    claims,
    dashboard,
    imports,
    me,
    memberships,
    programmes,
    quotes,
    regions,
    training,
    workers,
)

DESCRIPTION = """
API Lindung untuk sistem lain (sistem informasi desa, aplikasi keuangan desa, BPJS, dinas).

* **Autentikasi**: `Authorization: Bearer <token>` — buat token di halaman *Token API* (`/akun/token/`).
  Halaman Lindung sendiri memakai sesi masuk (dengan token CSRF untuk permintaan yang mengubah data).
* **Cakupan**: setiap token bertindak dengan peran dan wilayah penggunanya; data di luar wilayah Anda
  dijawab 404 sama seperti data yang tidak ada.
* **Kesalahan**: selalu `{"error": {"code", "message", "details"}}`.
* **Halaman**: `page` dan `page_size` (maks. 200), urutan tetap.
* **Batas laju**: per token (bawaan 600 permintaan per menit); bila terlampaui `429` dengan `Retry-After`.

Panduan lengkap: `docs/panduan/api.md`.
"""

api = NinjaAPI(
    title="Lindung API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api:v1",
    auth=[TokenAuth(), SessionCsrfAuth()],
    throttle=[FixedWindowThrottle()],
    docs=OfflineSwagger(),
)
install_handlers(api)

for module in (me, regions, workers, imports, programmes, quotes, memberships, billing, claims, training, dashboard):
    api.add_router("", module.router)
