from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Fictional demo data. It sits above brands, surveys, scoring and reports and may use them all;
    none of them imports it."""

    name = "demo"
    verbose_name = "Demo data"
