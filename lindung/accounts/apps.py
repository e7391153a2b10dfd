from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "lindung.accounts"
    label = "accounts"

    def ready(self) -> None:
        from lindung.accounts import signals  # noqa: F401
