from django.apps import AppConfig


class SynthConfig(AppConfig):
    name = "lindung.synth"
    label = "synth"
    verbose_name = "Synthetic data"
