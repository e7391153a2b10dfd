from django.apps import AppConfig


class TargetingConfig(AppConfig):
    name = "lindung.targeting"
    label = "targeting"
