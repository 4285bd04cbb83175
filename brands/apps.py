from django.apps import AppConfig


class BrandsConfig(AppConfig):
    name = "brands"
    verbose_name = "Brands and projects"

    def ready(self) -> None:
        from brands import audit

        audit.connect()
