from django.urls import path

from lindung.reporting import views

app_name = "reporting"
urlpatterns = [
    path("dasbor/", views.home, name="home"),
    path("dasbor/<str:code>/", views.dashboard, name="dashboard"),
    path("dasbor/<str:code>/data.json", views.dashboard_data, name="data"),
    path("dasbor/<str:code>/unduh.xlsx", views.dashboard_export, name="xlsx"),
    path("dasbor/<str:code>/laporan.pdf", views.dashboard_report, name="pdf"),
    path("dasbor/<str:code>/kemiskinan/", views.poverty_rate, name="poverty_rate"),
]
