from django.urls import path

from lindung.programmes import views

app_name = "programmes"
urlpatterns = [
    path("program/", views.programmes, name="programmes"),
    path("program/baru/", views.programme_new, name="programme_new"),
    path("program/<int:programme_id>/", views.programme_detail, name="programme_detail"),
    path("program/<int:programme_id>/aturan/", views.programme_rules_new, name="programme_rules_new"),
    path("program/<int:programme_id>/perjanjian-induk/baru/", views.framework_new, name="framework_new"),
    path("program/<int:programme_id>/papan/", views.board, name="board"),
    path("program/<int:programme_id>/papan.xlsx", views.board_export, name="board_export"),
    path("program/<int:programme_id>/pks/baru/", views.agreement_new, name="agreement_new"),
    path("pks/", views.agreements, name="agreements"),
    path("pks/<int:agreement_id>/", views.agreement_detail, name="agreement_detail"),
    path("pks/<int:agreement_id>/ubah/", views.agreement_edit, name="agreement_edit"),
    path(
        "pks/<int:agreement_id>/status/<str:to_status>/", views.agreement_transition_view, name="agreement_transition"
    ),
    path("pks/<int:agreement_id>/dokumen/", views.agreement_document, name="agreement_document"),
]
