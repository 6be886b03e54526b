from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChildcareConfig(AppConfig):
    name = "childcare"
    verbose_name = _("Childcare")

    def ready(self) -> None:
        from childcare import live, receivers
        from communities.signals import resident_linked

        live.connect()
        resident_linked.connect(receivers.on_resident_linked, dispatch_uid="childcare-guardians")
