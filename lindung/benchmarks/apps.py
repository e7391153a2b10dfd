from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    name = "lindung.benchmarks"
    label = "benchmarks"
