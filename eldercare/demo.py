"""Demo data for elderly care in Lancang county (from the article: 23 facilities, 13 nursing
homes and 10 home-care / day-care centres; 106 centrally supported elders; the Longquanhu
community day-care centre with dining room, kitchen, rest rooms, ramps and handrails).

Facility and person names are invented for the demo. Dates are relative to today, so a
second run on the same day changes nothing (every row is looked up before it is created).
"""

from __future__ import annotations

import datetime
import secrets
from decimal import Decimal
from typing import TextIO

from django.db.models import Count, Q
from django.utils import timezone

from communities.models import Community
from eldercare import rules, services
from eldercare.models import (
    AbilityAssessment,
    Alert,
    AlertKind,
    CareFacility,
    DayCareAttendance,
    Device,
    Elder,
    FamilyContact,
    HealthReading,
    Meal,
    MealBooking,
    RiskAssessment,
)
from portal.accounts.demo import demo_assign, demo_user

CENTRAL_ELDERS = 106  # article: 106 centrally supported elders (集中供养老人) in Lancang

# community code: nursing homes there (13 in all)
NURSING_HOMES = {
    "nadeng": 3,
    "longquanhu": 2,
    "menglang-chengbei": 3,
    "menglang-chengnan": 3,
    "shangyun-jie": 2,
}
ORDINALS = ["第一", "第二", "第三"]
LONGQUANHU_CENTRE = "龙泉湖社区日间照料中心"

SURNAMES = "李王张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = [
    "桂英",
    "秀兰",
    "玉珍",
    "正华",
    "国强",
    "德明",
    "凤英",
    "志刚",
    "扎约",
    "娜丽",
    "扎莫",
    "娜倮",
]

# A total in each level's band (GB/T 42195-2022): 0 = 90, 1 = 66–89, ...
LEVEL_TOTALS = {0: 90, 1: 78, 2: 55, 3: 38, 4: 15}
RISK_SETS = [
    [],
    ["falls"],
    ["falls", "choking"],
    ["pressure_sores", "fall_from_bed"],
    ["wandering"],
]


def _scores_for_total(total: int) -> dict[str, int]:
    scores = {code: item.max_score for code, item in rules.ITEMS.items()}
    codes = list(scores)
    i = 0
    while sum(scores.values()) > total:
        code = codes[i % len(codes)]
        if scores[code] > 0:
            scores[code] -= 1
        i += 1
    return scores


def _name(n: int) -> str:
    return SURNAMES[n % len(SURNAMES)] + GIVEN[(n // len(SURNAMES)) % len(GIVEN)]


def _facilities() -> tuple[list[CareFacility], CareFacility]:
    communities = {c.region.code: c for c in Community.objects.select_related("region")}
    homes = []
    for code, count in NURSING_HOMES.items():
        community = communities[code]
        for i in range(count):
            facility, _ = CareFacility.objects.update_or_create(
                name=f"{community.name}{ORDINALS[i]}敬老院",
                defaults={
                    "community": community,
                    "kind": CareFacility.Kind.NURSING_HOME,
                    "beds": 20,
                    "day_places": 0,
                    "address": f"{community.name}",
                    "open_days": "全年",
                    "opens_at": datetime.time(0, 0),
                    "closes_at": datetime.time(23, 59),
                    "staff_count": 4,
                    "has_dining_room": True,
                    "has_kitchen": True,
                    "has_rest_rooms": True,
                    "has_medical_room": True,
                    "has_handrails": True,
                    "has_call_bells": True,
                },
            )
            homes.append(facility)
    centre = None
    for code, community in communities.items():
        if code not in NURSING_HOMES:
            continue
        day_care, _ = CareFacility.objects.update_or_create(
            name=f"{community.name}日间照料中心",
            defaults={
                "community": community,
                "kind": CareFacility.Kind.DAY_CARE,
                "day_places": 30,
                "address": f"{community.name}综合服务中心一楼",
                "open_days": "周一至周五",
                "staff_count": 3,
                "has_dining_room": True,
                "has_kitchen": True,
                "has_rest_rooms": True,
                "has_activity_room": True,
                "has_ramps": True,
                "has_handrails": True,
                "has_accessible_toilet": code == "longquanhu",
            },
        )
        CareFacility.objects.update_or_create(
            name=f"{community.name}居家养老服务站",
            defaults={
                "community": community,
                "kind": CareFacility.Kind.HOME_CARE,
                "address": f"{community.name}",
                "open_days": "周一至周六",
                "staff_count": 2,
            },
        )
        if day_care.name == LONGQUANHU_CENTRE:
            centre = day_care
    assert centre is not None, "communities.demo must run first (Longquanhu)"
    return homes, centre


def _elders(homes: list[CareFacility], centre: CareFacility) -> list[Elder]:
    elders = []
    n = 0
    for i in range(CENTRAL_ELDERS):
        home = homes[i % len(homes)]
        elder, _ = Elder.objects.get_or_create(
            name=f"{_name(n)}{i + 1:03d}",
            facility=home,
            defaults={
                "community": home.community,
                "sex": "F" if i % 2 else "M",
                "date_of_birth": datetime.date(1930 + i % 20, 1 + i % 12, 1 + i % 28),
                "support_category": Elder.SupportCategory.CENTRAL,
                "has_dementia_or_psychiatric_diagnosis": i % 17 == 0,
                "dietary_needs": ["", "低盐", "软食", "糖尿病餐"][i % 4],
            },
        )
        elders.append(elder)
        n += 1
    categories = [
        Elder.SupportCategory.DISPERSED,
        Elder.SupportCategory.LOW_INCOME,
        Elder.SupportCategory.NONE,
    ]
    for i in range(24):
        elder, _ = Elder.objects.get_or_create(
            name=f"{_name(n)}{i + 1:02d}",
            facility=centre,
            defaults={
                "community": centre.community,
                "sex": "F" if i % 2 else "M",
                "date_of_birth": datetime.date(1940 + i % 15, 1 + i % 12, 2 + i % 27),
                "support_category": categories[i % 3],
                "day_care_weekdays": "01234" if i % 4 else "024",
                "dietary_needs": ["低盐", "", "软食", ""][i % 4],
                "allergies": "花生" if i % 9 == 0 else "",
            },
        )
        elders.append(elder)
        n += 1
    return elders


def _family(centre: CareFacility) -> Elder:
    elder, _ = Elder.objects.get_or_create(
        name="张桂英",
        facility=centre,
        defaults={
            "community": centre.community,
            "sex": "F",
            "date_of_birth": datetime.date(1941, 6, 18),
            "support_category": Elder.SupportCategory.DISPERSED,
            "day_care_weekdays": "01234",
            "dietary_needs": "低盐、软食",
            "allergies": "青霉素",
            "medical_notes": "高血压，每日早晨服药。",
        },
    )
    FamilyContact.objects.get_or_create(
        elder=elder,
        user=demo_user("elder_family"),
        defaults={
            "name": "张女士",
            "relation": "女儿",
            "phone": "13800000002",
            "can_see_health": True,
            "can_see_medical": True,
            "can_book": True,
        },
    )
    demo_assign("elder_family")
    return elder


def _assessments(elders: list[Elder]) -> None:
    staff = demo_user("facility_staff")
    assessed = set(
        AbilityAssessment.objects.filter(elder__in=elders).values_list("elder_id", flat=True)
    )
    has_risks = set(
        RiskAssessment.objects.filter(elder__in=elders).values_list("elder_id", flat=True)
    )
    today = timezone.localdate()
    for i, elder in enumerate(elders):
        level = i % 5
        if elder.pk not in assessed:
            # Spread the dates so some re-assessments fall due soon (the reminder has work).
            on = today - datetime.timedelta(days=(i * 7) % 360)
            services.assessment_create(
                elder=elder,
                assessed_on=on,
                scores=_scores_for_total(LEVEL_TOTALS[level]),
                by=staff,
            )
        if elder.pk not in has_risks:
            services.risk_assessment_create(
                elder=elder, assessed_on=today, risks=RISK_SETS[i % len(RISK_SETS)], by=staff
            )


def _week(centre: CareFacility, day_elders: list[Elder]) -> None:
    staff = demo_user("facility_staff")
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    existing = set(
        DayCareAttendance.objects.filter(facility=centre).values_list("elder_id", "date")
    )
    for back in range(7, 0, -1):
        day = today - datetime.timedelta(days=back)
        seat = DayCareAttendance.objects.filter(facility=centre, date=day).count()
        for elder in day_elders:
            if not elder.expected_on(day) or (elder.pk, day) in existing:
                continue
            seat += 1
            arrive = datetime.datetime.combine(day, datetime.time(8, 10 + seat % 40), tz)
            DayCareAttendance.objects.create(
                elder=elder,
                facility=centre,
                date=day,
                seat_no=seat,
                places=centre.day_places,
                checked_in_at=arrive,
                checked_in_by=staff,
                checked_out_at=arrive + datetime.timedelta(hours=8),
                checked_out_by=staff,
            )
    menus = {
        "breakfast": "小米粥、鸡蛋、馒头",
        "lunch": "米饭、清蒸鱼、炒青菜、冬瓜汤",
    }
    for offset in range(-7, 7):
        day = today + datetime.timedelta(days=offset)
        for kind, menu in menus.items():
            meal, _ = Meal.objects.get_or_create(
                facility=centre,
                date=day,
                kind=kind,
                defaults={"menu": menu, "capacity": 30, "price": Decimal("5.00")},
            )
            if offset < 0 and not meal.bookings.exists():
                MealBooking.objects.bulk_create(
                    MealBooking(
                        meal=meal,
                        elder=e,
                        status=MealBooking.Status.SERVED,
                        booked_by=staff,
                    )
                    for e in day_elders
                    if e.expected_on(day)
                )
    # The counter follows the bookings (the demo wrote them in bulk, outside meal_book).
    for meal in Meal.objects.filter(facility=centre).annotate(
        n=Count("bookings", filter=~Q(bookings__status="cancelled"))
    ):
        if meal.booked != meal.n:
            Meal.objects.filter(pk=meal.pk).update(booked=meal.n)


def _readings(elders: list[Elder]) -> None:
    staff = demo_user("facility_staff")
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    done = set(HealthReading.objects.filter(elder__in=elders).values_list("elder_id", flat=True))
    rows = []
    for i, elder in enumerate(elders):
        if elder.pk in done:
            continue
        for back in range(7, 0, -1):
            at = datetime.datetime.combine(
                today - datetime.timedelta(days=back), datetime.time(9, i % 50), tz
            )
            rows.append(
                HealthReading(
                    elder=elder,
                    kind="bp",
                    value=Decimal(118 + (i * 3 + back) % 20),
                    value2=Decimal(72 + (i + back) % 14),
                    measured_at=at,
                    recorded_by=staff,
                )
            )
            rows.append(
                HealthReading(
                    elder=elder,
                    kind="heart_rate",
                    value=Decimal(64 + (i + back * 2) % 24),
                    measured_at=at,
                    recorded_by=staff,
                )
            )
        rows.append(
            HealthReading(
                elder=elder,
                kind="weight",
                value=Decimal("52.0") + Decimal(i % 20),
                measured_at=datetime.datetime.combine(
                    today - datetime.timedelta(days=1), datetime.time(10, 0), tz
                ),
                recorded_by=staff,
            )
        )
    HealthReading.objects.bulk_create(rows, batch_size=2000)


def _alerts(centre: CareFacility, family_elder: Elder, day_elders: list[Elder]) -> None:
    """A few open alerts: high blood pressure of the demo family's elder and two others."""
    staff = demo_user("facility_staff")
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    for elder, (sys_, dia) in zip(
        [family_elder, *day_elders[:2]], [(168, 98), (152, 94), (176, 102)], strict=False
    ):
        if Alert.objects.filter(elder=elder, kind=AlertKind.READING, date=yesterday).exists():
            continue
        at = datetime.datetime.combine(
            yesterday, datetime.time(15, 30), timezone.get_current_timezone()
        )
        reading = HealthReading.objects.create(
            elder=elder,
            kind="bp",
            value=Decimal(sys_),
            value2=Decimal(dia),
            measured_at=at,
            recorded_by=staff,
        )
        Alert.objects.create(
            elder=elder,
            kind=AlertKind.READING,
            date=yesterday,
            reading=reading,
            message=f"{elder.display_name}: 血压 {sys_}/{dia} mmHg 超出范围。",
        )


def _devices(elders: list[Elder]) -> None:
    """A device for every centrally supported elder and for the day-care centre's elders
    ("Internet + smart elderly care"); `manage.py device_simulator` makes them talk."""
    kinds = [Device.Kind.SOS_BUTTON, Device.Kind.WRISTBAND, Device.Kind.BP_METER]
    installed = timezone.now() - datetime.timedelta(days=30)
    for i, elder in enumerate(elders):
        Device.objects.get_or_create(
            serial=f"LC-{elder.pk:05d}",
            defaults={
                "kind": kinds[i % len(kinds)],
                "elder": elder,
                "facility": elder.facility,
                "installed_at": installed,
                "last_heard": timezone.now(),
                "battery": 60 + i % 40,
                "secret": secrets.token_hex(32),
            },
        )


def seed(stdout: TextIO) -> None:
    homes, centre = _facilities()
    demo_assign("facility_staff", facility=centre)
    elders = _elders(homes, centre)
    family_elder = _family(centre)
    day_elders = [e for e in elders if e.facility_id == centre.pk] + [family_elder]
    _assessments(elders + [family_elder])
    _week(centre, day_elders)
    _readings(elders + [family_elder])
    _alerts(centre, family_elder, [e for e in day_elders if e.pk != family_elder.pk])
    _devices(elders + [family_elder])
    lancang = "/530800/530828/"
    central = Elder.objects.filter(
        support_category=Elder.SupportCategory.CENTRAL,
        community__region__path__startswith=lancang,
    ).count()
    facilities = CareFacility.objects.filter(community__region__path__startswith=lancang).count()
    stdout.write(
        f"Eldercare: {facilities} facilities in Lancang, {central} centrally supported elders.\n"
    )
