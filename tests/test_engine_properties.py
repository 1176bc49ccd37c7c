"""Properties of the engine over generated cases (hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from core.engine import evaluate
from core.scheme import load_scheme

Q100 = load_scheme("party-q100-3to1")
INDEX = load_scheme("party-index-60")
# the daily items only deduct (volunteer_service and pledge_done were removed, SCHEMES.md 8.2)
FIXED = ["miss_meeting", "late_dues", "task_undone", "award_city", "award_national", "article_city"]

event = st.builds(
    lambda s, item, month, day, count: {"subject": s, "item": item, "count": count,
                                        "date": f"{2025 + (month < 7)}-{month:02d}-{day:02d}"},
    st.sampled_from(["A", "B", "C"]), st.sampled_from(FIXED), st.integers(1, 12), st.integers(1, 28),
    st.integers(1, 5),
)


def case(events):
    subjects = [{"id": s, "branch": "B1"} for s in "ABC"]
    return {"cycle": 2025, "subjects": subjects, "events": events}


@settings(max_examples=40, deadline=None)
@given(st.lists(event, max_size=40))
def test_components_stay_within_their_clamps(events):
    for r in evaluate(Q100, case(events))["results"]:
        assert 0 <= r["components"]["daily"] <= 75
        assert 0 <= r["components"]["reward"] <= 10


@settings(max_examples=40, deadline=None)
@given(st.lists(event, max_size=40), st.randoms(use_true_random=False))
def test_event_order_does_not_matter_and_is_deterministic(events, rnd):
    first = evaluate(Q100, case(events))
    shuffled = list(events)
    rnd.shuffle(shuffled)
    assert evaluate(Q100, case(shuffled)) == first
    assert evaluate(Q100, case(events)) == first


index_event = st.builds(
    lambda item, points, month: {"subject": "A", "item": item, "points": points, "date": f"2025-{month:02d}-01"},
    st.sampled_from(["lead_study", "lead_law", "misconduct", "passive_work"]), st.integers(1, 20),
    st.integers(1, 12),
).map(lambda e: {**e, "points": -e["points"]} if e["item"] in ("misconduct", "passive_work") else e)


@settings(max_examples=40, deadline=None)
@given(st.lists(index_event, max_size=6), st.integers(1, 20))
def test_adding_a_positive_event_never_lowers_the_total(events, points):
    # party-index-60 clamps the total to [0, 100]: adding a bonus can only keep or raise it
    base = {"cycle": 2025, "subjects": [{"id": "A", "branch": "B1"}], "events": events}
    more = {**base, "events": events + [{"subject": "A", "item": "lead_service", "points": points,
                                         "date": "2025-06-01"}]}
    before = evaluate(INDEX, base)["results"][0]["total"]
    after = evaluate(INDEX, more)["results"][0]["total"]
    assert after >= before
    assert 0 <= after <= 100
