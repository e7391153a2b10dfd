from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "lindung.reporting"
    label = "reporting"
    verbose_name = "Reporting"
