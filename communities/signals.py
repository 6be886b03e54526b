"""Signals the communities app sends for the apps above it (which it may not import)."""

from django.dispatch import Signal

# Sent when an account is linked to an existing resident by its verified phone number
# (kwargs: resident, user). Childcare links the guardian entries with that phone number.
resident_linked = Signal()
