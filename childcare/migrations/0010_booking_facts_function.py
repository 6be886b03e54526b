"""childcare_booking_facts(): what booking_create decides on, read in one call
(childcare/services.py, _BookingFacts names the columns).

The same query ran as plain SQL from Python; PostgreSQL planned it afresh for every booking,
and planning was most of its cost. Inside a PL/pgSQL function the plan is kept for the
connection's life.

It reads, for the session (only of a station in the public finder, as
Station.objects.public(): status not closed): its time, kind and the station's name and ages;
for the child (NULL columns if there is no such child): name, birth date, the household's
verification and refusal reason; whether `p_by` is a guardian of the child, whether a
guardian's consent stands (GuardianConsent.objects.active(): not withdrawn), the session of
a live booking of the child whose time overlaps this one (this session first; the time range
is the one the booking triggers store, 0005_booking_no_overlap), and the guardians with an
account to notify, as [user id, language]. No row: no such public session.
"""

from django.db import migrations

FACTS = r"""
CREATE OR REPLACE FUNCTION childcare_booking_facts(
    p_session bigint, p_child bigint, p_by bigint, p_tz text
) RETURNS TABLE (
    day date, starts_at time, ends_at time, kind text, station_id bigint, station_name text,
    age_min integer, age_max integer, child text, born date, household text, refusal text,
    is_guardian boolean, consented boolean, booked_session bigint, guardians json
)
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN QUERY
    SELECT s.date, s.starts_at, s.ends_at, s.kind::text, st.id, st.name::text,
           st.age_min_months::integer, st.age_max_months::integer,
           r.name::text, r.date_of_birth, h.status::text, h.refusal_reason,
           EXISTS (SELECT 1 FROM childcare_guardian g
                   WHERE g.child_id = c.id AND g.user_id = p_by),
           EXISTS (SELECT 1 FROM childcare_guardianconsent gc
                   WHERE gc.child_id = c.id AND gc.withdrawn_at IS NULL),
           (SELECT b.session_id FROM childcare_booking b
            WHERE b.child_id = c.id AND b.status <> 'cancelled'
              AND b.period && tstzrange((s.date + s.starts_at) AT TIME ZONE p_tz,
                                        (s.date + s.ends_at) AT TIME ZONE p_tz, '[)')
            ORDER BY b.session_id = s.id DESC LIMIT 1),
           (SELECT coalesce(json_agg(json_build_array(u.id, u.language) ORDER BY g.id), '[]')
            FROM childcare_guardian g JOIN accounts_user u ON u.id = g.user_id
            WHERE g.child_id = c.id)
    FROM childcare_session s
    JOIN childcare_station st ON st.id = s.station_id AND st.status <> 'closed'
    LEFT JOIN (childcare_child c
               JOIN communities_resident r ON r.id = c.resident_id
               JOIN communities_household h ON h.id = r.household_id) ON c.id = p_child
    WHERE s.id = p_session;
END
$$;
"""

DROP = "DROP FUNCTION IF EXISTS childcare_booking_facts(bigint, bigint, bigint, text);"


class Migration(migrations.Migration):
    dependencies = [("childcare", "0009_booking_function")]

    operations = [migrations.RunSQL(FACTS, DROP)]
