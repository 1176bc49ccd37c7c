"""Township participation targets (参与率目标) per organisation and subject kind.

A target is a percent of a kind's subjects (党员, 户, 义工 …) who take part in a period. It is
set on any organisation; a branch takes the one of the nearest organisation up its tree, as
schemes are found (core.scheme_assignments), so a township sets 党员 100% and 户 50% and a
示范村 carries its own 户 70%. Participation is 总览's own figure (core.metrics.activity
.participation), counted by kind: an approved entry or an attendance in the period over the
active, non-exempt subjects of that kind.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import polars as pl

from core import audit
from core.auth import require, scope_for
from core.auth.scope import Scope
from core.metrics import activity
from core.metrics.filters import Filter, branch_where
from core.services.entry_rules import EntryError
from core.store import Store
from core.subjects import HOUSEHOLD_KINDS

# target kind → (its name on screen, the ``members.kind`` values it counts)
KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "member": ("党员", ("member",)),
    "household": ("户", HOUSEHOLD_KINDS),
    "resident": ("村民", ("resident",)),
    "unit": ("商户/社团", ("unit",)),
    "volunteer": ("义工", ("volunteer",)),
}
KIND_NAMES = {k: v[0] for k, v in KINDS.items()}


def _percent(value) -> Decimal:
    try:
        percent = Decimal(str(value).strip().rstrip("%"))
    except (InvalidOperation, ValueError):
        raise EntryError(f"目标参与率「{value}」不是数字") from None
    if not percent.is_finite() or not 0 <= percent <= 100:
        raise EntryError(f"目标参与率应在 0 到 100 之间（%），「{value}」超出范围")
    return percent.quantize(Decimal("0.01"))


def set_target(store: Store, user, org_code: str, kind: str, percent) -> None:
    """Set (or, with ``percent`` None, remove) the organisation's target for a kind. A township
    sets them in its subtree, an admin anywhere; audited with the value before and after."""
    require(user, "set_targets")
    if kind not in KINDS:
        raise EntryError(f"未知的积分对象类别「{kind}」")
    scope_for(store, user).check_org(store, org_code)
    value = None if percent is None else _percent(percent)
    before = store.scalar("SELECT percent FROM participation_targets WHERE org_code = ? AND subject_kind = ?",
                          [org_code, kind])

    def work(cur):
        if value is None:
            cur.execute("DELETE FROM participation_targets WHERE org_code = ? AND subject_kind = ?",
                        [org_code, kind]).fetchall()
        else:
            cur.execute("INSERT INTO participation_targets(org_code, subject_kind, percent, set_by) VALUES (?, ?, ?, ?)"
                        " ON CONFLICT (org_code, subject_kind) DO UPDATE SET percent = excluded.percent,"
                        " set_by = excluded.set_by, set_at = excluded.set_at",
                        [org_code, kind, value, user.username]).fetchall()
        audit.record(cur, user.username, "targets.set", entity="participation_target", entity_id=f"{org_code}:{kind}",
                     org_code=org_code, before={"kind": kind, "percent": before}, after={"kind": kind, "percent": value})

    store.write(work)


def targets_set(store: Store, scope: Scope) -> pl.DataFrame:
    """org, name, kind, percent: the targets set on organisations in ``scope`` (for the page)."""
    where, params = scope.sql("o")
    return store.frame(
        f"SELECT t.org_code AS org, o.name, t.subject_kind AS kind, CAST(t.percent AS DOUBLE) AS percent"
        f" FROM participation_targets t JOIN orgs o ON o.code = t.org_code WHERE {where}"
        f" ORDER BY o.path, t.subject_kind", params)


def branch_targets(store: Store, codes: list[str]) -> dict[tuple[str, str], tuple[float, str]]:
    """(branch, kind) → (percent, the organisation it is set on): the nearest up the tree."""
    rows = store.all(
        """SELECT branch, kind, percent, org FROM (
             SELECT b.code AS branch, t.subject_kind AS kind, CAST(t.percent AS DOUBLE) AS percent, o.code AS org,
                    row_number() OVER (PARTITION BY b.code, t.subject_kind ORDER BY length(o.path) DESC) AS rn
             FROM orgs b JOIN orgs o ON starts_with(b.path, o.path)
             JOIN participation_targets t ON t.org_code = o.code
             WHERE b.code = ANY(?)) x
           WHERE rn = 1""", [list(codes)])
    return {(b, k): (p, o) for b, k, p, o in rows}


_SCHEMA = {"branch": pl.String, "name": pl.String, "kind": pl.String, "kind_name": pl.String, "base": pl.Int64,
           "participants": pl.Int64, "rate": pl.Float64, "target": pl.Float64, "target_org": pl.String,
           "below": pl.Boolean}


def participation_by_kind(store: Store, scope: Scope, flt: Filter, kinds=None) -> pl.DataFrame:
    """Per branch and kind (``kinds``, else every kind with a target set for a branch in the
    filter) with subjects: base, participants, rate (%), target (%, null where none is set),
    the organisation that set it, and ``below`` (participants × 100 < target × base, so 7 of 10
    meets 70% exactly, with no rounding in between)."""
    where, params = branch_where(scope, flt, "b")
    codes = [r[0] for r in store.all(f"SELECT b.code FROM orgs b WHERE {where}", params)]
    targets = branch_targets(store, codes)
    wanted = [k for k in KINDS if (k in kinds if kinds is not None else any(key[1] == k for key in targets))]
    rows = []
    for kind in wanted:
        part = activity.participation(store, scope, flt, kinds=KINDS[kind][1])
        for r in part.iter_rows(named=True):
            if not r["base"]:
                continue
            percent, org = targets.get((r["branch"], kind), (None, None))
            rows.append({"branch": r["branch"], "name": r["name"], "kind": kind, "kind_name": KIND_NAMES[kind],
                         "base": r["base"], "participants": r["participants"], "rate": r["rate"],
                         "target": percent, "target_org": org,
                         "below": percent is not None and r["participants"] * 100 < percent * r["base"]})
    order = {k: i for i, k in enumerate(KINDS)}  # 党员, 户, 村民 … as KINDS lists them
    return pl.DataFrame(rows, schema=_SCHEMA).sort(pl.col("branch"), pl.col("kind").replace_strict(order))


def participation_vs_target(store: Store, scope: Scope, flt: Filter) -> pl.DataFrame:
    """``participation_by_kind`` where a target applies."""
    return participation_by_kind(store, scope, flt).filter(pl.col("target").is_not_null())


def below_target(store: Store, scope: Scope, flt: Filter) -> pl.DataFrame:
    """The rows of ``participation_vs_target`` below their target (总览「参与率未达目标」)."""
    return participation_vs_target(store, scope, flt).filter(pl.col("below"))
