"""Extract one app's messages into that app's own catalogue.

    manage.py makemessages_app childcare

Each app keeps `<app>/locale/zh_Hans/LC_MESSAGES/django.po` with the strings of its code and
of `templates/<app>/`; `portal` also takes the shared templates (base, account, home, ...).
Message ids are English; the Simplified Chinese catalogue is the default interface.
"""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands import makemessages

APPS = ["portal", "communities", "childcare", "eldercare", "casework", "billing"]
NEVER = [".venv", "node_modules", "bench", "tests", "static", "staticfiles", "media", "docs"]


class Command(makemessages.Command):
    help = "Extract the messages of one app (code and templates/<app>/) into <app>/locale."

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        super().add_arguments(parser)
        parser.add_argument("app", choices=APPS)

    def handle(self, *args: Any, **options: Any) -> None:
        app = options.pop("app")
        base = Path(settings.BASE_DIR)
        if not (base / app).is_dir():
            raise CommandError(f"No such app directory: {app}")
        ignore = list(NEVER)
        ignore += [name for name in APPS if name != app]
        template_apps = [p.name for p in (base / "templates").iterdir() if p.is_dir()]
        owned_by_apps = [name for name in APPS if name != "portal"]
        for name in template_apps:
            # templates/<app>/ belongs to that app; every other template folder to portal.
            owner = name if name in owned_by_apps else "portal"
            if owner != app:
                ignore.append(f"templates/{name}")
        if app != "portal":
            # One pattern per file: fnmatch's "*" also matches "/", so "templates/*.html"
            # would drop every templates/<app>/ file too.
            ignore += [f"templates/{p.name}" for p in (base / "templates").glob("*.html")]
        options["ignore_patterns"] = ignore + options.get("ignore_patterns", [])
        options["use_default_ignore_patterns"] = True
        options["locale"] = options.get("locale") or ["zh_Hans"]
        options["no_obsolete"] = True
        options["add_location"] = "file"
        # Everything extracted here lands in the app's catalogue.
        (base / app / "locale").mkdir(exist_ok=True)
        settings.LOCALE_PATHS = [base / app / "locale"]
        super().handle(*args, **options)
