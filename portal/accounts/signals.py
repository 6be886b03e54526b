"""Signals the accounts app sends for the apps above it (which may not be imported here)."""

from django.dispatch import Signal

# Sent once a user's phone number is confirmed by the SMS code (kwargs: user). The
# communities app links the account to the resident who has that phone number.
phone_verified = Signal()
