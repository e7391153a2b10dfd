from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

urlpatterns = [
    path("", include("lindung.core.urls")),
    path("", include("lindung.accounts.urls")),
    path("", include("lindung.regions.urls")),
    path("", include("lindung.registry.urls")),
    path("", include("lindung.programmes.urls")),
    path("", include("lindung.targeting.urls")),
    path("", include("lindung.membership.urls")),
    path("", include("lindung.billing.urls")),
    path("", include("lindung.training.urls")),
    path("", include("lindung.claims.urls")),
    path("", include("lindung.reporting.urls")),
    path("", include("lindung.interop.urls")),
    path("", include("lindung.api.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
]
