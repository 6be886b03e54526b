"""Photos of the day, the live day, messages, absences and incidents."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from childcare import family_services
from childcare.models import Booking, Incident, Message, Photo
from childcare.services import (
    booking_create,
    enrolment_decide,
    meal_record,
    progress_note_create,
)
from portal import months
from portal.dashboards import rollup
from portal.dashboards.models import RegionIndicator
from portal.notifications.models import Notification
from tests.childcare.factories import EnrolmentFactory, SessionFactory, child_of
from tests.factories import UserFactory

GPS_IFD = 0x8825


def jpeg_with_gps() -> bytes:
    """A JPEG carrying a GPS position in its EXIF, as a phone camera writes it."""
    image = Image.new("RGB", (2400, 1200), (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0132] = "2026:05:01 10:00:00"  # DateTime
    exif[GPS_IFD] = {1: "N", 2: (22.0, 46.0, 30.0), 3: "E", 4: (100.0, 58.0, 12.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    data = out.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD), "fixture must carry GPS"
    return data


def upload(name: str = "day.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg_with_gps(), content_type="image/jpeg")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def enrol(child, station, care_class, staff):
    enrolment = EnrolmentFactory(child=child, station=station, status="offered")
    enrolment_decide(enrolment=enrolment, status="enrolled", care_class=care_class, by=staff)


@pytest.fixture
def enrolled(child, station, toddler_class, station_staff):
    enrol(child, station, toddler_class, station_staff)
    return child


@pytest.fixture
def photo(enrolled, station, station_staff):
    return family_services.photo_upload(
        station=station, upload=upload(), children=[enrolled], caption="种菜", by=station_staff
    )


# --- photos ----------------------------------------------------------------------------------


def test_uploaded_photo_is_resized_and_carries_no_exif(photo):
    with photo.image.open("rb") as handle:
        data = handle.read()
    image = Image.open(io.BytesIO(data))
    assert max(image.size) == 1600
    exif = image.getexif()
    assert not exif.get_ifd(GPS_IFD)
    assert len(exif) == 0
    assert b"PhoneMaker" not in data
    assert "exif" not in image.info


def test_photo_is_served_to_staff_and_the_tagged_childs_guardian(
    client, photo, parent, station_staff
):
    url = reverse("childcare:photo_file", args=[photo.pk])
    for user in (parent, station_staff):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"


@pytest.mark.parametrize(
    "persona", ["other_parent", "other_station_staff", "volunteer", "community_staff", "outsider"]
)
def test_photo_is_404_for_everyone_else(client, request, photo, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("childcare:photo_file", args=[photo.pk])).status_code == 404


def test_photo_url_sends_an_anonymous_visitor_to_sign_in(client, photo):
    response = client.get(reverse("childcare:photo_file", args=[photo.pk]))
    assert response.status_code == 302


def test_withdrawn_consent_hides_photos_and_refuses_tagging(
    client, photo, parent, enrolled, station, station_staff
):
    family_services.photo_consent_set(child=enrolled, granted=False, by=parent)
    with pytest.raises(ValidationError, match="withdrew consent"):
        family_services.photo_upload(
            station=station, upload=upload(), children=[enrolled], by=station_staff
        )
    client.force_login(parent)
    assert client.get(reverse("childcare:photo_file", args=[photo.pk])).status_code == 404
    client.force_login(station_staff)
    page = client.get(reverse("childcare:child_care", args=[enrolled.pk])).content.decode()
    assert 'data-testid="no-photos"' in page


def test_a_file_that_is_not_an_image_is_refused(enrolled, station, station_staff):
    bad = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    with pytest.raises(ValidationError):
        family_services.photo_upload(
            station=station, upload=bad, children=[enrolled], by=station_staff
        )
    assert not Photo.objects.exists()


def test_other_station_staff_cannot_tag_our_children(enrolled, other_station, other_station_staff):
    with pytest.raises(ValidationError):
        family_services.photo_upload(
            station=other_station, upload=upload(), children=[enrolled], by=other_station_staff
        )


def test_expired_photos_are_deleted_with_their_files(photo, station):
    path = photo.image.path
    Photo.objects.filter(pk=photo.pk).update(
        taken_on=timezone.localdate() - datetime.timedelta(days=station.photo_retention_days + 1)
    )
    from childcare.tasks import delete_expired_photos

    assert delete_expired_photos() == 1
    assert not Photo.objects.filter(pk=photo.pk).exists()
    import os

    assert not os.path.exists(path)
    assert delete_expired_photos() == 0


def test_recent_photos_are_kept(photo):
    from childcare.tasks import delete_expired_photos

    assert delete_expired_photos() == 0
    assert Photo.objects.filter(pk=photo.pk).exists()


# --- the live day ----------------------------------------------------------------------------


def test_live_poll_answers_304_until_a_record_is_saved(
    client, django_capture_on_commit_callbacks, parent, enrolled, station_staff
):
    client.force_login(parent)
    url = reverse("childcare:child_live", args=[enrolled.pk])
    first = client.get(url)
    assert first.status_code == 200
    etag = first["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    with django_capture_on_commit_callbacks(execute=True):
        meal_record(child=enrolled, meal="lunch", amount="all", by=station_staff)
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert "全部吃完" in changed.content.decode()


@pytest.mark.parametrize(
    "persona", ["other_parent", "other_station_staff", "volunteer", "outsider"]
)
def test_live_poll_is_404_for_others(client, request, enrolled, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("childcare:child_live", args=[enrolled.pk])).status_code == 404


# --- messages --------------------------------------------------------------------------------


def test_parent_message_is_unread_for_staff_until_opened(
    client, parent, enrolled, station, station_staff
):
    message = family_services.message_send(child=enrolled, text="今天发烧了吗？", by=parent)
    assert not message.from_staff
    assert Notification.objects.filter(recipient=station_staff).count() == 1
    assert Message.objects.visible_to(station_staff).unread_by(station_staff).count() == 1
    client.force_login(station_staff)
    threads = client.get(reverse("childcare:station_messages", args=[station.pk]))
    assert 'data-testid="thread-unread"' in threads.content.decode()
    client.get(reverse("childcare:child_messages", args=[enrolled.pk]))
    assert Message.objects.visible_to(station_staff).unread_by(station_staff).count() == 0


def test_staff_see_when_the_parent_read_their_answer(client, parent, enrolled, station_staff):
    family_services.message_send(child=enrolled, text="没有发烧。", by=station_staff)
    client.force_login(station_staff)
    page = client.get(reverse("childcare:child_messages", args=[enrolled.pk])).content.decode()
    assert "Not read yet" in page or "尚未阅读" in page
    client.force_login(parent)
    client.get(reverse("childcare:child_messages", args=[enrolled.pk]))
    client.force_login(station_staff)
    page = client.get(reverse("childcare:child_messages", args=[enrolled.pk])).content.decode()
    assert "家长" in page


def test_message_text_is_rendered_as_text(client, parent, enrolled):
    family_services.message_send(child=enrolled, text="<script>alert(1)</script>", by=parent)
    client.force_login(parent)
    page = client.get(reverse("childcare:child_messages", args=[enrolled.pk])).content.decode()
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;" in page


@pytest.mark.parametrize(
    "persona", ["other_parent", "other_station_staff", "volunteer", "outsider"]
)
def test_thread_is_404_for_others(client, request, enrolled, parent, persona):
    family_services.message_send(child=enrolled, text="hello", by=parent)
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("childcare:child_messages", args=[enrolled.pk])).status_code == 404


def test_empty_message_is_refused(parent, enrolled):
    with pytest.raises(ValidationError):
        family_services.message_send(child=enrolled, text="   ", by=parent)


def test_parent_sends_a_photo_in_the_thread_stripped_and_seen_only_by_the_thread(
    client, parent, enrolled, station_staff, other_parent, other_station_staff, volunteer
):
    client.force_login(parent)
    response = client.post(
        reverse("childcare:child_messages", args=[enrolled.pk]),
        {"text": "", "photo": upload("rash.jpg")},
    )
    assert response.status_code == 302
    message = Message.objects.get(child=enrolled)
    assert message.text == "" and message.photo
    with message.photo.open("rb") as handle:
        stored = Image.open(io.BytesIO(handle.read()))
    assert not stored.getexif().get_ifd(GPS_IFD) and max(stored.size) <= 1600
    url = reverse("childcare:message_photo", args=[message.pk])
    assert client.get(url).status_code == 200
    client.force_login(station_staff)
    assert client.get(url).status_code == 200
    page = client.get(reverse("childcare:child_messages", args=[enrolled.pk])).content.decode()
    assert url in page
    for outsider in (other_parent, other_station_staff, volunteer):
        client.force_login(outsider)
        assert client.get(url).status_code == 404


def test_a_file_that_is_no_photo_is_a_form_error_and_sends_nothing(client, parent, enrolled):
    client.force_login(parent)
    fake = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    response = client.post(
        reverse("childcare:child_messages", args=[enrolled.pk]), {"text": "看", "photo": fake}
    )
    assert response.status_code == 200 and response.context["form"].errors["photo"]
    assert not Message.objects.exists()


def test_station_sends_no_photo_to_a_child_whose_guardian_withdrew_photo_consent(
    parent, enrolled, station_staff
):
    family_services.photo_consent_set(child=enrolled, granted=False, by=parent)
    with pytest.raises(ValidationError):
        family_services.message_send(child=enrolled, text="", photo=upload(), by=station_staff)
    assert not Message.objects.exists()


def test_thread_photos_go_after_the_retention_period_and_the_message_says_so(
    client, parent, enrolled, station
):
    message = family_services.message_send(child=enrolled, text="", photo=upload(), by=parent)
    path = message.photo.path
    old = timezone.now() - datetime.timedelta(days=station.photo_retention_days + 2)
    Message.objects.filter(pk=message.pk).update(created=old)
    from childcare.tasks import delete_expired_photos

    assert delete_expired_photos() == 1
    message.refresh_from_db()
    assert not message.photo and message.photo_removed_at is not None
    import os

    assert not os.path.exists(path)
    assert delete_expired_photos() == 0
    client.force_login(parent)
    page = client.get(reverse("childcare:child_messages", args=[enrolled.pk])).content.decode()
    assert "message-photo" not in page


def test_urgent_announcement_goes_by_sms(
    settings, django_capture_on_commit_callbacks, parent, enrolled, station, station_staff
):
    from portal.accounts.sms import OutboxSmsSender

    settings.SMS_SENDER = "portal.accounts.sms.OutboxSmsSender"
    OutboxSmsSender.outbox.clear()
    parent.phone = "+8613800000001"
    parent.save()
    with django_capture_on_commit_callbacks(execute=True):
        family_services.announcement_send(
            station=station, text="暴雨：明天闭园。", urgent=True, by=station_staff
        )
    assert [m["phone"] for m in OutboxSmsSender.outbox] == ["+8613800000001"]
    assert Notification.objects.filter(recipient=parent, kind="alert").count() == 1


# --- absences --------------------------------------------------------------------------------


def test_absence_frees_a_booked_place_to_the_first_waiting(parent, community, station):
    session = SessionFactory(station=station, capacity=1)
    child = child_of(parent, community)
    booking_create(session_id=session.pk, child_id=child.pk, by=parent)
    waiting_parent = UserFactory()
    waiting = booking_create(
        session_id=session.pk, child_id=child_of(waiting_parent, community).pk, by=waiting_parent
    )
    assert waiting.status == "waitlisted"
    family_services.absence_report(
        child=child, start=session.date, end=session.date, reason="ill", by=parent
    )
    waiting.refresh_from_db()
    session.refresh_from_db()
    assert waiting.status == "confirmed"
    assert session.booked == 1
    assert Booking.objects.get(child=child, session=session).status == "cancelled"


def test_absence_after_the_cutoff_is_refused(parent, enrolled):
    with pytest.raises(ValidationError, match="Too late"):
        family_services.absence_report(
            child=enrolled,
            start=timezone.localdate() - datetime.timedelta(days=1),
            end=timezone.localdate(),
            reason="ill",
            by=parent,
        )


def test_absence_only_by_a_guardian(other_parent, enrolled):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError):
        family_services.absence_report(
            child=enrolled, start=tomorrow, end=tomorrow, reason="ill", by=other_parent
        )


def test_absent_child_is_not_expected_on_the_station_day(
    client, parent, enrolled, station, station_staff
):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    family_services.absence_report(
        child=enrolled, start=tomorrow, end=tomorrow, reason="family", by=parent
    )
    client.force_login(station_staff)
    url = reverse("childcare:station_day", args=[station.pk]) + f"?date={tomorrow.isoformat()}"
    page = client.get(url).content.decode()
    assert 'data-testid="away"' in page
    from childcare.selectors import station_day

    (class_day,) = station_day(station, tomorrow)
    assert class_day.expected == 0


# --- incidents -------------------------------------------------------------------------------


def test_incident_notifies_guardians_and_serious_ones_reach_the_county_dashboard(
    client, parent, enrolled, station, station_staff, community_staff, official, county
):
    incident = family_services.incident_record(
        child=enrolled,
        kind="accident",
        occurred_at=timezone.now() - datetime.timedelta(minutes=10),
        what="滑梯上摔倒，膝盖擦伤。",
        first_aid="清洗消毒，贴创可贴。",
        told="园长",
        serious=True,
        by=station_staff,
    )
    assert Notification.objects.filter(recipient=parent, kind="health").count() == 1
    assert Notification.objects.filter(recipient=community_staff, kind="escalation").count() == 1
    # The community staff's notice does not name the child.
    assert enrolled.name not in Notification.objects.get(recipient=community_staff).text

    client.force_login(parent)
    client.post(reverse("childcare:incident_ack", args=[incident.pk]))
    incident.refresh_from_db()
    assert incident.acknowledged_by == parent

    rollup.refresh_month(months.current_month())
    row = RegionIndicator.objects.get(
        region=county, month=months.current_month(), key="cc_incidents_serious"
    )
    assert row.value == 1
    client.force_login(official)
    page = client.get(reverse("dashboards:region", args=[county.code])).content.decode()
    assert enrolled.name not in page


def test_minor_incident_is_not_on_the_dashboard(enrolled, station_staff, county):
    family_services.incident_record(
        child=enrolled,
        kind="illness",
        occurred_at=timezone.now(),
        what="流鼻涕",
        by=station_staff,
    )
    rollup.refresh_month(months.current_month())
    row = RegionIndicator.objects.filter(
        region=county, month=months.current_month(), key="cc_incidents_serious"
    ).first()
    assert row is None or row.value == 0


def test_incident_only_by_staff_of_the_childs_station(enrolled, other_station_staff, parent):
    for user in (other_station_staff, parent):
        with pytest.raises(ValidationError):
            family_services.incident_record(
                child=enrolled, kind="illness", occurred_at=timezone.now(), what="x", by=user
            )
    assert not Incident.objects.exists()


def test_other_parent_cannot_acknowledge(client, other_parent, enrolled, station_staff):
    incident = family_services.incident_record(
        child=enrolled, kind="illness", occurred_at=timezone.now(), what="x", by=station_staff
    )
    client.force_login(other_parent)
    assert client.post(reverse("childcare:incident_ack", args=[incident.pk])).status_code == 404


# --- learning portfolio ----------------------------------------------------------------------


def test_portfolio_month_shows_photos_by_strand_and_downloads_a_chinese_pdf(
    client, parent, enrolled, station, station_staff
):
    import subprocess

    strand = station.strands.create(name="农耕实践", order=1)
    music = station.strands.create(name="音乐律动", order=2)
    family_services.photo_upload(
        station=station, upload=upload(), children=[enrolled], strand=strand, by=station_staff
    )
    # Notes go under their strand, beside its photos, in the station's order.
    client.force_login(station_staff)
    client.post(
        reverse("childcare:child_care", args=[enrolled.pk]),
        {
            "action": "note",
            "note-domain": "cognition",
            "note-strand": music.pk,
            "note-text": "会打节拍",
        },
    )
    progress_note_create(
        child=enrolled, domain="cognition", text="认识了豆苗", strand=strand, by=station_staff
    )
    client.force_login(parent)
    month = timezone.localdate().strftime("%Y-%m")
    page = client.get(reverse("childcare:portfolio", args=[enrolled.pk]) + f"?month={month}")
    html = page.content.decode()
    assert html.index("农耕实践") < html.index("认识了豆苗") < html.index("音乐律动")
    assert html.index("音乐律动") < html.index("会打节拍")
    pdf = client.get(reverse("childcare:portfolio_pdf", args=[enrolled.pk]) + f"?month={month}")
    assert pdf["Content-Type"] == "application/pdf"
    text = subprocess.run(
        ["/usr/bin/pdftotext", "-", "-"], input=pdf.content, capture_output=True, check=True
    ).stdout.decode()
    assert "成长档案" in text
    assert "农耕实践" in text and "认识了豆苗" in text


def test_a_note_cannot_carry_another_stations_strand(enrolled, other_station, station_staff):
    foreign = other_station.strands.create(name="别站课程")
    with pytest.raises(ValidationError):
        progress_note_create(
            child=enrolled, domain="cognition", text="x", strand=foreign, by=station_staff
        )


@pytest.mark.parametrize(
    "persona", ["other_parent", "other_station_staff", "volunteer", "outsider"]
)
def test_portfolio_is_404_for_others(client, request, enrolled, persona):
    client.force_login(request.getfixturevalue(persona))
    for name in ("childcare:portfolio", "childcare:portfolio_pdf"):
        assert client.get(reverse(name, args=[enrolled.pk])).status_code == 404


def test_portfolio_bad_month_falls_back_to_this_month(client, parent, enrolled):
    client.force_login(parent)
    page = client.get(reverse("childcare:portfolio", args=[enrolled.pk]) + "?month=2026-13")
    assert page.status_code == 200


def test_live_poll_accepts_a_weakened_etag(client, parent, enrolled):
    client.force_login(parent)
    url = reverse("childcare:child_live", args=[enrolled.pk])
    etag = client.get(url)["ETag"]
    assert client.get(url, headers={"If-None-Match": f"W/{etag}"}).status_code == 304


def test_community_staff_find_serious_incidents_from_their_navigation(
    client, enrolled, station_staff, community_staff, outsider, parent
):
    serious, minor = (
        family_services.incident_record(
            child=enrolled,
            kind="accident",
            occurred_at=timezone.now() - datetime.timedelta(minutes=minutes),
            what=what,
            serious=flag,
            by=station_staff,
        )
        for minutes, what, flag in ((10, "摔伤", True), (5, "流鼻涕", False))
    )
    url = reverse("childcare:incident_overview")
    client.force_login(community_staff)
    page = client.get(url).content.decode()
    assert f"incident-{serious.pk}" in page and f"incident-{minor.pk}" not in page
    assert url in client.get(reverse("communities:staff_home")).content.decode()
    client.force_login(outsider)
    assert f"incident-{serious.pk}" not in client.get(url).content.decode()
    client.force_login(parent)
    assert client.get(url).status_code == 404
