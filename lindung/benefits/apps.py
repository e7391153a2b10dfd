from django.apps import AppConfig


class BenefitsConfig(AppConfig):
    name = "lindung.benefits"
    label = "benefits"
