from django.apps import AppConfig


class DynamicsConfig(AppConfig):
    name = "dynamics"
    verbose_name = "Dynamiques territoriales"

    def ready(self):
        from events import audiences

        audiences.register(
            "local_dynamics",
            "Dynamiques territoriales (acceptées, ayant accepté les invitations)",
            lambda params: _invitation_addresses(),
        )


def _invitation_addresses():
    from dynamics.services import invitation_addresses

    return invitation_addresses()
