from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunitiesConfig(AppConfig):
    name = "communities"
    verbose_name = _("Communities")

    def ready(self) -> None:
        from communities import receivers
        from portal.accounts.signals import phone_verified

        phone_verified.connect(receivers.on_phone_verified, dispatch_uid="communities-phone-link")
