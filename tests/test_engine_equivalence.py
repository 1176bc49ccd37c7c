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
