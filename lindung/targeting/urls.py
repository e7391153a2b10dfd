from django.urls import path

from lindung.targeting import views

app_name = "targeting"
urlpatterns = [
    path("penerima/", views.index, name="index"),
    path("penerima/<int:list_id>/", views.list_detail, name="list_detail"),
    path("penerima/<int:list_id>/hitung/", views.prepare, name="prepare"),
    path("penerima/<int:list_id>/pengecualian/", views.override_add, name="override_add"),
    path("penerima/<int:list_id>/keluar/", views.member_leave, name="member_leave"),
    path("penerima/<int:list_id>/riwayat/", views.history, name="history"),
    path("penerima/pengecualian/<int:override_id>/cabut/", views.override_revoke, name="override_revoke"),
    path("penerima/versi/<int:version_id>/", views.version_detail, name="version_detail"),
    path("penerima/versi/<int:version_id>/musyawarah/", views.deliberation_record, name="deliberation_record"),
    path("penerima/versi/<int:version_id>/ajukan/", views.submit, name="submit"),
    path("penerima/versi/<int:version_id>/setujui/", views.approve, name="approve"),
    path("penerima/versi/<int:version_id>/kembalikan/", views.return_to_draft, name="return"),
    path("penerima/versi/<int:version_id>/sk.pdf", views.decree_download, name="decree"),
    path("penerima/musyawarah/<int:deliberation_id>/berita-acara/", views.deliberation_minutes, name="minutes"),
]
