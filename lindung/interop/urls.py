from django.urls import path

from lindung.interop import views

app_name = "interop"
urlpatterns = [
    path("opensid/", views.opensid, name="opensid"),
    path("opensid/impor/<int:import_id>/", views.opensid_import, name="opensid_import"),
    path("opensid/impor/<int:import_id>/simpan/", views.opensid_apply, name="opensid_apply"),
    path("opensid/impor/<int:import_id>/batal/", views.opensid_cancel, name="opensid_cancel"),
    path("opensid/ekspor/", views.opensid_export, name="opensid_export"),
    path("opensid/tinjauan/<int:review_id>/selesai/", views.review_close, name="review_close"),
    path("p3ke/", views.poverty, name="poverty"),
    path("p3ke/usulan/", views.proposals_confirm, name="proposals_confirm"),
]
