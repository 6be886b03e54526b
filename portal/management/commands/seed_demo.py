"""Load the demo data: the article's regions, places and people, and one user per role.

Each app keeps its own part in `<app>/demo.py` with a `seed(stdout)` function; they run in
the order below, each in its own transaction, and each is safe to run twice.
"""

from importlib import import_module
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

DEMO_MODULES = [
    "communities.demo",
    "childcare.demo",
    "eldercare.demo",
    "casework.demo",
    "billing.demo",
    "portal.dashboards.demo",
]


class Command(BaseCommand):
    help = "Load the demo data (never in production)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError("Demo data is disabled in these settings.")
        for name in DEMO_MODULES:
            module = import_module(name)
            with transaction.atomic():
                module.seed(self.stdout)
        from portal.accounts.demo import print_demo_users

        print_demo_users(self.stdout)
