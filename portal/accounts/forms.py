from __future__ import annotations

from typing import Any

from allauth.account.forms import LoginForm
from django.utils.translation import gettext_lazy as _


class PortalLoginForm(LoginForm):
    """allauth's login form, with the login field named for what people here type."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["login"]
        field.label = _("Mobile phone or email")
        field.widget.attrs.update(
            {"placeholder": _("e.g. 138 0000 0000"), "autocomplete": "username"}
        )
