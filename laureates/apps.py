from django.apps import AppConfig


class LaureatesConfig(AppConfig):
    name = "laureates"
    verbose_name = "Lauréats et suivi"
