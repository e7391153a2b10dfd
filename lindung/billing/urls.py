from django.urls import path

from lindung.billing import document_views, run_views, views

app_name = "billing"
urlpatterns = [
    path("tagihan/peringatan/", views.warnings, name="warnings"),
    path("tagihan/pembayaran/<int:payment_id>/batalkan/", views.payment_reverse_view, name="payment_reverse"),
    # Before tagihan/<code>/: these first segments are not village codes.
    path("tagihan/daftar/", document_views.invoices, name="invoices"),
    path("tagihan/daftar.xlsx", document_views.invoices_export, name="invoices_export"),
    path("tagihan/faktur/<int:invoice_id>/", document_views.invoice_detail, name="invoice_detail"),
    path("tagihan/faktur/<int:invoice_id>/tagihan.pdf", document_views.invoice_pdf, name="invoice_pdf"),
    path("tagihan/pembayaran/<int:payment_id>/", document_views.payment_detail, name="payment_detail"),
    path("tagihan/pembayaran/<int:payment_id>/kuitansi.pdf", document_views.payment_receipt, name="payment_receipt"),
    path("tagihan/rekening-bpjs/", document_views.statement_list, name="statements"),
    path("tagihan/rekening-bpjs/templat.xlsx", document_views.statement_template, name="statement_template"),
    path("tagihan/rekening-bpjs/<int:statement_id>/", document_views.statement_detail, name="statement_detail"),
    path(
        "tagihan/rekening-bpjs/<int:statement_id>/selisih.xlsx",
        document_views.statement_export,
        name="statement_export",
    ),
    path("tagihan/penagihan/", run_views.runs, name="runs"),
    path("tagihan/<str:code>/", views.village_billing, name="village"),
    path("tagihan/<str:code>/bayar/", views.payment_new, name="payment_new"),
    path("tagihan/<str:code>/anggaran/", document_views.budget, name="budget"),
]
