from django.urls import path

from lindung.claims import views

app_name = "claims"
urlpatterns = [
    path("pekerja/<int:worker_id>/kejadian/baru/", views.incident_new, name="incident_new"),
    path("klaim/", views.claims, name="claims"),
    path("klaim/<int:claim_id>/", views.claim_detail, name="claim_detail"),
    path("klaim/<int:claim_id>/hitung-ulang/", views.claim_recompute, name="claim_recompute"),
    path("klaim/<int:claim_id>/dokumen/", views.claim_document_upload, name="claim_document_upload"),
    path(
        "klaim/<int:claim_id>/dokumen/<int:document_id>/",
        views.claim_document_download,
        name="claim_document_download",
    ),
    path("klaim/<int:claim_id>/ajukan/", views.claim_submit, name="claim_submit"),
    path("klaim/<int:claim_id>/dibayar/", views.claim_paid, name="claim_paid"),
    path("klaim/<int:claim_id>/ditolak/", views.claim_reject, name="claim_reject"),
    path("klaim/<int:claim_id>/penyebab/", views.claim_cause, name="claim_cause"),
    path("klaim/<int:claim_id>/pembayaran/", views.claim_payouts, name="claim_payouts"),
    path("beasiswa/kewajiban/", views.liabilities, name="liabilities"),
    path("beasiswa/pengingat/", views.reminders, name="reminders"),
    path("beasiswa/<int:plan_id>/", views.plan_detail, name="plan_detail"),
    path("beasiswa/<int:plan_id>/pencairan/", views.plan_disburse, name="plan_disburse"),
    path("beasiswa/<int:plan_id>/hentikan/", views.plan_stop, name="plan_stop"),
    path("beasiswa/<int:plan_id>/bukti/<int:disbursement_id>/", views.disbursement_proof, name="disbursement_proof"),
]
