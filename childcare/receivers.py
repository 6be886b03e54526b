"""What childcare does when something happens in the apps below it."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from communities.models import Resident
from communities.services import bare_phone, phone_variants
from portal.accounts.models import Role, RoleAssignment, User
from portal.accounts.phone import normalize_phone


@transaction.atomic
def on_resident_linked(sender: object, resident: Resident, user: User, **kwargs: Any) -> None:
    """An account was linked to a resident by its phone number: the guardian entries listed
    with that number (and no account yet) become this account's, and it is a parent."""
    from childcare.models import Guardian

    phones = {p for p in (user.phone, normalize_phone(resident.phone or "")) if p}
    spellings = [v for phone in phones for v in phone_variants(phone)]
    listed = [
        g
        for g in Guardian.objects.filter(user__isnull=True)
        .annotate(bare=bare_phone("phone"))
        .filter(bare__in=spellings)
        if normalize_phone(g.phone) in phones
    ]
    linked = 0
    for guardian in listed:
        if Guardian.objects.filter(child_id=guardian.child_id, user=user).exists():
            continue
        linked += Guardian.objects.filter(pk=guardian.pk, user__isnull=True).update(user=user)
    if linked:
        RoleAssignment.objects.get_or_create(user=user, role=Role.PARENT)
