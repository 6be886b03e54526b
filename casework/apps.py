from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseworkConfig(AppConfig):
    """Case work on minors: left-behind children, children in distress, volunteers, visits.

    Kept apart from `communities` (the general resident registry) because it holds the most
    sensitive records in the portal, with the strictest need-to-know rules and an access log.
    """

    name = "casework"
    verbose_name = _("Community care network")
