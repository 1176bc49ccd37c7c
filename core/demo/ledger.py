"""Demo point events: numpy columns for every event, then their entry time, review and
the occasional reversal, turned into frames ready for ``INSERT ... SELECT``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from core.demo.plan import SPIKE, UNIFORM, Plan
from core.scheme import Item, Scheme

SECONDS = 86_400
LATE_SHARE = 0.02  # back-filled long after the date they carry
REJECT_SHARE = 0.02
REVERSE_SHARE = 0.0015
PENDING_DAYS = 14  # entries younger than this are mostly still awaiting review
REJECT_REASONS = ["证明材料不全，请补充后重新录入", "日期与活动记录不符", "该事项已在本季度录入过", "分值超出支委会决定"]


@dataclass
class EventBatch:
    member: np.ndarray  # index into plan members
    day: np.ndarray
    item: list[str]  # item codes, one per event (object array)
    points: np.ndarray  # float, NaN for fixed items
    activity: np.ndarray  # activity id, -1 when entered by hand

    @staticmethod
    def concat(batches: list[EventBatch]) -> EventBatch:
        return EventBatch(
            member=np.concatenate([b.member for b in batches]).astype(np.int32),
            day=np.concatenate([b.day for b in batches]).astype(np.int32),
            item=np.concatenate([np.asarray(b.item, dtype=object) for b in batches]),
            points=np.concatenate([b.points for b in batches]).astype(np.float64),
            activity=np.concatenate([b.activity for b in batches]).astype(np.int64))

    def __len__(self) -> int:
        return len(self.member)


def member_items(scheme: Scheme) -> list[Item]:
    """Items a recorder enters by hand for party members, one event at a time."""
    return [i for i in scheme.items.values()
            if "member" in i.kinds and not i.automatic and i.frequency == "per_event"]


def _sign(item: Item) -> int:
    value = item.points if item.points is not None else item.max
    return 1 if value > 0 else -1


def _routine(scheme: Scheme) -> set[str]:
    """Everyday one-point awards (志愿服务 +1, 践诺 +1) of the scheme's first items component;
    honours, articles and 支委会-decided ranges are occasional."""
    first = next((c.id for c in scheme.components.values() if c.input == "items"), None)
    return {i.code for i in member_items(scheme)
            if i.component == first and i.points is not None and 0 < i.points <= 1}


def _weight(item: Item, routine: set[str]) -> float:
    if item.code in routine:
        return 10.0
    if item.points is None:
        return 0.3
    magnitude = abs(float(item.points))
    return 0.5 / magnitude if item.points > 0 else 3 / magnitude


def busy_factor(scheme: Scheme) -> float:
    """Schemes with everyday small awards see frequent entries; the others only occasional ones."""
    return 1.0 if _routine(scheme) else 0.15


def _points(rng: np.random.Generator, item: Item, n: int) -> np.ndarray:
    if item.points is not None:
        return np.full(n, np.nan)
    lo, hi = int(item.min), int(item.max)
    steps = np.floor((hi - lo + 1) * rng.random(n) ** 2)  # small amounts are the common case
    return (lo + steps) if lo > 0 else (hi - steps)


def random_events(plan: Plan, rate: float) -> EventBatch:
    """Hand-entered events: Poisson counts per member-month, items drawn per scheme."""
    rng, batches = plan.rng, []
    month_lo = np.array([m[0] for m in plan.months], dtype=np.int32)
    month_len = np.array([m[1] - m[0] + 1 for m in plan.months], dtype=np.int32)
    b_activity = np.array([b.activity for b in plan.branches])
    b_cutoff = np.array([b.cutoff for b in plan.branches], dtype=np.int32)
    b_scheme = np.array([b.scheme_id for b in plan.branches], dtype=object)
    b_uniform = np.array([b.special == UNIFORM for b in plan.branches])
    negative_p = np.clip(0.08 - 0.05 * plan.m_z, 0.01, 0.3)
    for scheme_id in sorted(set(b_scheme)):
        scheme = plan.schemes[scheme_id]
        items = member_items(scheme)
        if not items:
            continue
        members = np.flatnonzero((b_scheme[plan.m_branch] == scheme_id) & plan.m_active
                                 & ~b_uniform[plan.m_branch])
        lam = rate * busy_factor(scheme) * b_activity[plan.m_branch[members]]
        lam = lam * rng.gamma(4.0, 0.25, len(members))
        counts = rng.poisson(lam[:, None] * np.ones(len(month_lo)))
        who = np.repeat(np.repeat(members, len(month_lo)), counts.ravel())
        month = np.repeat(np.tile(np.arange(len(month_lo)), len(members)), counts.ravel())
        days = month_lo[month] + (rng.random(len(who)) * month_len[month]).astype(np.int32)
        keep = (days >= plan.m_first[who]) & (days <= np.minimum(plan.m_last[who], b_cutoff[plan.m_branch[who]]))
        who, days = who[keep], days[keep]
        pools = {s: [i for i in items if _sign(i) == s] for s in (1, -1)}
        routine = _routine(scheme)
        sign = np.where(rng.random(len(who)) < negative_p[who], -1, 1)
        for s, pool in pools.items():
            chosen = np.flatnonzero(sign == s) if pool else np.array([], dtype=np.int64)
            if not len(chosen):
                continue
            weights = np.array([_weight(i, routine) for i in pool])
            pick = rng.choice(len(pool), size=len(chosen), p=weights / weights.sum())
            for k, item in enumerate(pool):
                rows = chosen[pick == k]
                batches.append(EventBatch(who[rows], days[rows], [item.code] * len(rows),
                                          _points(rng, item, len(rows)), np.full(len(rows), -1)))
    return EventBatch.concat(batches) if batches else _empty()


def labels(values: list[str], index: np.ndarray) -> pl.Series:
    """``values[index]`` as a String column, null where the index is -1 (no Python loop)."""
    return pl.Series(values, dtype=pl.String).gather(pl.Series(index, dtype=pl.Int64).replace(-1, None))


def _empty() -> EventBatch:
    return EventBatch(np.array([], np.int32), np.array([], np.int32), [], np.array([]), np.array([], np.int64))


def entry_seconds(plan: Plan, batch: EventBatch) -> np.ndarray:
    """When each event was typed in: a few days after its date, some weeks late, and in the
    spike branch all at month end (突击补录)."""
    rng, n = plan.rng, len(batch)
    lag = rng.geometric(0.4, n) - 1
    late = rng.random(n) < LATE_SHARE
    lag = np.where(late, rng.integers(30, 91, n), lag)
    entered = batch.day + lag
    spike = np.array([b.special == SPIKE for b in plan.branches])[plan.m_branch[batch.member]]
    month_end = _month_end(batch.day)
    burst = spike & (month_end <= plan.today_n)
    entered = np.where(burst, np.maximum(batch.day, month_end - rng.integers(0, 3, n)), entered)
    cutoff = np.array([b.cutoff for b in plan.branches], dtype=np.int32)[plan.m_branch[batch.member]]
    entered = np.minimum(entered, cutoff)
    return entered.astype(np.int64) * SECONDS + rng.integers(8 * 3600, 20 * 3600, n)


def _month_end(days: np.ndarray) -> np.ndarray:
    months = days.astype("datetime64[D]").astype("datetime64[M]")
    return ((months + 1).astype("datetime64[D]") - 1).astype(np.int64)


def event_frames(plan: Plan, batch: EventBatch, first_id: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The events frame (reversals appended) and the review frame, ids from ``first_id``."""
    rng, n = plan.rng, len(batch)
    ids = np.arange(first_id, first_id + n, dtype=np.int64)
    entered = entry_seconds(plan, batch)
    now = plan.today_n * SECONDS + 18 * 3600
    age_days = (now - entered) // SECONDS
    reviewed = (age_days > PENDING_DAYS) | (rng.random(n) < 0.3)
    rejected = reviewed & (rng.random(n) < REJECT_SHARE)
    review_at = np.minimum(entered + rng.integers(1, 6, n) * SECONDS, now)
    branch_of = plan.m_branch[batch.member]
    reviewers = labels([plan.reviewer(b) for b in plan.branches], branch_of)
    reason = np.where(rejected, rng.integers(0, len(REJECT_REASONS), n), -1)
    reviews = pl.DataFrame({
        "event_id": ids[reviewed],
        "decision": np.where(rejected, "rejected", "approved")[reviewed],
        "reason": labels(REJECT_REASONS, reason[reviewed]),
        "reviewed_by": reviewers.filter(pl.Series(reviewed)),
        "reviewed_at": pl.Series(review_at[reviewed] * 1_000_000).cast(pl.Datetime("us")),
    })
    reverse = reviewed & ~rejected & (age_days > 30) & (rng.random(n) < REVERSE_SHARE)
    originals = np.flatnonzero(reverse)
    rows = np.concatenate([np.arange(n), originals])
    is_reversal = np.arange(len(rows)) >= n
    events = pl.DataFrame({
        "id": np.arange(first_id, first_id + len(rows), dtype=np.int64),
        "member_id": plan.member_ids.gather(batch.member[rows]),
        "branch_code": labels([b.code for b in plan.branches], branch_of[rows]),
        "item": batch.item[rows].astype(str),
        "date": pl.Series(batch.day[rows], dtype=pl.Int32).cast(pl.Date),
        "points": pl.Series(batch.points[rows]).fill_nan(None),
        "note": labels(["撤销：录入错误"], np.where(is_reversal, 0, -1)),
        "activity_id": pl.Series(batch.activity[rows]).replace(-1, None),
        "reverses": pl.Series(np.concatenate([np.full(n, -1), ids[originals]])).replace(-1, None),
        "source": np.where(batch.activity[rows] >= 0, "attendance", "manual"),
        "entered_by": labels([plan.recorder(b) for b in plan.branches], branch_of[rows]),
        "entered_at": pl.Series(np.concatenate([entered, np.minimum(review_at[originals] + 2 * SECONDS, now)])
                                * 1_000_000).cast(pl.Datetime("us")),
    })
    return events, reviews

