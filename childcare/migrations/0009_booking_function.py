"""childcare_book(): the locked part of a booking as one statement (childcare/services.py).

A booking's transaction (lock the session row, count, insert the booking and the guardians'
notifications) ran as five round trips from Python with the session's row lock held across
four of them; under load every round trip waits for the web process to be scheduled again,
and every other booking of that session waits behind the lock. As one function call the
lock is held only while PostgreSQL runs it: the call is a statement of its own (autocommit),
or part of the caller's transaction when there is one.

It checks nothing the service checked before (guardian, consent, household, start, age,
overlap): it is called only by booking_create, after those checks. The database still
refuses what must never happen: `booked <= capacity`, one live booking per child and
session, no two overlapping bookings of a child.
"""

from django.db import migrations

BOOK = r"""
CREATE OR REPLACE FUNCTION childcare_book(
    p_session bigint, p_child bigint, p_by bigint, p_now timestamptz,
    p_recipients bigint[], p_confirmed text[], p_waitlisted text[],
    p_kind text, p_link text
) RETURNS TABLE (booking_id bigint, booking_status text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    v_free boolean;
BEGIN
    -- The session's row lock: bookings of one session take their turns here, so two parents
    -- can never both take the last place. No row: the session is gone (no booking).
    SELECT booked < capacity INTO v_free FROM childcare_session WHERE id = p_session FOR UPDATE;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF v_free THEN
        UPDATE childcare_session SET booked = booked + 1 WHERE id = p_session;
    END IF;
    INSERT INTO childcare_booking (session_id, child_id, status, booked_by_id, created)
    VALUES (p_session, p_child, CASE WHEN v_free THEN 'confirmed' ELSE 'waitlisted' END,
            p_by, p_now)
    RETURNING id, status INTO booking_id, booking_status;
    -- Each guardian's notification, in their language, for the outcome that happened.
    INSERT INTO notifications_notification (recipient_id, kind, text, link, created, emailed)
    SELECT r.recipient, p_kind, CASE WHEN v_free THEN r.confirmed ELSE r.waitlisted END,
           p_link, p_now, false
    FROM unnest(p_recipients, p_confirmed, p_waitlisted) AS r(recipient, confirmed, waitlisted);
    RETURN NEXT;
END
$$;
"""

DROP = (
    "DROP FUNCTION IF EXISTS childcare_book("
    "bigint, bigint, bigint, timestamptz, bigint[], text[], text[], text, text);"
)


class Migration(migrations.Migration):
    dependencies = [
        ("childcare", "0008_progressnote_strand"),
        ("notifications", "0001_initial"),
    ]

    operations = [migrations.RunSQL(BOOK, DROP)]
