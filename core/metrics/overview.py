"""总览 KPIs in one call: members, participation (month and quarter), attendance, branches
with a 公示 this quarter, average score and the grade distribution against quotas."""

from __future__ import annotations

import datetime as dt

import polars as pl

from core.auth.scope import Scope
from core.metrics import activity, coverage, distribution, scores
from core.metrics.filters import Filter, branch_codes, month_key, period_range, quarter_key
from core.store import Store


def _overall(frame: pl.DataFrame, part: str, whole: str) -> float | None:
    total = frame[whole].sum()
    return round(frame[part].sum() * 100 / total, 1) if total else None


def kpis(store: Store, scope: Scope, flt: Filter) -> dict:
    month, quarter = flt.with_period(month_key(flt.today)), flt.with_period(quarter_key(flt.today))
    last_quarter = flt.with_period(quarter_key(period_range(quarter.period)[0] - dt.timedelta(days=1)))
    res, _ = scores.results(store, branch_codes(store, scope, flt), flt.cycle, flt.today)
    res = scores.with_category(res, flt.category)
    totals = res.filter(pl.col("total").is_not_null())["total"]
    return {
        "members": activity.members_in_scope(store, scope, flt),
        "participation_month": _overall(activity.participation(store, scope, month), "participants", "base"),
        "participation_quarter": _overall(activity.participation(store, scope, quarter), "participants", "base"),
        "participation_last_quarter": _overall(activity.participation(store, scope, last_quarter), "participants", "base"),
        "last_quarter": last_quarter.period,
        "attendance": _overall(activity.attendance(store, scope, flt), "present", "expected"),
        "published": coverage.published(store, scope, quarter),
        "average": round(totals.mean(), 1) if totals.len() else None,
        "scored": res.height,
        "grades": distribution.grades_against_quota(res),
    }
