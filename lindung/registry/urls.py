from django.urls import path

from lindung.registry import views

app_name = "registry"
urlpatterns = [
    path("pekerja/", views.workers, name="workers"),
    path("pekerja/baru/", views.worker_edit, name="worker_new"),
    path("pekerja/<int:worker_id>/", views.worker_detail, name="worker_detail"),
    path("pekerja/<int:worker_id>/ubah/", views.worker_edit, name="worker_edit"),
    path("pekerja/<int:worker_id>/nik/", views.worker_nik_reveal, name="worker_nik_reveal"),
    path("pekerja/<int:worker_id>/<str:kind>/tambah/", views.worker_dependant_new, name="worker_dependant_new"),
    path("pekerja/<int:worker_id>/koreksi-nik/", views.worker_correct_nik_view, name="worker_correct_nik"),
    path("pekerja/<int:worker_id>/gabungkan/", views.worker_merge_view, name="worker_merge"),
    path("pekerja/desil/", views.poverty_refresh_view, name="poverty_refresh"),
    path("pekerja/data-subjek/", views.subject_report_view, name="subject_report"),
    path(
        "pekerja/<int:worker_id>/tarik-persetujuan/",
        views.worker_consent_withdraw_view,
        name="worker_consent_withdraw",
    ),
    path("pindah-desa/", views.transfers, name="transfers"),
    path("pindah-desa/<int:transfer_id>/", views.transfer_decide_view, name="transfer_decide"),
    path("impor/", views.import_start, name="import_start"),
    path("impor/templat.<str:file_format>", views.import_template, name="import_template"),
    path("impor/<int:batch_id>/", views.import_batch, name="import_batch"),
    path("impor/<int:batch_id>/simpan/", views.import_batch_apply, name="import_batch_apply"),
    path("impor/<int:batch_id>/batal/", views.import_batch_cancel_view, name="import_batch_cancel"),
    path("impor/<int:batch_id>/kesalahan.xlsx", views.import_batch_errors, name="import_batch_errors"),
]
