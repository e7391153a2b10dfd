from django.urls import path

from lindung.regions import views

app_name = "regions"
urlpatterns = [
    path("wilayah/", views.village_list, name="village_list"),
    path("wilayah/<str:code>/", views.region_detail, name="region_detail"),
]
