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
OCCASIONAL_RATE = 0.08  # honours, articles and the like, per member-month
BREACH_SHARE = 0.05  # a breached requirement (党费 not paid in full) against an everyday deduction
# The spike branch (突击补录) enters this many times the usual deductions and awards, so that a
# month holds enough entries for the alert to judge (``alerts.MIN_EVENTS``, 20) whatever the
# day's draw: a village's own came to 10-17 a month for its 31 members, and on some days no
# month of the last three reached 20 (the demo is drawn afresh for each day).
SPIKE_BOOST = 2.5
KEEP_UP = 1.2  # most members do a little more than the yearly minimum asked of their category
BUSIEST = 4.0  # the busiest members log at most this many times the everyday average
BATCHED_FROM, BATCHED = 20, 3  # a minimum of 20 or more (走访 人次) is logged ~3 to a record
REJECT_REASONS = ["证明材料不全，请补充后重新录入", "日期与活动记录不符", "该事项已在本季度录入过", "分值超出支委会决定"]


@dataclass
class EventBatch:
    member: np.ndarray  # index into plan members
    day: np.ndarray
    item: list[str]  # item codes, one per event (object array)
    points: np.ndarray  # float, NaN for fixed items
    activity: np.ndarray  # activity id, -1 when entered by hand
    count: np.ndarray | None = None  # how many the record counts (走访 3 人次); None: one each

    @staticmethod
    def concat(batches: list[EventBatch]) -> EventBatch:
        return EventBatch(
            member=np.concatenate([b.member for b in batches]).astype(np.int32),
            day=np.concatenate([b.day for b in batches]).astype(np.int32),
            item=np.concatenate([np.asarray(b.item, dtype=object) for b in batches]),
            points=np.concatenate([b.points for b in batches]).astype(np.float64),
            activity=np.concatenate([b.activity for b in batches]).astype(np.int64),
            count=np.concatenate([b.counts() for b in batches]))

    def counts(self) -> np.ndarray:
        return self.count if self.count is not None else np.ones(len(self.member), dtype=np.int32)

    def take(self, rows: np.ndarray) -> EventBatch:
        return EventBatch(self.member[rows], self.day[rows], np.asarray(self.item, dtype=object)[rows],
                          self.points[rows], self.activity[rows], self.counts()[rows])

    def __len__(self) -> int:
        return len(self.member)


def member_items(scheme: Scheme) -> list[Item]:
    """Items a recorder enters by hand for party members, one event at a time."""
    return [i for i in scheme.items.values()
            if "member" in i.kinds and not i.automatic and i.frequency == "per_event"]


def _sign(item: Item) -> int:
    value = item.points if item.points is not None else item.max
    return 1 if value > 0 else -1


def _minimum_items(scheme: Scheme) -> dict[str, int]:
    """Items a scheme counts toward its yearly minimums (组织生活, 走访, ...), each with the
    largest minimum any category is asked for."""
    rules = scheme.minimums
    if rules is None:
        return {}
    out: dict[str, int] = {}
    for name, indicator in rules.indicators.items():
        most = max((asked.get(name, 0) for asked in rules.by_category.values()), default=0)
        for code in indicator.items:
            out[code] = max(out.get(code, 0), most)
    return out


def _per_record(scheme: Scheme) -> dict[str, int]:
    """Items whose yearly minimum is large (走访 100 人次): one record counts several, 1 to
    ``2 × n − 1`` (n on average), so a year takes a few dozen records, not hundreds."""
    return {code: BATCHED for code, most in _minimum_items(scheme).items() if most >= BATCHED_FROM}


def _routine(scheme: Scheme) -> dict[str, float]:
    """Everyday items and how often each comes up against the others:

    * zero-point activities a scheme counts toward its minimums (参加组织生活, 联系走访群众,
      参加志愿服务活动), the more often the more records the largest minimum takes (走访 150
      人次 a year, 3 人次 a record: 50; 心得 2 篇: 2);
    * one-point awards of the scheme's first items component (志愿服务 +1), all alike.
    """
    first = next((c.id for c in scheme.components.values() if c.input == "items"), None)
    counted, per_record = _minimum_items(scheme), _per_record(scheme)
    out = {}
    for item in member_items(scheme):
        if item.points == 0 and item.code in counted:
            out[item.code] = max(counted[item.code], 1) / per_record.get(item.code, 1)
        elif item.component == first and item.points is not None and 0 < item.points <= 1:
            out[item.code] = 1.0
    return out


def _breaches(scheme: Scheme) -> set[str]:
    """Zero-point items whose one occurrence costs a fixed deduction at the cycle's end
    (未及时足额缴纳党费: −5 once), so they are rare, not everyday."""
    rules = scheme.minimums
    return {r.item for r in rules.requirements} if rules is not None else set()


def _weight(item: Item) -> float:
    # Among occasional items, small amounts are common and big honours rare.
    if item.points is None:
        return 0.5
    magnitude = abs(float(item.points)) or 1.0  # a zero-point item weighs as a one-point one
    return 1 / magnitude ** 2 if item.points > 0 else 3 / magnitude


def _points(rng: np.random.Generator, item: Item, n: int) -> np.ndarray:
    if item.points is not None:
        return np.full(n, np.nan)
    lo, hi = int(item.min), int(item.max)
    steps = np.floor((hi - lo + 1) * rng.random(n) ** 2)  # small amounts are the common case
    return (lo + steps) if lo > 0 else (hi - steps)


def random_events(plan: Plan, target: float, absence_items: set[str]) -> EventBatch:
    """Hand-entered events, Poisson per member-month, in these streams:

    * deductions, at a rate that grows as the member's standing falls; breaches of a
      requirement (a fixed deduction once a cycle) much more rarely;
    * occasional awards (honours, articles, 支委会 ranges), rare for everyone;
    * what a member's category is asked to do each year (组织生活 6 次, 志愿服务 3 次, ...),
      kept up with more or less fully as the member's standing goes, so some fall short;
    * everyday items (activities counted toward minimums, one-point awards), logged heavily
      by a minority of very active members, at the rate that brings the demo to ``target``
      events. Zero-point activities only count toward the minimums; for one-point awards the
      heavy tail keeps most members' scores off the ceiling. Either way grades spread.

    Absence items are left to the attendance records, which produce them.
    """
    rng, batches, routine_members = plan.rng, [], []
    b_scheme = np.array([b.scheme_id for b in plan.branches], dtype=object)
    b_uniform = np.array([b.special == UNIFORM for b in plan.branches])
    deduction_rate = np.clip(0.3 - 0.2 * plan.m_z, 0.05, 1.2)
    b_boost = np.array([SPIKE_BOOST if b.special == SPIKE else 1.0 for b in plan.branches])
    for scheme_id in sorted(set(b_scheme)):
        scheme = plan.schemes[scheme_id]
        routine, breaches = _routine(scheme), _breaches(scheme)
        members = np.flatnonzero((b_scheme[plan.m_branch] == scheme_id) & plan.m_active
                                 & ~b_uniform[plan.m_branch])
        items = [i for i in member_items(scheme)
                 if i.code not in absence_items and i.code not in routine and i.code not in breaches]
        boost = b_boost[plan.m_branch[members]]
        for sign, lam in ((-1, deduction_rate[members] * boost), (1, OCCASIONAL_RATE * boost)):
            batches += _stream(plan, members, lam, [i for i in items if _sign(i) == sign])
        batches += _stream(plan, members, BREACH_SHARE * deduction_rate[members],
                           [i for i in member_items(scheme) if i.code in breaches])
        batches += _asked(plan, scheme, members)
        if routine:
            routine_members.append((members, [i for i in member_items(scheme) if i.code in routine], routine,
                                    _per_record(scheme)))
    drawn = sum(len(b) for b in batches)
    units = sum(_member_months(plan, members).sum() for members, *_ in routine_members)
    rate = max(target - drawn, 0) / max(units, 1.0)
    b_activity = np.array([b.activity for b in plan.branches])
    for members, pool, weights, per_record in routine_members:
        busy = np.minimum(rng.gamma(0.3, 1 / 0.3, len(members)), BUSIEST)
        lam = rate * b_activity[plan.m_branch[members]] * busy / max(busy.mean(), 1e-9)
        batches += _stream(plan, members, lam, pool, [weights[i.code] for i in pool], per_record)
    return EventBatch.concat(batches) if batches else _empty()


def _asked(plan: Plan, scheme: Scheme, members: np.ndarray) -> list[EventBatch]:
    """The activities each member's category is asked for (全年不少于), at the minimum's
    monthly rate times how fully the member keeps up: a little over it for most, short of it
    for members of weak standing."""
    rules = scheme.minimums
    if rules is None or not len(members):
        return []
    category = np.array(plan.m_category, dtype=object)[members]
    per_record = _per_record(scheme)
    keeps_up = KEEP_UP * np.exp(0.6 * plan.m_z[members] + 0.3 * plan.rng.standard_normal(len(members)))
    out = []
    for name_of_category, asked in sorted(rules.by_category.items()):
        mine = category == name_of_category
        if not mine.any():
            continue
        for indicator, minimum in sorted(asked.items()):
            code = rules.indicators[indicator].items[0]
            item = scheme.items[code]
            if "member" not in item.kinds or item.automatic:
                continue
            records = minimum / per_record.get(code, 1)
            out += _stream(plan, members[mine], records / 12 * keeps_up[mine], [item], per_record=per_record)
    return out


def _member_months(plan: Plan, members: np.ndarray) -> np.ndarray:
    last = np.minimum(plan.m_last[members], plan.last_entry_day(members))
    return np.clip(last - plan.m_first[members], 0, None) / 30.4 * np.array(
        [b.activity for b in plan.branches])[plan.m_branch[members]]


def _stream(plan: Plan, members: np.ndarray, lam: np.ndarray, pool: list[Item],
            weights: list[float] | None = None, per_record: dict[str, int] | None = None) -> list[EventBatch]:
    if not pool or not len(members):
        return []
    who, days = _draw_days(plan, members, lam)
    weights = np.array(weights if weights is not None else [_weight(i) for i in pool], dtype=np.float64)
    pick = plan.rng.choice(len(pool), size=len(who), p=weights / weights.sum())
    out = []
    for k, item in enumerate(pool):
        rows = np.flatnonzero(pick == k)
        mean = (per_record or {}).get(item.code, 1)
        count = plan.rng.integers(1, 2 * mean, len(rows)) if mean > 1 else None
        out.append(EventBatch(who[rows], days[rows], [item.code] * len(rows),
                              _points(plan.rng, item, len(rows)), np.full(len(rows), -1), count))
    return out


def _draw_days(plan: Plan, members: np.ndarray, lam: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Poisson(lam) events per member and month, each on a uniform day of that month,
    kept inside the member's time in the branch and the branch's last entry day. The day is
    drawn over the whole calendar month, so this month's events so far are the share of its
    days gone by (drawn over the days so far, on the 1st a month's events fell on that day)."""
    rng = plan.rng
    month_lo = np.array([m[0] for m in plan.months], dtype=np.int32)
    month_len = (_month_end(month_lo) - month_lo + 1).astype(np.int32)
    counts = rng.poisson(lam[:, None] * np.ones(len(month_lo))).ravel()
    who = np.repeat(np.repeat(members, len(month_lo)), counts)
    month = np.repeat(np.tile(np.arange(len(month_lo)), len(members)), counts)
    days = month_lo[month] + (rng.random(len(who)) * month_len[month]).astype(np.int32)
    keep = (days >= plan.m_first[who]) & (days <= np.minimum(plan.m_last[who], plan.last_entry_day(who)))
    return who[keep], days[keep]


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
    entered = np.minimum(entered, plan.last_entry_day(batch.member))
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
    last = np.minimum((plan.last_entry_day(batch.member) + 1) * SECONDS - 1, now)  # nothing after the branch stopped entering
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
        "count": batch.counts()[rows],
        "points": pl.Series(batch.points[rows]).fill_nan(None),
        "note": labels(["撤销：录入错误"], np.where(is_reversal, 0, -1)),
        "activity_id": pl.Series(batch.activity[rows]).replace(-1, None),
        "reverses": pl.Series(np.concatenate([np.full(n, -1), ids[originals]])).replace(-1, None),
        "source": np.where(batch.activity[rows] >= 0, "attendance", "manual"),
        "entered_by": labels([plan.recorder(b) for b in plan.branches], branch_of[rows]),
        "entered_at": pl.Series(np.concatenate([entered, np.minimum(review_at[originals] + 2 * SECONDS, last[originals])])
                                * 1_000_000).cast(pl.Datetime("us")),
    })
    return events, reviews

