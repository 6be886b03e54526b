from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from portal.pagecache import install_change_triggers

        post_migrate.connect(install_change_triggers, dispatch_uid="portal_change_triggers")
