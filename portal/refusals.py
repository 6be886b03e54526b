"""How a service's refusal reaches the user.

Services refuse with Django's `ValidationError`, naming the field where one is concerned. A
view catches it and hands it to `show_refusal`: on the form when there is one (next to the
field it names where the form has that field, above the form otherwise), else as messages
shown on the next page. A service's `PermissionDenied` is no refusal to show: it guards who
may act at all, and the views, which take their rows from scoped QuerySets, answer 404 before
it could be raised for what a user may not see.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import HttpRequest


def show_refusal(
    request: HttpRequest, error: ValidationError, form: BaseForm | None = None
) -> None:
    """Show a service's refusal on `form`, or as error messages when there is no form."""
    if form is None:
        for message in error.messages:
            messages.error(request, message)
    elif hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
