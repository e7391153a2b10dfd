from django.urls import path

from lindung.membership import views

app_name = "membership"
urlpatterns = [
    path("kepesertaan/impor/", views.memberships_import_view, name="import"),
    path("kepesertaan/pendaftaran/", views.registration_files, name="registration_files"),
    path("kepesertaan/pendaftaran/<int:file_id>/", views.registration_file, name="registration_file"),
    path(
        "kepesertaan/pendaftaran/<int:file_id>/berkas.xlsx",
        views.registration_file_download,
        name="registration_file_download",
    ),
]
