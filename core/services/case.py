"""The SCHEMES.md case for branches, read from the store: subjects, effective events,
entered scores, vetoes and history.

One builder serves both uses: ``build_case`` gives one branch's case as plain JSON (the
``case`` CLI verb and the results page), and ``evaluate_scope`` evaluates many branches at
once with the events as a Polars frame, one engine call per scheme, for county-wide
dashboards and the benchmark.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal

import polars as pl

from core.cycles import PERIODS, cycle_bounds, period_bounds
from core.engine import evaluate
from core.scheme import Scheme
from core.scheme_assignments import Assignment, NoSchemeError, scheme_for_cycle
from core.services.appraisal import CURRENT_SCORES_SQL
from core.services.ledger import EFFECTIVE_EVENTS_SQL
from core.services.vetoes import CURRENT_VETOES_SQL
from core.store import Store


@dataclass(frozen=True)
class SchemeGroup:
    """Branches that share one scheme (same id, version and overrides) for a cycle."""

    scheme: Scheme
    assignment: Assignment
    branches: tuple[str, ...]


def _placeholders(values) -> str:
    return ", ".join("?" for _ in values)


def _number(value):
    """DECIMAL → the plainest JSON number: 3.00 → 3, 2.50 → 2.5."""
    if value is None:
        return None
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def group_by_scheme(store: Store, branch_codes, cycle: int, today: dt.date | None = None
                    ) -> tuple[list[SchemeGroup], dict[str, str]]:
    """Branches grouped by the scheme governing ``cycle``; branches without one are
    returned separately with the reason, so a county view can list them."""
    groups: dict[tuple, list] = {}
    missing: dict[str, str] = {}
    for code in branch_codes:
        try:
            scheme, assignment = scheme_for_cycle(store, code, cycle, today)
        except NoSchemeError as exc:
            missing[code] = str(exc)
            continue
        key = (assignment.scheme_id, scheme.version, repr(assignment.overrides))
        groups.setdefault(key, [scheme, assignment, []])[2].append(code)
    return [SchemeGroup(s, a, tuple(b)) for s, a, b in groups.values()], missing


def read_case(store: Store, scheme: Scheme, branch_codes, cycle: int, *, upto: dt.date | None = None,
              frames: bool = False) -> dict:
    """The case for ``branch_codes`` under ``scheme``. ``upto`` cuts the data at a period's
    end (a quarter's running tally); ``frames`` returns events as a Polars frame."""
    branches = list(branch_codes)
    start, end = cycle_bounds(scheme.cycle_start, cycle)
    last = min(end, upto) if upto else end
    subjects = _subjects(store, branches, start, end)
    ids = [s["id"] for s in subjects]
    return {
        "cycle": cycle,
        "subjects": subjects,
        "events": _events(store, ids, start, last, frames),
        "scores": _scores(store, scheme, ids, cycle, last),
        "vetoes": _vetoes(store, ids, start, last),
        "history": _history(store, scheme, ids, cycle),
    }


def _subjects(store: Store, branches: list[str], start: dt.date, end: dt.date) -> list[dict]:
    """Active and exempt members who belonged to one of ``branches`` during the cycle.

    A member who moved during the cycle is counted once, in the branch they were in last,
    so no member is ranked (or put in a quota base) twice. A member without any branch
    history (typed in by hand) is taken at their current branch.
    """
    if not branches:
        return []
    marks = _placeholders(branches)
    rows = store.all(
        f"""
        WITH spans AS (
          SELECT member_id, branch_code
          FROM member_branch_history
          WHERE from_date <= ? AND (to_date IS NULL OR to_date >= ?)
          QUALIFY row_number() OVER (PARTITION BY member_id ORDER BY from_date DESC, to_date DESC NULLS FIRST) = 1
        )
        SELECT m.id, m.name, coalesce(s.branch_code, m.branch_code) AS branch, m.kind, m.category,
               m.probationary, m.status = 'exempt', m.joined_branch, m.approved_on
        FROM members m LEFT JOIN spans s ON s.member_id = m.id
        WHERE m.status IN ('active', 'exempt')
          AND (s.branch_code IN ({marks})
               OR (m.branch_code IN ({marks})
                   AND NOT EXISTS (SELECT 1 FROM member_branch_history h WHERE h.member_id = m.id)))
        ORDER BY branch, m.id
        """,
        [end, start, *branches, *branches],
    )
    return [
        {"id": r[0], "name": r[1], "branch": r[2], "kind": r[3], "category": r[4], "probationary": bool(r[5]),
         "exempt": bool(r[6]), "joined_branch": r[7].isoformat() if r[7] else None,
         "approved_on": r[8].isoformat() if r[8] else None}
        for r in rows
    ]


def _events(store: Store, ids: list[str], start: dt.date, end: dt.date, frames: bool):
    with store.cursor() as cur:
        cur.register("case_subjects", pl.DataFrame({"id": ids}, schema={"id": pl.String}))
        frame = cur.sql(
            "SELECT ev.member_id AS subject, ev.item, ev.date, ev.count, ev.points, ev.rating, ev.fraud"
            f" FROM ({EFFECTIVE_EVENTS_SQL}) ev SEMI JOIN case_subjects s ON s.id = ev.member_id"
            " WHERE ev.date BETWEEN ? AND ? ORDER BY ev.id",
            params=[start, end],
        ).pl()
        cur.unregister("case_subjects")
    if frames:
        return frame.with_columns(pl.col("count").cast(pl.Int64), pl.col("points").cast(pl.Float64))
    return [
        {"subject": r["subject"], "item": r["item"], "date": r["date"].isoformat(), "count": _number(r["count"]),
         "points": _number(r["points"]), "rating": r["rating"], "fraud": bool(r["fraud"])}
        for r in frame.iter_rows(named=True)
    ]


def _period_started(scheme: Scheme, cycle: int, period: str, last: dt.date) -> bool:
    """Whether a score row's period has begun by ``last`` (a date-named period is that day)."""
    if period in PERIODS:
        return period_bounds(scheme.cycle_start, cycle, period)[0] <= last
    try:
        return dt.date.fromisoformat(period) <= last
    except ValueError:
        return True  # let the engine name the bad period


def _scores(store: Store, scheme: Scheme, ids: list[str], cycle: int, last: dt.date) -> list[dict]:
    """The latest entry per (member, component, period, rater); an entry saved empty clears it."""
    if not ids:
        return []
    rows = store.all(
        f"""
        SELECT member_id, component, period, value, grade, votes, rater FROM ({CURRENT_SCORES_SQL})
        WHERE cycle = ? AND member_id IN ({_placeholders(ids)})
        ORDER BY member_id, component, period, rater NULLS FIRST
        """,
        [cycle, *ids],
    )
    out = []
    for member, component, period, value, grade, votes, rater in rows:
        if value is None and grade is None and votes is None:
            continue
        if not _period_started(scheme, cycle, period, last):
            continue
        out.append({"subject": member, "component": component, "period": period, "value": _number(value),
                    "grade": grade, "votes": json.loads(votes) if votes else None, "rater": rater})
    return out


def _vetoes(store: Store, ids: list[str], start: dt.date, end: dt.date) -> list[dict]:
    """Vetoes in the cycle that have not been revoked (a revocation is a row that reverses one)."""
    if not ids:
        return []
    rows = store.all(
        f"""
        SELECT member_id, item, date FROM ({CURRENT_VETOES_SQL})
        WHERE date BETWEEN ? AND ? AND member_id IN ({_placeholders(ids)})
        ORDER BY member_id, date, id
        """,
        [start, end, *ids],
    )
    return [{"subject": m, "item": item, "date": day.isoformat()} for m, item, day in rows]


def _history(store: Store, scheme: Scheme, ids: list[str], cycle: int) -> list[dict]:
    """Earlier cycles' grades for streak rules: the latest row per member and cycle.

    A grade another scheme used (say 良好 under a scheme without it) means nothing to this
    scheme's streak rules, so it is passed on as no grade; the stars are kept.
    """
    if not ids:
        return []
    rows = store.all(
        f"""
        SELECT member_id, cycle, grade, stars FROM cycle_history
        WHERE cycle < ? AND member_id IN ({_placeholders(ids)})
        QUALIFY row_number() OVER (PARTITION BY member_id, cycle ORDER BY recorded_at DESC) = 1
        ORDER BY member_id, cycle
        """,
        [cycle, *ids],
    )
    names = set(scheme.grade_names)
    out = []
    for member, past, grade, stars in rows:
        grade = grade if grade in names else None
        if grade is not None or stars is not None:
            out.append({"subject": member, "cycle": past, "grade": grade, "stars": stars})
    return out


def build_case(store: Store, branch_code: str, cycle: int, *, today: dt.date | None = None,
               upto: dt.date | None = None) -> tuple[Scheme, dict]:
    """One branch's case in the SCHEMES.md format, under the scheme governing the cycle.

    Raises ``NoSchemeError`` (a Chinese message) for an unknown branch or one without a scheme.
    """
    scheme, _ = scheme_for_cycle(store, branch_code, cycle, today)
    return scheme, read_case(store, scheme, [branch_code], cycle, upto=upto)


def evaluate_scope(store: Store, branch_codes, cycle: int, *, today: dt.date | None = None,
                   explain: bool = False) -> dict:
    """Evaluate many branches at once: one engine call per scheme, events as a frame.

    Returns ``{"cycle", "results", "warnings", "branches", "schemes", "missing"}``: the
    engine's lists concatenated over the schemes, ``schemes`` naming each scheme and its
    branches, and ``missing`` the branches that have no scheme (code → reason).
    """
    groups, missing = group_by_scheme(store, branch_codes, cycle, today)
    out = {"cycle": cycle, "results": [], "warnings": [], "branches": [], "schemes": [], "missing": missing}
    for group in groups:
        case = read_case(store, group.scheme, group.branches, cycle, frames=True)
        result = evaluate(group.scheme, case, explain=explain)
        out["results"] += result["results"]
        out["warnings"] += result["warnings"]
        out["branches"] += result["branches"]
        out["schemes"].append({"scheme": group.scheme.id, "scheme_version": group.scheme.version,
                               "name": group.scheme.name, "branches": list(group.branches)})
    return out
