"""Demo data: the article's region tree and communities, and a few households.

Populations other than Chamagudao's (28,900, from the article) are demo estimates,
marked as such in the community notes.
"""

from __future__ import annotations

import datetime
from typing import TextIO

from communities.models import Community, Household, Premises, Region, Resident
from communities.validators import id_number_check_character
from portal.accounts.demo import demo_assign, demo_user

ESTIMATE = "（人口为演示估计值）"

# (code, is_division_code, name, name_en, level, parent_code)
REGIONS = [
    ("530800", True, "普洱市", "Pu'er", Region.Level.CITY, None),
    ("530802", True, "思茅区", "Simao", Region.Level.DISTRICT, "530800"),
    ("nanping", False, "南屏镇", "Nanping", Region.Level.TOWN, "530802"),
    ("chamagudao", False, "茶马古道社区", "Chamagudao", Region.Level.COMMUNITY, "nanping"),
    ("nanping-jie", False, "南屏社区", "Nanping", Region.Level.COMMUNITY, "nanping"),
    ("530828", True, "澜沧拉祜族自治县", "Lancang", Region.Level.COUNTY, "530800"),
    ("nadeng", False, "娜登社区", "Nadeng", Region.Level.COMMUNITY, "530828"),
    ("donghui", False, "东回镇", "Donghui", Region.Level.TOWN, "530828"),
    ("longquanhu", False, "龙泉湖社区", "Longquanhu", Region.Level.COMMUNITY, "donghui"),
    ("menglang", False, "勐朗镇", "Menglang", Region.Level.TOWN, "530828"),
    ("menglang-chengbei", False, "城北社区", "Chengbei", Region.Level.COMMUNITY, "menglang"),
    ("menglang-chengnan", False, "城南社区", "Chengnan", Region.Level.COMMUNITY, "menglang"),
    ("shangyun", False, "上允镇", "Shangyun", Region.Level.TOWN, "530828"),
    ("shangyun-jie", False, "上允社区", "Shangyun", Region.Level.COMMUNITY, "shangyun"),
]

# code: (population, is_relocation_site, notes)
COMMUNITIES = {
    "chamagudao": (28900, False, "常住人口2.89万（来源：报道）"),
    "nanping-jie": (9800, False, "演示社区" + ESTIMATE),
    "nadeng": (
        11800,
        True,
        "全县最大易地扶贫搬迁安置点，居民来自9个乡镇24个行政村（来源：报道）。" + ESTIMATE,
    ),
    "longquanhu": (6200, False, ESTIMATE),
    "menglang-chengbei": (15400, False, ESTIMATE),
    "menglang-chengnan": (13100, False, ESTIMATE),
    "shangyun-jie": (7600, False, ESTIMATE),
}


def seed(stdout: TextIO) -> None:
    regions: dict[str, Region] = {}
    for code, is_div, name, name_en, level, parent_code in REGIONS:
        region, _ = Region.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "level": level,
                "is_division_code": is_div,
                "parent": regions.get(parent_code) if parent_code else None,
            },
        )
        regions[code] = region
    for code, (population, relocation, notes) in COMMUNITIES.items():
        Community.objects.update_or_create(
            region=regions[code],
            defaults={
                "population": population,
                "is_relocation_site": relocation,
                "notes": notes,
                "contact_name": "社区办公室",
                "contact_phone": "0879-0000000",
            },
        )

    chamagudao = Community.objects.get(region__code="chamagudao")
    nadeng = Community.objects.get(region__code="nadeng")
    longquanhu = Community.objects.get(region__code="longquanhu")

    Premises.objects.get_or_create(
        community=chamagudao,
        name="晨北小区社区物业用房",
        defaults={
            "address": "晨北小区1栋",
            "floor": 1,
            "area_m2": 320,
            "terms": Premises.Terms.FREE,
            "status": Premises.Status.IN_USE,
            "used_by": "几侎稚家婴幼儿成长驿站",
            "notes": "三层楼房，靠近社区中心，一楼（来源：报道）",
        },
    )
    Premises.objects.get_or_create(
        community=chamagudao,
        name="社区服务中心二楼活动室",
        defaults={"address": "茶马古道社区服务中心", "floor": 2, "area_m2": 90},
    )
    Premises.objects.get_or_create(
        community=Community.objects.get(region__code="nanping-jie"),
        name="南屏社区服务中心一楼活动室",
        defaults={"address": "南屏社区服务中心", "floor": 1, "area_m2": 110},
    )
    Premises.objects.get_or_create(
        community=nadeng,
        name="安置点公建配套用房A区",
        defaults={"address": "娜登社区A区", "floor": 1, "area_m2": 260},
    )

    for key in ("community_staff",):
        for community in (chamagudao, nadeng, longquanhu):
            demo_assign(key, region=community.region)
    demo_assign("volunteer", region=nadeng.region)
    demo_assign("county_official", region=regions["530828"])
    demo_assign("city_official", region=regions["530800"])
    demo_assign("parent")
    demo_assign("elder_family")
    demo_assign("admin")

    # The demo parent's own household in Chamagudao.
    household, _ = Household.objects.get_or_create(
        community=chamagudao, address="晨北小区3栋2单元101"
    )
    Resident.objects.get_or_create(
        user=demo_user("parent"),
        defaults={
            "household": household,
            "name": "李芳",
            "sex": Resident.Sex.FEMALE,
            "date_of_birth": datetime.date(1994, 5, 12),
            "phone": "13800000001",
            "relation_to_head": "户主",
        },
    )
    relocated, _ = Household.objects.get_or_create(
        community=nadeng,
        address="娜登社区B区12栋3单元",
        defaults={"is_relocated": True, "origin_township": "木戛乡", "origin_village": "木戛村"},
    )
    Resident.objects.get_or_create(
        household=relocated,
        name="扎约",
        defaults={
            "sex": Resident.Sex.MALE,
            "date_of_birth": datetime.date(1958, 3, 2),
            # A valid GB 11643 number (check character 2) so the staff edit form accepts it.
            "id_number": "530828195803021232",
            "relation_to_head": "户主",
        },
    )
    _seed_more_households(chamagudao, nadeng)
    stdout.write("Regions and communities loaded.\n")


# (community code, address, relocated from (township, village) or None,
#  [(name, sex, date of birth, relation to head, phone)])
MORE_HOUSEHOLDS = [
    (
        "chamagudao",
        "晨北小区5栋1单元302",
        None,
        [
            ("王建国", "M", datetime.date(1956, 8, 20), "户主", "13800000101"),
            ("陈秀兰", "F", datetime.date(1958, 2, 11), "配偶", ""),
            ("王小宝", "M", datetime.date(2024, 3, 9), "孙子", ""),
        ],
    ),
    (
        "chamagudao",
        "茶马路28号",
        None,
        [("周丽", "F", datetime.date(1990, 11, 3), "户主", "13800000102")],
    ),
    (
        "nadeng",
        "娜登社区A区3栋2单元",
        ("富东乡", "邦奈村"),
        [
            ("娜丽", "F", datetime.date(1985, 7, 1), "户主", "13800000103"),
            ("扎克", "M", datetime.date(2016, 9, 15), "儿子", ""),
        ],
    ),
]


def _demo_id_number(index: int, date_of_birth: datetime.date) -> str:
    first17 = f"530828{date_of_birth:%Y%m%d}{900 + index:03d}"
    return first17 + id_number_check_character(first17)


def _seed_more_households(*communities: Community) -> None:
    by_code = {c.region.code: c for c in communities}
    index = 0
    for code, address, origin, people in MORE_HOUSEHOLDS:
        township, village = origin or ("", "")
        household, _ = Household.objects.get_or_create(
            community=by_code[code],
            address=address,
            defaults={
                "is_relocated": origin is not None,
                "origin_township": township,
                "origin_village": village,
            },
        )
        for name, sex, born, relation, phone in people:
            index += 1
            Resident.objects.get_or_create(
                household=household,
                name=name,
                defaults={
                    "sex": sex,
                    "date_of_birth": born,
                    "id_number": _demo_id_number(index, born),
                    "relation_to_head": relation,
                    "phone": phone,
                },
            )
