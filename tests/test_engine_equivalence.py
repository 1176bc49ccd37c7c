"""The engine's two event paths agree.

With the explanation, events are grouped per (subject, item, quarter, fraud)
for their lines and then summed; without it they are summed straight away.
Both must give the same results, and the explanation without event lines must
be the full explanation with its event lines left out. Random cases cover
every template: caps, fraud, ratings, range points with cents, several units,
events of earlier cycles and events outside the cycle.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

import polars as pl
import pytest

from core.cycles import cycle_bounds
from core.engine import evaluate
from core.scheme import list_schemes, load_scheme
from tests.engine_cases import ev, member, result, run

RATINGS = ("满意", "基本满意", "不满意")
EVENT_LINE_STARTS = ("第1季度 ", "第2季度 ", "第3季度 ", "第4季度 ", "往年累计 ")


def _points(item, rng: random.Random):
    if not item.is_range:
        return None
    low, high = int(item.min * 100), int(item.max * 100)
    return Decimal(rng.randint(low, high)) / 100


def _items(scheme, kind: str) -> list:
    return [i for i in scheme.items.values() if not i.automatic and kind in i.kinds]


def _random_case(scheme, seed: int) -> dict:
    rng = random.Random(seed)
    kind = next(k for k in scheme.subject_kinds if _items(scheme, k))
    categories = scheme.subject_categories or (None,)
    subjects = [member(f"S{i:02d}", f"B{i % 3}", kind=kind, category=rng.choice(categories)) for i in range(30)]
    items = _items(scheme, kind)
    start, end = cycle_bounds(scheme.cycle_start, 2025)
    days = (end - start).days
    events = []
    for _ in range(600):
        item = rng.choice(items)
        when = start + timedelta(days=rng.randint(-200, days + 20))
        events.append(ev(
            rng.choice(subjects)["id"], item.code, when.isoformat(),
            count=rng.choice((1, 1, 1, 2, 3)),
            points=_points(item, rng),
            rating=rng.choice(RATINGS) if item.earn_ratings is not None else None,
            fraud=rng.random() < 0.03,
        ))
    return {"cycle": 2025, "subjects": subjects, "events": events}


def _is_subsequence(short: list[str], full: list[str]) -> bool:
    rest = iter(full)
    return all(line in rest for line in short)


@pytest.mark.parametrize("scheme_id", [s.id for s in list_schemes() if s.items])
def test_explanation_does_not_change_results(scheme_id):
    scheme = load_scheme(scheme_id)
    case = _random_case(scheme, seed=len(scheme_id))
    full = evaluate(scheme, case)
    short = evaluate(scheme, case, explain=False)
    assert full["warnings"] == short["warnings"]
    assert full["branches"] == short["branches"]
    assert len(full["results"]) == len(short["results"])
    for with_lines, without in zip(full["results"], short["results"]):
        assert {**with_lines, "explain": None} == {**without, "explain": None}
        assert _is_subsequence(without["explain"], with_lines["explain"])
        extra = list(with_lines["explain"])
        for line in without["explain"]:
            extra.remove(line)
        assert all(line.startswith(EVENT_LINE_STARTS) for line in extra)


def test_events_as_frame_equal_events_as_rows():
    scheme = load_scheme("party-votes-80-20")
    case = _random_case(scheme, seed=3)
    frame = pl.DataFrame(
        [{**e, "points": None if e["points"] is None else float(e["points"])} for e in case["events"]],
        schema={"subject": pl.String, "item": pl.String, "date": pl.String, "count": pl.Int64,
                "points": pl.Float64, "rating": pl.String, "fraud": pl.Boolean},
    )
    assert evaluate(scheme, {**case, "events": frame}) == evaluate(scheme, case)


def test_event_line_amounts_keep_cents():
    out = run("party-q100-3to1", [member()], [
        ev("A", "reward_other", "2025-07-03", points=1.05),
        ev("A", "reward_other", "2025-07-09", points=2.5),
        ev("A", "miss_meeting", "2025-08-01", count=2),
    ])
    lines = result(out)["explain"]
    assert "第1季度 其他积极发挥党员先锋模范作用，经支委会研究酌情加分 2 次，共 +3.55（2025-07-03、2025-07-09）" in lines
    assert "第1季度 缺席三会一课 −2 × 2 = −4（2025-08-01）" in lines


def _entered_rows(scheme, subjects: list[dict], rng: random.Random) -> list[dict]:
    """Entered scores drawn from a few values each, so that members share inputs."""
    rows = []
    for comp in scheme.components.values():
        if comp.input == "items":
            continue
        for subject in subjects:
            if not comp.applies_to(subject.get("category")) or rng.random() < 0.2:
                continue
            for period in comp.periods:
                if rng.random() < 0.15:  # a period left without a row
                    continue
                row = {"subject": subject["id"], "component": comp.id, "period": period}
                if comp.input == "grade":
                    rows.append({**row, "grade": rng.choice(list(comp.grades))})
                elif comp.input == "votes":
                    rows.append({**row, "votes": {level: rng.choice((0, 1, 3)) for level in comp.levels} | {
                        next(iter(comp.levels)): 1}})
                else:
                    high = comp.max_for(subject.get("category"))
                    values = [comp.min or 0, high, (high + (comp.min or 0)) / 2] if high is not None else [0, 5, 12]
                    for rater in (comp.raters or [None]):
                        rows.append({**row, "value": float(rng.choice(values)), **({"rater": rater} if rater else {})})
    return rows


@pytest.mark.parametrize("scheme_id", [s.id for s in list_schemes()])
def test_a_members_scoring_is_the_same_alone_or_among_others(scheme_id):
    """A member's components, total and explanation before rating are their own: evaluated with
    29 others whose inputs are often equal (one evaluation computes a value once per distinct
    input, core/engine/outcome.py ``_value``) or alone, they are the same. Some members were
    approved mid-cycle (an entered mean then skips earlier quarters) and some have a veto
    (which withholds an automatic 基础分 where the scheme says so)."""
    from core.engine.evaluate import score_case
    scheme = load_scheme(scheme_id)
    rng = random.Random(len(scheme_id))
    case = _random_case(scheme, seed=len(scheme_id)) if any(_items(scheme, k) for k in scheme.subject_kinds) else {
        "cycle": 2025, "events": [],
        "subjects": [member(f"S{i:02d}", f"B{i % 3}", kind=scheme.subject_kinds[0],
                            category=rng.choice(scheme.subject_categories or (None,))) for i in range(30)]}
    for subject in case["subjects"][::4]:
        subject["approved_on"] = "2025-05-20"
    idle = {s["id"] for s in case["subjects"][24:]}  # no events: equal inputs but for a veto (S29)
    case["events"] = [e for e in case["events"] if e["subject"] not in idle]
    case["scores"] = _entered_rows(scheme, case["subjects"], rng)
    start, _ = cycle_bounds(scheme.cycle_start, 2025)
    codes = list(scheme.vetoes)
    case["vetoes"] = [{"subject": s["id"], "item": codes[n % len(codes)], "date": (start + timedelta(days=40)).isoformat()}
                      for n, s in enumerate(case["subjects"][1::7])] if codes else []

    def scored(one: dict) -> dict:
        return {o.subject.id: (o.total, o.subtotal, o.explain, o.warnings,
                               {cid: (cv.value, cv.periods, cv.lines, cv.warnings) for cid, cv in o.components.items()})
                for group in score_case(scheme, one).outcomes.values() for o in group}

    together = scored(case)
    assert len(together) == 30
    for n, subject in enumerate(case["subjects"]):
        if n % 4 and n % 7 != 1 and n < 24:  # the approved, the vetoed and the idle, and a few others
            continue
        sid = subject["id"]
        alone = {**case, "subjects": [subject],
                 "events": [e for e in case["events"] if e["subject"] == sid],
                 "scores": [s for s in case["scores"] if s["subject"] == sid],
                 "vetoes": [v for v in case["vetoes"] if v["subject"] == sid]}
        assert scored(alone)[sid] == together[sid], sid
