# A child holds no two live bookings whose times overlap: the session's time is copied onto
# the booking (by triggers, so bulk inserts are covered) and an exclusion constraint over
# (child =, period &&) refuses the second. Bookings that already overlap are resolved first:
# the earliest stays, the later ones are cancelled and the sessions' counters recomputed.

import django.contrib.postgres.constraints
import django.contrib.postgres.fields.ranges
from django.conf import settings
from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations, models

TZ = settings.TIME_ZONE

SESSION_RANGE = (
    "tstzrange((s.date + s.starts_at) AT TIME ZONE '{tz}', "
    "(s.date + s.ends_at) AT TIME ZONE '{tz}', '[)')"
).format(tz=TZ)

FORWARD = f"""
CREATE OR REPLACE FUNCTION childcare_booking_set_period() RETURNS trigger AS $$
BEGIN
    SELECT {SESSION_RANGE} INTO NEW.period FROM childcare_session s WHERE s.id = NEW.session_id;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER childcare_booking_set_period
BEFORE INSERT OR UPDATE OF session_id, period ON childcare_booking
FOR EACH ROW EXECUTE FUNCTION childcare_booking_set_period();

CREATE OR REPLACE FUNCTION childcare_session_move_bookings() RETURNS trigger AS $$
BEGIN
    UPDATE childcare_booking SET period = NULL WHERE session_id = NEW.id;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER childcare_session_move_bookings
AFTER UPDATE OF date, starts_at, ends_at ON childcare_session
FOR EACH ROW
WHEN (OLD.date IS DISTINCT FROM NEW.date OR OLD.starts_at IS DISTINCT FROM NEW.starts_at
      OR OLD.ends_at IS DISTINCT FROM NEW.ends_at)
EXECUTE FUNCTION childcare_session_move_bookings();

UPDATE childcare_booking b SET period = {SESSION_RANGE}
FROM childcare_session s WHERE s.id = b.session_id;

UPDATE childcare_booking b SET status = 'cancelled', cancelled_at = now()
WHERE b.status <> 'cancelled' AND EXISTS (
    SELECT 1 FROM childcare_booking o
    WHERE o.child_id = b.child_id AND o.status <> 'cancelled' AND o.period && b.period
      AND (o.created, o.id) < (b.created, b.id)
);

UPDATE childcare_session s SET booked = (
    SELECT count(*) FROM childcare_booking b WHERE b.session_id = s.id AND b.status = 'confirmed'
);
"""

BACKWARD = """
DROP TRIGGER IF EXISTS childcare_session_move_bookings ON childcare_session;
DROP FUNCTION IF EXISTS childcare_session_move_bookings();
DROP TRIGGER IF EXISTS childcare_booking_set_period ON childcare_booking;
DROP FUNCTION IF EXISTS childcare_booking_set_period();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("childcare", "0004_family"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        BtreeGistExtension(),
        migrations.AddField(
            model_name="booking",
            name="period",
            field=django.contrib.postgres.fields.ranges.DateTimeRangeField(
                blank=True, editable=False, null=True, verbose_name="time"
            ),
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
        migrations.AddConstraint(
            model_name="booking",
            constraint=django.contrib.postgres.constraints.ExclusionConstraint(
                condition=models.Q(("status", "cancelled"), _negated=True),
                expressions=[("child", "="), ("period", "&&")],
                name="childcare_booking_no_overlap_per_child",
            ),
        ),
    ]
