from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "lindung.training"
    label = "training"
