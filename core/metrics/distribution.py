"""Score distributions: histogram bins, the grade bands of the schemes in view, the grade
counts against each scheme's quota, and the members whose total falls in a band.

Everything is aggregated here; a page receives bins and counts, never member-level totals
(except the paginated member list below the histogram).
"""

from __future__ import annotations

from functools import lru_cache

import polars as pl

from core.metrics import scores
from core.metrics.filters import branch_codes
from core.scheme import Scheme, load_scheme
from core.store import Store

BIN_WIDTH = 5


@lru_cache(maxsize=64)
def scheme(scheme_id: str) -> Scheme:
    return load_scheme(scheme_id)


def histogram(res: pl.DataFrame, split: str | None = None, width: int = BIN_WIDTH) -> pl.DataFrame:
    """bin (lower edge), [split column: category or branch], count. Star-only schemes have
    no total and are left out."""
    keys = ["bin"] + ([split] if split else [])
    return (res.filter(pl.col("total").is_not_null())
            .with_columns(bin=(pl.col("total") // width * width))
            .group_by(keys).agg(count=pl.len()).sort(keys))


def grade_bands(scheme_ids: list[str]) -> pl.DataFrame:
    """scheme, grade, low, high for every total-based grade band of the schemes shown."""
    rows = []
    for scheme_id in sorted(set(scheme_ids)):
        s = scheme(scheme_id)
        if s.grade_basis != "total":
            continue
        for band in s.grade_bands:
            if band.label is not None:
                rows.append({"scheme": s.name, "grade": band.label,
                             "low": float(band.min) if band.min is not None else None,
                             "high": float(band.below) if band.below is not None else None})
    return pl.DataFrame(rows, schema={"scheme": pl.String, "grade": pl.String, "low": pl.Float64, "high": pl.Float64})


def grades_against_quota(res: pl.DataFrame) -> pl.DataFrame:
    """scheme, grade (or stars), count, share (%), quota (%) where the scheme sets one."""
    rows = []
    for scheme_id, part in res.group_by("scheme"):
        s = scheme(scheme_id[0])
        n = part.height
        label = pl.coalesce(pl.col("grade"), pl.col("stars").cast(pl.String) + "星")
        counts = part.with_columns(level=label).group_by("level").len()
        quotas = {(q.grade if q.grade else f"{q.stars}星"): float(q.percent) for q in s.quotas}
        order = s.grade_names + [f"{b.label}星" for b in s.star_bands if b.label is not None]
        for level, count in sorted(counts.iter_rows(), key=lambda r: _level_rank(order, r[0])):
            rows.append({"scheme": s.name, "level": level or "无等次", "count": count,
                         "share": round(count * 100 / n, 1), "quota": quotas.get(level)})
    return pl.DataFrame(rows, schema={"scheme": pl.String, "level": pl.String, "count": pl.Int64,
                                      "share": pl.Float64, "quota": pl.Float64})


def _level_rank(order: list[str], level: str | None) -> tuple[int, int]:
    """The scheme's own order of grades and star bands; other star counts from most stars
    down; 无等次 last. (Sorting the labels themselves would put 0星 after 5星 and 不合格 first.)"""
    if level in order:
        return 0, order.index(level)
    if level and level.endswith("星") and level[:-1].isdigit():
        return 1, -int(level[:-1])
    return 2, 0


def members_in_band(store: Store, res: pl.DataFrame, low: float | None, high: float | None,
                    offset: int, limit: int) -> tuple[pl.DataFrame, int]:
    """A page of members whose total lies in [low, high), best first, with names."""
    part = res.filter(pl.col("total").is_not_null())
    if low is not None:
        part = part.filter(pl.col("total") >= low)
    if high is not None:
        part = part.filter(pl.col("total") < high)
    page = part.sort(["total", "subject"], descending=[True, False]).slice(offset, limit)
    with store.cursor() as cur:
        cur.register("band_page", page.select("subject", "branch", "category", "total", "grade", "rank"))
        named = cur.sql(
            "SELECT p.subject, m.name, o.name AS branch_name, p.category, p.total, p.grade, p.rank FROM band_page p"
            " JOIN members m ON m.id = p.subject JOIN orgs o ON o.code = p.branch ORDER BY p.total DESC, p.subject").pl()
        cur.unregister("band_page")
    return named, part.height


def _scoped_results(store: Store, scope, flt) -> pl.DataFrame:
    res, _ = scores.results(store, branch_codes(store, scope, flt), flt.cycle, flt.today)
    return scores.with_category(res, flt.category)


def view(store: Store, scope, flt, split: str | None = None) -> dict:
    """Histogram bins (split by category or branch name), the grade bands, and counts."""
    res = _scoped_results(store, scope, flt)
    if split == "branch":
        names = dict(store.all("SELECT code, name FROM orgs WHERE code = ANY(?)",
                               [res["branch"].unique().to_list()]))
        res = res.with_columns(branch=pl.col("branch").replace_strict(names, default=pl.col("branch")))
    return {"bins": histogram(res, split), "bands": grade_bands(res["scheme"].unique().to_list()),
            "scored": res.filter(pl.col("total").is_not_null()).height, "stars_only": res.filter(pl.col("total").is_null()).height}


def band_members(store: Store, scope, flt, low: float | None, high: float | None, offset: int, limit: int,
                 scheme_name: str | None = None) -> tuple[pl.DataFrame, int]:
    """Members in [low, high); with ``scheme_name``, only those that scheme grades (a band
    such as 优秀 ≥ 90 means nothing to a branch on another scheme)."""
    res = _scoped_results(store, scope, flt)
    if scheme_name is not None:
        ids = [sid for sid in res["scheme"].unique().to_list() if scheme(sid).name == scheme_name]
        res = res.filter(pl.col("scheme").is_in(ids))
    return members_in_band(store, res, low, high, offset, limit)
