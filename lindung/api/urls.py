"""The REST API at /api/v1/ (django-ninja). The NinjaAPI instance lives in lindung/api/v1.py."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
