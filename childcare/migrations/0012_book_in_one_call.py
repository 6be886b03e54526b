"""childcare_book(): a booking in one call, its facts, rules and locked part together.

Until now a booking took two round trips: childcare_booking_facts (0010) read what the
rules decide on, Python checked them and rendered the guardians' texts, then childcare_book
(0009) did the locked part. Now one call does all of it, in this order:

1. It reads the facts, without a lock: the session (only of a station in the public finder:
   status not closed) with its time, kind and the station's name and ages; the child (NULL
   columns if there is no such child) with name, birth date, the household's verification
   and refusal reason; whether `p_by` is a guardian; whether a guardian's consent stands
   (GuardianConsent.objects.active(): not withdrawn); the guardians with an account and
   their languages. No such public session: no row.
2. It books only when the booking rules hold, the same ones booking_create explains in
   Python (childcare/services.py, _explain_refusal): `p_by` is a guardian, consent stands,
   the household is verified, the session has not started at `p_now`, and the child's age in
   whole months on the session's day (portal.months.months_between) is within the station's
   ages. And only when the session is still named as the caller's texts name it
   (`p_label_*`: station name, day, start and kind; NULL when the caller has no texts yet).
   Otherwise it returns the facts with booking_id NULL and writes nothing: booking_create
   says which rule refused, or prepares the texts from the facts and calls again.
3. The locked part, as 0009 did it: the session's row lock (bookings of one session take
   their turns here, so two parents can never both take the last place), the counter while
   places remain, the booking, confirmed exactly when the counter moved, and each
   guardian's notification for the outcome that happened, in the guardian's language
   (`p_languages`, the first used for a language not in the list), the child's name put in
   place of `p_child_mark`. The database still refuses a second live booking of the child
   for this session and an overlapping one (0005): the whole statement is then undone.
   That refusal is why the facts no longer look for the child's bookings at that time, as
   0010 did for every booking: booking_create looks the booking in the way up only when the
   insert was refused. (With a child holding 70 bookings, pgbench ran the facts query in
   0.15 ms without that lookup, against 0.20 ms with it.)

The texts are rendered by Python once per session and process, for every language, so a
booking renders nothing; the rules are checked here so that the facts need no round trip of
their own. PL/pgSQL, so that PostgreSQL keeps the plans for the connection's life.
"""

from importlib import import_module

from django.db import migrations

BOOK = r"""
DROP FUNCTION IF EXISTS childcare_booking_facts(bigint, bigint, bigint, text);
-- the three-argument version a database has if it ran an earlier 0011, since folded in here
DROP FUNCTION IF EXISTS childcare_booking_facts(bigint, bigint, bigint);
DROP FUNCTION IF EXISTS childcare_book(
    bigint, bigint, bigint, timestamptz, bigint[], text[], text[], text, text);
CREATE FUNCTION childcare_book(
    p_session bigint, p_child bigint, p_by bigint, p_now timestamptz, p_tz text,
    p_label_station text, p_label_day date, p_label_starts time, p_label_kind text,
    p_languages text[], p_confirmed text[], p_waitlisted text[], p_child_mark text,
    p_kind text, p_link text
) RETURNS TABLE (
    booking_id bigint, booking_status text,
    day date, starts_at time, kind text, station_name text, age_min integer, age_max integer,
    child text, born date, household text, refusal text, is_guardian boolean,
    consented boolean, guardian_ids bigint[]
)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    f record;
    v_months integer;
    v_free boolean;
BEGIN
    SELECT s.date AS day, s.starts_at AS starts_at, s.kind::text AS kind,
           st.name::text AS station_name, st.age_min_months::integer AS age_min,
           st.age_max_months::integer AS age_max, r.name::text AS child,
           r.date_of_birth AS born, h.status::text AS household, h.refusal_reason AS refusal,
           coalesce(g.is_guardian, false) AS is_guardian,
           EXISTS (SELECT 1 FROM childcare_guardianconsent gc
                   WHERE gc.child_id = c.id AND gc.withdrawn_at IS NULL) AS consented,
           coalesce(g.ids, '{}') AS ids, coalesce(g.languages, '{}') AS languages
    INTO f
    FROM childcare_session s
    JOIN childcare_station st ON st.id = s.station_id AND st.status <> 'closed'
    LEFT JOIN (childcare_child c
               JOIN communities_resident r ON r.id = c.resident_id
               JOIN communities_household h ON h.id = r.household_id) ON c.id = p_child
    LEFT JOIN LATERAL (
        SELECT bool_or(u.id = p_by) AS is_guardian,
               array_agg(u.id ORDER BY gd.id) AS ids,
               array_agg(u.language::text ORDER BY gd.id) AS languages
        FROM childcare_guardian gd JOIN accounts_user u ON u.id = gd.user_id
        WHERE gd.child_id = c.id
    ) g ON true
    WHERE s.id = p_session;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    day := f.day; starts_at := f.starts_at; kind := f.kind; station_name := f.station_name;
    age_min := f.age_min; age_max := f.age_max; child := f.child; born := f.born;
    household := f.household; refusal := f.refusal; is_guardian := f.is_guardian;
    consented := f.consented; guardian_ids := f.ids;
    -- Whole months from birth to the session's day, as portal.months.months_between counts.
    v_months := (extract(year FROM f.day) - extract(year FROM f.born)) * 12
                + extract(month FROM f.day) - extract(month FROM f.born)
                - CASE WHEN extract(day FROM f.day) < extract(day FROM f.born) THEN 1 ELSE 0 END;
    -- NULL anywhere (no such child, no texts yet) counts as "no".
    IF NOT coalesce(
        f.is_guardian AND f.consented AND f.household = 'verified'
        AND (f.day + f.starts_at) AT TIME ZONE p_tz > p_now
        AND f.age_min <= v_months AND v_months < f.age_max
        AND p_label_station = f.station_name AND p_label_day = f.day
        AND p_label_starts = f.starts_at AND p_label_kind = f.kind,
        false
    ) THEN
        RETURN NEXT;  -- booking_id NULL: nothing written
        RETURN;
    END IF;
    SELECT booked < capacity INTO v_free FROM childcare_session WHERE id = p_session FOR UPDATE;
    IF NOT FOUND THEN
        RETURN;  -- deleted since the facts were read
    END IF;
    IF v_free THEN
        UPDATE childcare_session SET booked = booked + 1 WHERE id = p_session;
    END IF;
    INSERT INTO childcare_booking (session_id, child_id, status, booked_by_id, created)
    VALUES (p_session, p_child, CASE WHEN v_free THEN 'confirmed' ELSE 'waitlisted' END,
            p_by, p_now)
    RETURNING id, status INTO booking_id, booking_status;
    INSERT INTO notifications_notification (recipient_id, kind, text, link, created, emailed)
    SELECT gu.id, p_kind,
           replace(CASE WHEN v_free THEN p_confirmed[gu.i] ELSE p_waitlisted[gu.i] END,
                   p_child_mark, f.child),
           p_link, p_now, false
    FROM (SELECT u.id, coalesce(array_position(p_languages, u.language), 1) AS i
          FROM unnest(f.ids, f.languages) AS u(id, language)) AS gu;
    RETURN NEXT;
END
$$;
"""

BEFORE = (
    "DROP FUNCTION IF EXISTS childcare_book(bigint, bigint, bigint, timestamptz, text, text, "
    "date, time, text, text[], text[], text[], text, text, text);\n"
    + import_module("childcare.migrations.0009_booking_function").BOOK
    + import_module("childcare.migrations.0010_booking_facts_function").FACTS
)


class Migration(migrations.Migration):
    dependencies = [("childcare", "0010_booking_facts_function")]

    operations = [migrations.RunSQL(BOOK, BEFORE)]
