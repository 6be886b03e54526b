from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChildcareConfig(AppConfig):
    name = "childcare"
    verbose_name = _("Childcare")

    def ready(self) -> None:
        from childcare import live

        live.connect()
