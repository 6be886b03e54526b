"""Demo data: the article's station in Chamagudao and its "1+N" network.

From the article: 几侎稚家婴幼儿成长驿站 in the 晨北小区 estate, opened in February (2024), 15 care
places, 3 teachers, 12 children enrolled, "nine course systems" (eight of them named). The two
branch sites, the children, families and every daily record are invented for the demo and
say so. Dates are relative to today so the children stay under three; running the seed twice
on the same day gives the same data.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TextIO

from django.db.models import Count, Q
from django.utils import timezone

from childcare.consent import CURRENT_VERSION
from childcare.models import (
    Attendance,
    Booking,
    CareClass,
    Child,
    CourseStrand,
    Enrolment,
    EnrolmentEvent,
    GrowthRecord,
    Guardian,
    GuardianConsent,
    GuardianRelation,
    HealthCheck,
    MealRecord,
    NapRecord,
    ProgressNote,
    Session,
    Station,
    TimetableSlot,
)
from communities.models import Community, Household, Premises, Resident
from portal.accounts.demo import demo_assign, demo_user
from portal.months import current_month, previous_month

DEMO = "（演示数据）"
MAIN = "几侎稚家婴幼儿成长驿站"

# The article names eight of the nine systems; the ninth is a demo placeholder.
STRANDS = [
    ("科学实验", "Science experiments"),
    ("音乐", "Music"),
    ("运动感统", "Motor and sensory-integration play"),
    ("创意美术", "Creative painting"),
    ("手工", "Handicraft"),
    ("绘本", "Picture books"),
    ("运动大循环", "Big motor circuit"),
    ("农耕实践", "Farming practice: planting and picking vegetables in the back garden"),
    ("生活自理", "Daily-living skills (demo data)"),
]

# (name, sex, age in months, class) — the 12 enrolled children; the first is the demo parent's.
CHILDREN = [
    ("李小雨", "F", 20, "托小班"),
    ("王子涵", "M", 14, "托小班"),
    ("张一诺", "F", 16, "托小班"),
    ("刘浩宇", "M", 19, "托小班"),
    ("陈思琪", "F", 21, "托小班"),
    ("杨梓萱", "F", 23, "托小班"),
    ("赵俊熙", "M", 26, "托大班"),
    ("黄欣怡", "F", 28, "托大班"),
    ("周宇轩", "M", 30, "托大班"),
    ("吴雨桐", "F", 31, "托大班"),
    ("徐沐阳", "M", 33, "托大班"),
    ("孙可欣", "F", 34, "托大班"),
]
# Children of other families: drop-in bookings and open applications.
DROP_IN = [("马天佑", "M", 22), ("罗佳怡", "F", 27), ("郭子墨", "M", 18), ("何梦琪", "F", 25)]
APPLICANTS = [("林小满", "F", 17), ("高嘉乐", "M", 29)]


def _born(months: int, today: datetime.date) -> datetime.date:
    year, month = divmod(today.month - 1 - months, 12)
    return datetime.date(today.year + year, month + 1, min(today.day, 28)) - datetime.timedelta(
        days=9
    )


def _place_start(fees_from: datetime.date, index: int) -> datetime.date:
    """The day the index-th demo child took up the place: before `fees_from`, the last one
    on the 11th of that month."""
    if index == len(CHILDREN) - 1:
        return fees_from + datetime.timedelta(days=10)
    return fees_from - datetime.timedelta(days=7 * (index + 1))


def _child(
    community: Community,
    household: Household | None,
    name: str,
    sex: str,
    months: int,
    today: datetime.date,
    guardian: bool = True,
) -> Child:
    """A demo child in their own household (or `household`), with one guardian listed."""
    if household is None:
        household, _ = Household.objects.get_or_create(
            community=community, address=f"晨北小区{name}家{DEMO}"
        )
    resident, _ = Resident.objects.get_or_create(
        household=household,
        name=name,
        defaults={
            "sex": sex,
            "date_of_birth": _born(months, today),
            "relation_to_head": "子女",
        },
    )
    child, _ = Child.objects.get_or_create(
        resident=resident, defaults={"vaccinations_confirmed": True}
    )
    if guardian and not child.guardians.exists():
        Guardian.objects.create(
            child=child, name=f"{name[0]}家长", relation="母亲", phone="13900000000"
        )
    return child


def _station(name: str, community: Community, **defaults: object) -> Station:
    station, _ = Station.objects.update_or_create(
        name=name, defaults={"community": community, **defaults}
    )
    return station


def seed(stdout: TextIO) -> None:
    today = timezone.localdate()
    chamagudao = Community.objects.get(region__code="chamagudao")
    nadeng = Community.objects.get(region__code="nadeng")
    premises = Premises.objects.filter(community=chamagudao, name="晨北小区社区物业用房").first()
    # The article's station is the only one in Chamagudao (15 places, 12 children); the
    # demo network's first branch sits in the neighbouring Nanping community.
    nanping = Community.objects.get(region__code="nanping-jie")
    centre_room = Premises.objects.filter(
        community=nanping, name="南屏社区服务中心一楼活动室"
    ).first()
    nadeng_room = Premises.objects.filter(community=nadeng, name="安置点公建配套用房A区").first()

    main = _station(
        MAIN,
        chamagudao,
        kind=Station.Kind.DEMONSTRATION,
        network_lead=None,
        address="茶马古道社区晨北小区1栋",
        premises=premises,
        licensed_places=15,
        age_min_months=12,
        age_max_months=36,
        opens_at=datetime.time(8, 0),
        closes_at=datetime.time(17, 30),
        inclusive_monthly_price=Decimal("1200.00"),
        monthly_subsidy=Decimal("300.00"),
        status=Station.Status.OPEN,
        phone="0879-0000001",
        opened_on=datetime.date(2024, 2, 1),
        description=(
            "三层楼房，靠近社区中心、离家近、在一楼；社区共享伙伴模式，社区免费提供公建配套用房，"
            "普惠价格。2月开园，15个托位，3名老师，12名幼儿在托（来源：报道）。"
            "价格与补贴为演示数据。"
        ),
    )
    branches = [
        _station(
            "南屏社区托育点",
            nanping,
            kind=Station.Kind.BRANCH,
            network_lead=main,
            address="南屏社区服务中心一楼",
            premises=centre_room,
            licensed_places=10,
            inclusive_monthly_price=Decimal("1000.00"),
            monthly_subsidy=Decimal("300.00"),
            description=f"“1+N”分园{DEMO}",
        ),
        _station(
            "娜登社区托育点",
            nadeng,
            kind=Station.Kind.BRANCH,
            network_lead=main,
            address="娜登社区A区",
            premises=nadeng_room,
            licensed_places=12,
            inclusive_monthly_price=Decimal("800.00"),
            monthly_subsidy=Decimal("400.00"),
            status=Station.Status.PREPARING,
            description=f"易地扶贫搬迁安置点“1+N”托育点{DEMO}",
        ),
    ]
    demo_assign("station_staff", station=main)

    # Three teachers: two with the toddlers (1:5), one with the older children (1:7).
    toddlers, _ = CareClass.objects.update_or_create(
        station=main, name="托小班", defaults={"class_type": "toddler", "capacity": 8, "carers": 2}
    )
    older, _ = CareClass.objects.update_or_create(
        station=main,
        name="托大班",
        defaults={"class_type": "preschool", "capacity": 7, "carers": 1},
    )
    classes = {"托小班": toddlers, "托大班": older}
    CareClass.objects.update_or_create(
        station=branches[0], name="混龄班", defaults={"class_type": "mixed", "capacity": 10}
    )

    strands = {}
    for order, (name, description) in enumerate(STRANDS):
        strands[name], _ = CourseStrand.objects.update_or_create(
            station=main, name=name, defaults={"description": description, "order": order}
        )
    week = [
        ("绘本", "运动大循环"),
        ("音乐", "科学实验"),
        ("运动感统", "创意美术"),
        ("农耕实践", "手工"),
        ("生活自理", "绘本"),
    ]
    for care_class in (toddlers, older):
        for weekday, (morning, afternoon) in enumerate(week):
            for start, end, strand in (
                (datetime.time(9, 30), datetime.time(10, 15), morning),
                (datetime.time(15, 30), datetime.time(16, 15), afternoon),
            ):
                TimetableSlot.objects.update_or_create(
                    care_class=care_class,
                    weekday=weekday,
                    starts_at=start,
                    defaults={"ends_at": end, "strand": strands[strand]},
                )

    parent = demo_user("parent")
    staff = demo_user("station_staff")
    parent_household = Resident.objects.get(user=parent).household
    enrolled: list[Child] = []
    # The children have held their places since before the last three months, so the fees
    # have three months of statements (billing/demo.py); the last child joined mid-month.
    fees_from = previous_month(previous_month(previous_month(current_month())))
    for index, (name, sex, age_months, class_name) in enumerate(CHILDREN):
        child = _child(
            chamagudao,
            parent_household if index == 0 else None,
            name,
            sex,
            age_months,
            today,
            guardian=index != 0,
        )
        if index == 0:
            Guardian.objects.get_or_create(
                child=child,
                user=parent,
                defaults={
                    "name": "李芳",
                    "relation": GuardianRelation.MOTHER,
                    "phone": "13800000001",
                },
            )
            # The demo parent consented when registering the child (PIPL art. 31).
            if not GuardianConsent.objects.active().filter(child=child, user=parent).exists():
                GuardianConsent.objects.create(
                    child=child, user=parent, version=CURRENT_VERSION, given_at=timezone.now()
                )
            Guardian.objects.get_or_create(
                child=child, name="李建国", defaults={"relation": "外公", "may_collect": True}
            )
            child.allergies = "芒果 (demo)"
            child.save(update_fields=["allergies"])
        enrolment, created = Enrolment.objects.get_or_create(
            child=child,
            station=main,
            defaults={
                "status": "enrolled",
                "care_class": classes[class_name],
                "start_date": _place_start(fees_from, index),
                "health_exam_date": today - datetime.timedelta(days=70 + index),
                "vaccinations_confirmed": True,
                "applied_by": parent if index == 0 else staff,
            },
        )
        if created:
            for from_status, to_status in (
                ("", "applied"),
                ("applied", "offered"),
                ("offered", "enrolled"),
            ):
                EnrolmentEvent.objects.create(
                    enrolment=enrolment, from_status=from_status, to_status=to_status, by=staff
                )
            # Applied two weeks and offered one week before the place was taken up.
            start = _place_start(fees_from, index)
            for to_status, days_before in (("applied", 14), ("offered", 7), ("enrolled", 0)):
                at = datetime.datetime.combine(
                    start - datetime.timedelta(days=days_before),
                    datetime.time(9, 0),
                    tzinfo=timezone.get_current_timezone(),
                )
                enrolment.events.filter(to_status=to_status).update(at=at)
        enrolled.append(child)

    for name, sex, months in APPLICANTS:
        child = _child(chamagudao, None, name, sex, months, today)
        enrolment, created = Enrolment.objects.get_or_create(
            child=child,
            station=main,
            defaults={
                "status": "applied",
                "start_date": today + datetime.timedelta(days=30),
                "health_exam_date": today - datetime.timedelta(days=5),
                "vaccinations_confirmed": True,
                "applied_by": staff,
            },
        )
        if created:
            EnrolmentEvent.objects.create(enrolment=enrolment, to_status="applied", by=staff)

    # Counters follow the rows (the services keep them in step in normal use).
    for care_class in (toddlers, older):
        care_class.enrolled_count = care_class.enrolments.filter(status="enrolled").count()
        care_class.save(update_fields=["enrolled_count"])
    main.enrolled_count = main.enrolments.filter(status="enrolled").count()
    main.save(update_fields=["enrolled_count"])

    _sessions(main, branches[0], today)
    _bookings(main, chamagudao, today, parent, enrolled[0], staff)
    _days(main, enrolled, staff, today)
    _growth_and_notes(enrolled[0], staff, today)
    stdout.write(f"Childcare: {MAIN} and its 1+N network loaded.\n")


def _sessions(main: Station, branch: Station, today: datetime.date) -> None:
    """Sessions on weekdays for the next two weeks (3 free places at the main station)."""
    plan = [
        (Session.Kind.FULL_DAY, datetime.time(8, 30), datetime.time(17, 0), 3),
        (Session.Kind.HALF_DAY, datetime.time(8, 30), datetime.time(12, 0), 3),
        (Session.Kind.HOURLY, datetime.time(15, 0), datetime.time(17, 0), 2),
    ]
    for offset in range(1, 15):
        day = today + datetime.timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for kind, start, end, capacity in plan:
            Session.objects.get_or_create(
                station=main,
                date=day,
                kind=kind,
                starts_at=start,
                defaults={"ends_at": end, "capacity": capacity},
            )
        Session.objects.get_or_create(
            station=branch,
            date=day,
            kind=Session.Kind.HALF_DAY,
            starts_at=datetime.time(8, 30),
            defaults={"ends_at": datetime.time(12, 0), "capacity": 6},
        )


def _bookings(
    main: Station,
    community: Community,
    today: datetime.date,
    parent: object,
    parents_child: Child,
    staff: object,
) -> None:
    """Some bookings, and one full drop-in session with a waiting list."""
    upcoming = list(
        Session.objects.filter(station=main, date__gt=today).order_by("date", "starts_at")
    )
    drop_ins = [_child(community, None, n, s, m, today) for n, s, m in DROP_IN]
    hourly = [s for s in upcoming if s.kind == Session.Kind.HOURLY]
    half = [s for s in upcoming if s.kind == Session.Kind.HALF_DAY]
    wanted: list[tuple[Session, Child, str, object]] = []
    if hourly:
        full = hourly[0]  # capacity 2: two confirmed, two waiting
        wanted += [
            (full, drop_ins[0], "confirmed", staff),
            (full, drop_ins[1], "confirmed", staff),
            (full, drop_ins[2], "waitlisted", staff),
            (full, drop_ins[3], "waitlisted", staff),
        ]
    if len(half) > 1:
        wanted += [(half[1], drop_ins[0], "confirmed", staff)]
    if len(hourly) > 2:
        wanted += [(hourly[2], parents_child, "confirmed", parent)]
    for session, child, status, by in wanted:
        Booking.objects.get_or_create(
            session=session, child=child, defaults={"status": status, "booked_by": by}
        )
    counts = Session.objects.filter(station=main).annotate(
        live=Count("bookings", filter=Q(bookings__status="confirmed"))
    )
    for session in counts:
        if session.booked != session.live:
            Session.objects.filter(pk=session.pk).update(booked=session.live)


def _days(main: Station, children: list[Child], staff: object, today: datetime.date) -> None:
    """Attendance, checks, meals and naps for the last four weekdays."""
    days = [today - datetime.timedelta(days=n) for n in range(0, 7)]
    days = [d for d in days if d.weekday() < 5][:4]
    tz = timezone.get_current_timezone()
    for day_index, day in enumerate(days):
        for index, child in enumerate(children):
            if (index + day_index) % 6 == 5:
                continue  # someone is off sick each day
            guardian = child.guardians.first()
            arrived = datetime.datetime.combine(day, datetime.time(8, 10 + index), tzinfo=tz)
            if arrived > timezone.now():
                continue  # seeded before this child's usual arrival: not here yet today
            left = None
            if day != today:
                left = datetime.datetime.combine(day, datetime.time(17, 5 + index), tzinfo=tz)
            Attendance.objects.get_or_create(
                child=child,
                date=day,
                defaults={
                    "station": main,
                    "checked_in_at": arrived,
                    "brought_by": guardian,
                    "checked_out_at": left,
                    "collected_by": guardian if left else None,
                    "outdoor_minutes": 90 if index % 4 == 0 else 130,
                    "recorded_by": staff,
                },
            )
            fever = day_index == 1 and index == 3
            HealthCheck.objects.get_or_create(
                child=child,
                date=day,
                period="morning",
                defaults={
                    "temperature": Decimal("36.5"),
                    "result": "pass",
                    "checked_by": staff,
                },
            )
            if day != today or timezone.localtime().hour >= 12:
                HealthCheck.objects.get_or_create(
                    child=child,
                    date=day,
                    period="midday",
                    defaults={
                        "temperature": Decimal("37.8") if fever else Decimal("36.7"),
                        "symptoms": "精神差 (demo)" if fever else "",
                        "result": "fail" if fever else "pass",
                        "checked_by": staff,
                    },
                )
            for meal, amount in (("breakfast", "all"), ("lunch", "most" if index % 3 else "all")):
                MealRecord.objects.get_or_create(
                    child=child, date=day, meal=meal, defaults={"amount": amount}
                )
            if day != today:
                NapRecord.objects.get_or_create(
                    child=child,
                    date=day,
                    started=datetime.time(12, 30),
                    defaults={"ended": datetime.time(14, 30 - index)},
                )


def _growth_and_notes(child: Child, staff: object, today: datetime.date) -> None:
    for month in range(6):
        measured = today - datetime.timedelta(days=30 * (5 - month))
        GrowthRecord.objects.get_or_create(
            child=child,
            measured_on=measured,
            defaults={
                "height_cm": Decimal("76.0") + Decimal("1.2") * month,
                "weight_kg": Decimal("9.8") + Decimal("0.25") * month,
            },
        )
    notes = [
        ("language", "绘本", "能说出绘本里五种蔬菜的名字。"),
        ("movement", "运动大循环", "运动大循环中能独立走过平衡木。"),
        ("social", "", "愿意把玩具分享给新来的小朋友。"),
        ("nutrition", "生活自理", "午餐能自己用勺子吃完。"),
    ]
    strands = {s.name: s for s in CourseStrand.objects.filter(station__enrolments__child=child)}
    for days_ago, (domain, strand, text) in enumerate(notes):
        ProgressNote.objects.update_or_create(
            child=child,
            domain=domain,
            text=text,
            defaults={
                "date": today - datetime.timedelta(days=days_ago * 2),
                "by": staff,
                "strand": strands.get(strand),
            },
        )
