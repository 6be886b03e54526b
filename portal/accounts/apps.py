from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "portal.accounts"
    label = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_logged_out
        from django.db.models.signals import post_delete, post_save

        from communities.models import Region
        from portal.accounts import scope, signed_in
        from portal.accounts.models import RoleAssignment, User

        post_save.connect(scope.on_assignment_changed, sender=RoleAssignment)
        post_delete.connect(scope.on_assignment_changed, sender=RoleAssignment)
        post_save.connect(signed_in.on_user_changed, sender=User)
        post_delete.connect(signed_in.on_user_changed, sender=User)
        user_logged_in.connect(signed_in.on_signed_in)
        user_logged_out.connect(signed_in.on_signed_out)
        post_save.connect(scope.on_region_changed, sender=Region)
        post_delete.connect(scope.on_region_changed, sender=Region)

        from allauth.mfa.models import Authenticator

        from portal.accounts.middleware import on_authenticator_changed

        post_save.connect(on_authenticator_changed, sender=Authenticator)
        post_delete.connect(on_authenticator_changed, sender=Authenticator)
