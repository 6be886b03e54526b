"""A notification's mail (portal/notifications/mail.py) is byte for byte what Django writes."""

import random
import string
from email.policy import compat32

import pytest
from django.core.mail import EmailMessage

from portal.notifications.mail import PLAIN_HEADERS, NotificationMail, _written_as_is

# Fixed, so that the two messages compare: Django makes these afresh for each message.
FIXED = {"Date": "Fri, 04 Dec 2026 12:00:00 -0000", "Message-ID": "<1.2.3@portal.example>"}

SUBJECTS = [
    "预订成功：王小明，幸福社区托育站，2026年12月16日 08:30 全日托。",
    "明天停课",
    "Booking confirmed: Wang Xiaoming, Happiness community station, Dec. 16, 2026 08:30",
    "A rather long English subject line that has to be folded by the mail writer somewhere",
    "ends with blanks   ",
    "tab\tinside, comma; semicolon: colon = equals ? question",
    "",
]


@pytest.mark.parametrize("subject", SUBJECTS)
@pytest.mark.parametrize("linesep", ["\n", "\r\n"])  # the file backend's, SMTP's
@pytest.mark.parametrize("sender", ["一老一小 <noreply@localhost>", "noreply@portal.example"])
def test_the_mail_is_written_as_django_writes_it(subject, linesep, sender, settings):
    settings.DEFAULT_FROM_EMAIL = sender
    fields = {
        "subject": subject,
        "body": f"{subject}\n\nhttps://portal.example/childcare/children/1/",
        "to": ["parent@example.com"],
    }
    ours = NotificationMail(**fields, headers=dict(FIXED))
    djangos = EmailMessage(**fields, headers=dict(FIXED))

    assert ours.from_email == sender  # what the backend gives the relay
    assert ours.message().as_bytes(linesep=linesep) == djangos.message().as_bytes(linesep=linesep)


def test_each_header_line_is_folded_as_compat32_folds_it():
    """Random values, many of them of the shapes PlainHeaders writes as they are (ASCII, short
    lines, continuations), and many not (long lines, trailing blanks, empty continuations,
    non-ASCII, a line that is not a continuation: compat32 refuses that one)."""
    rng = random.Random(20261204)
    alphabet = string.ascii_letters + string.digits + " ,;:=?<>@.\"'()-_\t"
    written_as_is = 0

    def fold(policy, name, value):
        try:
            return policy.fold_binary(name, value)
        except Exception as exc:  # compat32 refuses some values: so must we
            return type(exc)

    for linesep in ("\n", "\r\n"):
        ours, theirs = PLAIN_HEADERS.clone(linesep=linesep), compat32.clone(linesep=linesep)
        for _ in range(5000):
            lines = [
                "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 80)))
                for _ in range(rng.randint(1, 4))
            ]
            if rng.random() < 0.9:
                lines = [lines[0]] + [" " + line for line in lines[1:]]
            if rng.random() < 0.2:  # a subject as Django encodes it
                lines = [""] + [f" =?utf-8?b?{line.strip().replace(' ', '')}?=" for line in lines]
            if rng.random() < 0.05:
                lines[0] += "王"
            value = "\n".join(lines)
            name = rng.choice(["Subject", "From", "To", "Date", "Message-ID"])
            assert fold(ours, name, value) == fold(theirs, name, value), (name, value)
            written_as_is += _written_as_is(name, value)
    # The comparison covered both ways: lines written as they are, and lines compat32 folds.
    assert 2000 < written_as_is < 8000
