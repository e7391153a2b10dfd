from django.urls import path

from lindung.core import guide, views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("sehat/", views.health, name="health"),
    path("panduan/", guide.guide, name="guide"),
    path("panduan/<path:path>", guide.guide, name="guide_page"),
]
