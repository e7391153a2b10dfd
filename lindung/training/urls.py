from django.urls import path

from lindung.training import views

app_name = "training"
urlpatterns = [
    path("pelatihan/", views.programmes, name="programmes"),
    path("pelatihan/baru/", views.programme_new, name="programme_new"),
    path("pelatihan/<int:programme_id>/", views.programme_detail, name="programme_detail"),
    path("pelatihan/<int:programme_id>/calon/", views.candidates, name="candidates"),
    path("pelatihan/<int:programme_id>/sesi/baru/", views.session_new, name="session_new"),
    path("pelatihan/<int:programme_id>/status/", views.status_change, name="status_change"),
    path("pelatihan/sesi/<int:session_id>/", views.session_detail, name="session_detail"),
    path("pelatihan/peserta/<int:enrolment_id>/", views.enrolment_detail, name="enrolment_detail"),
    path("pelatihan/peserta/<int:enrolment_id>/hasil/", views.outcome_new, name="outcome_new"),
    path("pelatihan/peserta/<int:enrolment_id>/sertifikat/", views.certificate_edit, name="certificate_edit"),
    path(
        "pelatihan/peserta/<int:enrolment_id>/sertifikat/unduh/",
        views.certificate_download,
        name="certificate_download",
    ),
    path("pelatihan/peserta-desa/", views.village_enrolments_view, name="village_enrolments"),
    path("pelatihan/peta-keterampilan/", views.skills_map_view, name="skills_map"),
    path("pelatihan/peta-keterampilan.xlsx", views.skills_map_export, name="skills_map_export"),
]
