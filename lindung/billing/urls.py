from django.urls import path

from lindung.billing import views

app_name = "billing"
urlpatterns = [
    path("tagihan/peringatan/", views.warnings, name="warnings"),
    path("tagihan/pembayaran/<int:payment_id>/batalkan/", views.payment_reverse_view, name="payment_reverse"),
    path("tagihan/<str:code>/", views.village_billing, name="village"),
    path("tagihan/<str:code>/bayar/", views.payment_new, name="payment_new"),
]
