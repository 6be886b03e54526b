"""Load what the first requests would otherwise wait for: templates, translations, URLs,
and the Celery app's task registry (finalized on the first task a request queues).

Called by gunicorn in its master before it forks the workers (gunicorn.conf.py). It touches
no database, no cache and no broker, so it is safe before the fork.
"""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings
from django.template import TemplateSyntaxError, engines
from django.template.backends.django import DjangoTemplates
from django.template.loaders.app_directories import get_app_template_dirs
from django.urls import get_resolver
from django.utils import translation

logger = logging.getLogger(__name__)


def template_names() -> list[str]:
    """Every template file the Django engine can find (project and app directories)."""
    roots = [Path(d) for engine in settings.TEMPLATES for d in engine.get("DIRS", [])]
    roots += [Path(d) for d in get_app_template_dirs("templates")]
    names: set[str] = set()
    for root in roots:
        if root.is_dir():
            names.update(
                str(path.relative_to(root))
                for path in root.rglob("*")
                if path.is_file() and path.suffix in {".html", ".txt", ".xml"}
            )
    return sorted(names)


def warm() -> int:
    """Compile every template in every language, load URL patterns, finalize the Celery app;
    the number of templates compiled."""
    from portal.celery import app

    app.loader.import_default_modules()  # every app's tasks module (autodiscover_tasks)
    app.finalize(auto=True)
    resolver = get_resolver()
    _ = resolver.reverse_dict, resolver.app_dict  # builds the reverse lookup tables
    compiled = 0
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Home")  # loads this language's catalogues
    for engine in engines.all():
        if not isinstance(engine, DjangoTemplates):
            continue
        for name in template_names():
            try:
                engine.get_template(name)
                compiled += 1
            except (TemplateSyntaxError, UnicodeDecodeError, LookupError) as exc:
                logger.debug("warm-up skipped template %s: %s", name, exc)
            except Exception as exc:
                logger.debug("warm-up skipped template %s: %r", name, exc)
    return compiled
