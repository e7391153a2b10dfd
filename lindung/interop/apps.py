from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "lindung.interop"
    label = "interop"
    verbose_name = "Interoperability"
