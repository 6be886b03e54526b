"""GB/T 42195-2022 bands and raise, table-driven at every band edge."""

import pytest

from eldercare import rules


def test_domain_maxima_add_up_to_ninety():
    assert sum(d.max_score for d in rules.DOMAINS) == rules.TOTAL_MAX == 90


@pytest.mark.parametrize(
    ("total", "level"),
    [
        (90, 0),
        (89, 1),
        (66, 1),
        (65, 2),
        (46, 2),
        (45, 3),
        (30, 3),
        (29, 4),
        (0, 4),
    ],
)
def test_level_for_total_at_every_band_edge(total, level):
    assert rules.level_for_total(total) == level


@pytest.mark.parametrize("total", [-1, 91])
def test_level_for_total_refuses_out_of_range(total):
    with pytest.raises(ValueError):
        rules.level_for_total(total)


@pytest.mark.parametrize(
    ("total", "diagnosis", "events", "level"),
    [
        (90, False, 0, 0),
        (90, True, 0, 1),
        (90, False, 1, 0),
        (90, False, 2, 1),
        (66, False, 2, 2),
        (65, True, 0, 3),
        (46, False, 3, 3),
        (45, True, 5, 4),
        (30, False, 2, 4),
        (29, True, 2, 4),
        (0, True, 0, 4),
    ],
)
def test_final_level_raises_once_and_never_past_four(total, diagnosis, events, level):
    assert (
        rules.final_level(
            total=total, has_dementia_or_psychiatric=diagnosis, risk_events_30d=events
        )
        == level
    )


def test_validate_scores_flags_missing_and_out_of_range_items():
    scores = {code: 0 for code in rules.ITEMS}
    assert rules.validate_scores(scores) == []
    scores["eating"] = 5
    scores["stairs"] = -1
    del scores["vision"]
    assert set(rules.validate_scores(scores)) == {"eating", "stairs", "vision"}


def test_care_plan_follows_level_and_risks():
    interval, measures = rules.care_plan_for(0, [])
    assert interval == 8 and len(measures) == 1
    interval, measures = rules.care_plan_for(0, ["falls", "choking", "wandering"])
    assert interval == 2 and len(measures) == 4
    assert rules.care_plan_for(4, [])[0] == 2
