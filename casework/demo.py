"""Demo data for the care network in Lancang county (article figures: 1,260 left-behind children,
241 of them in distress; 童伴妈妈 and 课外班主任 teams; 30+ legal-education sessions).

Names, schools and places of work are invented. Everything is written with bulk_create so the
seeding takes seconds; it is skipped when the demo households already exist (idempotent).
"""

from __future__ import annotations

import datetime
import random
from typing import TextIO

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from casework import rules
from casework.models import (
    CaseChild,
    CaseStatus,
    Concern,
    ConcernCategory,
    Organiser,
    OutreachEvent,
    Pairing,
    RiskLevel,
    Visit,
    VisitKind,
    Volunteer,
    VolunteerTeam,
)
from casework.tasks import carer_reviews_raise
from communities.models import Community, Household, Region, Resident
from eldercare.models import AbilityAssessment, Elder
from portal.accounts.demo import DEMO_PASSWORD, demo_assign, demo_user
from portal.accounts.models import Role, RoleAssignment, User

DEMO_TAG = "casework-demo"
LEFT_BEHIND_TOTAL = 1260  # article: 澜沧县留守儿童1260名
IN_DISTRESS_TOTAL = 241  # article: 其中困境儿童241名

# Children per Lancang community (sums to 1,260); Nadeng, the relocation site, has the most.
CHILDREN_PER_COMMUNITY = {
    "nadeng": 520,
    "longquanhu": 200,
    "menglang-chengbei": 230,
    "menglang-chengnan": 190,
    "shangyun-jie": 120,
}

# Nadeng's residents came from 9 townships and 24 administrative villages (article).
ORIGINS = {
    "木戛乡": ["木戛村", "保马村", "哈卜吗村"],
    "发展河乡": ["发展河村", "营盘村", "东朗村"],
    "糯扎渡镇": ["糯扎渡村", "雅口村", "响水村"],
    "富东乡": ["富东村", "邦奈村", "那东村"],
    "竹塘乡": ["竹塘村", "东主村", "茨竹河村"],
    "酒井乡": ["酒井村", "老达保村"],
    "惠民镇": ["芒景村", "旱谷坝村"],
    "谦六彝族乡": ["谦六村", "团结村"],
    "南岭乡": ["南岭村", "勐炳村", "草坝村"],
}

SURNAMES = "李张王杨刘陈赵黄周吴罗扎娜胡石马"
GIVEN = [
    "小明",
    "小红",
    "雨涵",
    "浩然",
    "思琪",
    "子轩",
    "欣怡",
    "俊杰",
    "诗雨",
    "梓涵",
    "娜儿",
    "扎发",
]
WORK_PLACES = ["广东东莞", "浙江义乌", "福建晋江", "昆明", "江苏苏州", "上海", "广东深圳"]
SCHOOLS = ["澜沧县第一小学", "娜登小学", "勐朗镇中心小学", "东回镇中心小学", "上允镇中学"]
GRADES = ["一年级", "二年级", "三年级", "四年级", "五年级", "六年级", "初一", "初二"]


def _lancang_communities() -> dict[str, Community]:
    return {
        c.region.code: c
        for c in Community.objects.filter(region__code__in=CHILDREN_PER_COMMUNITY).select_related(
            "region"
        )
    }


def seed(stdout: TextIO) -> None:
    communities = _lancang_communities()
    if len(communities) != len(CHILDREN_PER_COMMUNITY):
        stdout.write("casework: Lancang communities missing (run communities.demo first).\n")
        return
    county = Region.objects.get(code="530828")
    staff = demo_user("community_staff")
    for community in communities.values():
        demo_assign("community_staff", region=community.region)
    demo_assign("volunteer", region=communities["nadeng"].region)

    teams = {
        kind: VolunteerTeam.objects.get_or_create(
            region=county, name=name, defaults={"kind": kind}
        )[0]
        for kind, name in [
            (VolunteerTeam.Kind.COMPANION_MOTHERS, "澜沧县童伴妈妈志愿服务队"),
            (VolunteerTeam.Kind.HOMEROOM_TEACHERS, "澜沧县课外班主任志愿服务队"),
        ]
    }
    if Household.objects.filter(notes=DEMO_TAG).exists():
        stdout.write("casework: demo registry already present.\n")
        return

    rng = random.Random(530828)
    today = timezone.localdate()
    approved_at = timezone.now() - datetime.timedelta(days=120)
    season_start = today - datetime.timedelta(days=100)

    # --- volunteers: companion mothers and homeroom teachers per community ------------------
    password = make_password(DEMO_PASSWORD)
    vol_users: list[User] = []
    vol_specs: list[tuple[str, str, bool]] = []
    n = 0
    for code in CHILDREN_PER_COMMUNITY:
        size = CHILDREN_PER_COMMUNITY[code]
        for kind, count in [
            (VolunteerTeam.Kind.COMPANION_MOTHERS, size // 25 + 2),
            (VolunteerTeam.Kind.HOMEROOM_TEACHERS, size // 40 + 1),
        ]:
            for _i in range(count):
                n += 1
                label = "童伴妈妈" if kind == VolunteerTeam.Kind.COMPANION_MOTHERS else "课外班主任"
                vol_users.append(
                    User(
                        phone=f"+86137{n:08d}",
                        name=f"{SURNAMES[n % len(SURNAMES)]}{label}{n}",
                        password=password,
                        phone_verified=True,
                    )
                )
                vol_specs.append((code, kind, kind == VolunteerTeam.Kind.HOMEROOM_TEACHERS))
    vol_users = User.objects.bulk_create(vol_users)
    RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(user=u, role=Role.VOLUNTEER, region=communities[code].region)
            for u, (code, _k, _p) in zip(vol_users, vol_specs, strict=True)
        ]
    )
    volunteers = Volunteer.objects.bulk_create(
        [
            Volunteer(
                user=u,
                team=teams[kind],
                community=communities[code],
                contact_phone=u.phone.removeprefix("+86"),
                is_party_member=party,
                joined_on=today - datetime.timedelta(days=400),
            )
            for u, (code, kind, party) in zip(vol_users, vol_specs, strict=True)
        ]
    )
    demo_volunteer, _ = Volunteer.objects.get_or_create(
        user=demo_user("volunteer"),
        defaults={
            "team": teams[VolunteerTeam.Kind.COMPANION_MOTHERS],
            "community": communities["nadeng"],
            "contact_phone": "13800000006",
            "joined_on": today - datetime.timedelta(days=400),
        },
    )
    by_community: dict[int, dict[str, list[Volunteer]]] = {}
    for v in volunteers:
        by_community.setdefault(v.community_id, {}).setdefault(v.team.kind, []).append(v)

    # --- households, children and their carers ----------------------------------------------
    origins = [(t, v) for t, villages in ORIGINS.items() for v in villages]
    households: list[Household] = []
    plan: list[tuple[int, str]] = []  # (household index, community code) per child
    for code, size in CHILDREN_PER_COMMUNITY.items():
        community = communities[code]
        made = 0
        while made < size:
            siblings = 2 if rng.random() < 0.2 and size - made >= 2 else 1
            relocated = code == "nadeng"
            township, village = origins[len(households) % len(origins)] if relocated else ("", "")
            households.append(
                Household(
                    community=community,
                    address=f"{community.region.name}{len(households) // 20 + 1}栋"
                    f"{len(households) % 20 + 1}号",
                    is_relocated=relocated,
                    origin_township=township,
                    origin_village=village,
                    notes=DEMO_TAG,
                )
            )
            for _s in range(siblings):
                plan.append((len(households) - 1, code))
            made += siblings
    households = Household.objects.bulk_create(households)

    carers = Resident.objects.bulk_create(
        [
            Resident(
                household=h,
                name=f"{SURNAMES[i % len(SURNAMES)]}奶奶" if i % 3 else f"{SURNAMES[i % 16]}爷爷",
                sex=Resident.Sex.FEMALE if i % 3 else Resident.Sex.MALE,
                date_of_birth=datetime.date(1950 + i % 15, 1 + i % 12, 1 + i % 28),
                relation_to_head="户主",
            )
            for i, h in enumerate(households)
        ]
    )
    kids = Resident.objects.bulk_create(
        [
            Resident(
                household=households[h],
                name=SURNAMES[(h + j) % len(SURNAMES)] + GIVEN[j % len(GIVEN)],
                sex=Resident.Sex.FEMALE if j % 2 else Resident.Sex.MALE,
                date_of_birth=today.replace(year=today.year - 6 - j % 9, day=1)
                - datetime.timedelta(days=j % 200),
                relation_to_head="孙子女",
            )
            for j, (h, _code) in enumerate(plan)
        ]
    )

    distress_ix = set(rng.sample(range(len(plan)), IN_DISTRESS_TOTAL))
    cases: list[CaseChild] = []
    for j, ((h, code), kid) in enumerate(zip(plan, kids, strict=True)):
        distress = j in distress_ix
        roll = rng.random()
        if distress:
            risk = RiskLevel.HIGH if roll < 0.35 else RiskLevel.MEDIUM
        else:
            risk = RiskLevel.HIGH if roll < 0.04 else (RiskLevel.MEDIUM if roll < 0.3 else "low")
        cases.append(
            CaseChild(
                resident=kid,
                community=communities[code],
                is_left_behind=True,
                parents_away=["both", "both", "father", "mother", "single"][j % 5],
                parents_work_place=WORK_PLACES[j % len(WORK_PLACES)],
                is_in_distress=distress,
                distress_illness_disability=distress and j % 3 == 0,
                distress_family_hardship=distress and j % 3 != 0,
                distress_lack_of_guardianship=distress and j % 4 == 0,
                carer=carers[h],
                carer_relation="祖母" if h % 3 else "祖父",
                school=SCHOOLS[j % len(SCHOOLS)],
                grade=GRADES[j % len(GRADES)],
                risk_level=risk,
                risk_reason="父母长期外出务工，祖辈照料" + ("；家庭困难" if distress else ""),
                plan="每次走访关注学习、健康和情绪；与学校保持联系。",
                status=CaseStatus.ACTIVE,
                registered_by=staff,
                approved_by=staff,
                approved_at=approved_at,
            )
        )

    # A season of visits: the last one a little before or after its interval, so some are
    # overdue today.
    visits: list[tuple[int, Visit]] = []
    kinds = list(VisitKind.values)
    for j, case in enumerate(cases):
        interval = rules.VISIT_INTERVAL_DAYS[case.risk_level]
        last = today - datetime.timedelta(days=rng.randint(1, int(interval * 1.25)))
        if j < 2:
            # The demo volunteer's first two children are overdue, to show on their page.
            last = today - datetime.timedelta(days=interval + 3 + j)
        day = last
        while day >= season_start:
            visits.append((j, Visit(kind=kinds[(j + day.day) % 4], date=day, notes="")))
            day -= datetime.timedelta(days=interval)
        case.next_visit_due = rules.next_visit_due(
            risk_level=case.risk_level, last_visit=last, since=timezone.localdate(approved_at)
        )
    cases = CaseChild.objects.bulk_create(cases)

    # Pairings: a primary volunteer for every child; a homeroom teacher for some; history.
    nadeng = communities["nadeng"]
    pairings: list[Pairing] = []
    counters: dict[tuple[int, str], int] = {}
    demo_children = 0
    for j, case in enumerate(cases):
        pool = by_community[case.community_id]
        if case.community_id == nadeng.pk and demo_children < 8:
            primary = demo_volunteer
            demo_children += 1
        else:
            key = (case.community_id, VolunteerTeam.Kind.COMPANION_MOTHERS)
            counters[key] = counters.get(key, -1) + 1
            mothers = pool[VolunteerTeam.Kind.COMPANION_MOTHERS]
            primary = mothers[counters[key] % len(mothers)]
        pairings.append(
            Pairing(
                volunteer=primary,
                child=case,
                is_primary=True,
                started_on=timezone.localdate(approved_at),
                created_by=staff,
            )
        )
        teachers = pool[VolunteerTeam.Kind.HOMEROOM_TEACHERS]
        if j % 5 == 0:
            pairings.append(
                Pairing(
                    volunteer=teachers[j % len(teachers)],
                    child=case,
                    is_primary=False,
                    started_on=timezone.localdate(approved_at),
                    created_by=staff,
                )
            )
        if j % 17 == 0:
            pairings.append(
                Pairing(
                    volunteer=teachers[(j + 1) % len(teachers)],
                    child=case,
                    is_primary=True,
                    active=False,
                    started_on=timezone.localdate(approved_at) - datetime.timedelta(days=200),
                    ended_on=timezone.localdate(approved_at),
                    end_reason="志愿者调岗 (moved to another post)",
                    created_by=staff,
                )
            )
    Pairing.objects.bulk_create(pairings)
    primary_user = {p.child_id: p.volunteer.user_id for p in pairings if p.active and p.is_primary}

    for j, visit in visits:
        visit.child = cases[j]
        visit.visited_by_id = primary_user[cases[j].pk]
        visit.notes = "孩子状态良好，作业按时完成。"
    Visit.objects.bulk_create([v for _j, v in visits])

    # A few concerns; one suspected neglect, escalated and awaiting a report.
    concerns = [
        Concern(
            child=cases[k],
            category=[ConcernCategory.HEALTH, ConcernCategory.SCHOOLING, ConcernCategory.EMOTIONAL][
                k % 3
            ],
            description="孩子近期情绪低落，需要持续关注。",
            raised_by_id=primary_user[cases[k].pk],
        )
        for k in range(9, 300, 15)
    ]
    concerns.append(
        Concern(
            child=cases[3],
            category=ConcernCategory.ABUSE_NEGLECT,
            description="孩子多日无人照料，家中无食物。",
            suspected_abuse=True,
            escalated_at=timezone.now() - datetime.timedelta(days=2),
            must_report=True,
            raised_by=demo_user("volunteer"),
        )
    )
    Concern.objects.bulk_create(concerns)

    # 30+ legal-education sessions in schools (法治宣传进校园), across the county's communities.
    organisers = list(Organiser.values)[:4]
    codes = list(CHILDREN_PER_COMMUNITY)
    OutreachEvent.objects.bulk_create(
        [
            OutreachEvent(
                title=f"法治宣传进校园第{k + 1}场",
                organiser=organisers[k % 4],
                region=communities[codes[k % len(codes)]].region,
                school=SCHOOLS[k % len(SCHOOLS)],
                date=today - datetime.timedelta(days=7 * k + 3),
                attendance=120 + (k * 37) % 300,
                materials="《未成年人保护法》宣传册；防欺凌、防性侵、禁毒主题课件",
                created_by=staff,
            )
            for k in range(32)
        ]
    )
    reviews = _seed_carer_assessments(carers, households, today)
    overdue = sum(1 for c in cases if c.next_visit_due < today)
    stdout.write(
        f"casework: {len(cases)} left-behind children ({IN_DISTRESS_TOTAL} in distress), "
        f"{len(volunteers) + 1} volunteers, {len(pairings)} pairings, {len(visits)} visits "
        f"({overdue} children overdue), 32 outreach sessions, {reviews} risk reviews raised by "
        "carers' ability.\n"
    )


# Scores per domain (self-care, motor, mental, perception) that fall in each GB/T 42195 level.
_LEVEL_SCORES = {0: (32, 15, 28, 15), 1: (25, 12, 22, 11), 2: (20, 10, 15, 10), 3: (15, 5, 12, 8)}


def _seed_carer_assessments(
    carers: list[Resident], households: list[Household], today: datetime.date
) -> int:
    """Some grandparent carers are elders with an ability assessment (eldercare), a few at
    level 2 or worse: the one-household view and the review job then have something to show."""
    chosen = [
        (c, h) for i, (c, h) in enumerate(zip(carers, households, strict=True)) if i % 25 == 0
    ]
    elders = Elder.objects.bulk_create(
        [Elder(resident=c, community_id=h.community_id) for c, h in chosen]
    )
    assessments = []
    for i, elder in enumerate(elders):
        level = [0, 1, 1, 2, 3][i % 5]
        self_care, motor, mental, perception = _LEVEL_SCORES[level]
        assessed = today - datetime.timedelta(days=20 + i)
        assessments.append(
            AbilityAssessment(
                elder=elder,
                assessed_on=assessed,
                self_care=self_care,
                motor=motor,
                mental=mental,
                perception=perception,
                total=self_care + motor + mental + perception,
                base_level=level,
                level=level,
                next_due=assessed + datetime.timedelta(days=365),
            )
        )
    AbilityAssessment.objects.bulk_create(assessments)
    return carer_reviews_raise()
