"""The SCHEMES.md case for branches, read from the store: subjects, effective events,
entered scores, vetoes and history.

One builder serves both uses: ``build_case`` gives one branch's case as plain JSON (the
``case`` CLI verb and the results page), and ``core.metrics.scores`` reads many branches at
once with the events as a Polars frame, one engine call per scheme, for county-wide
dashboards and the benchmark. Both resolve schemes with ``group_by_scheme`` and read with
``read_cases``, which reads every group's rows of a table in one query (a county is ~2M
events: a query per scheme group, or two per branch for its scheme, costs seconds).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass
from decimal import Decimal

import polars as pl

from core import bounds
from core.cycles import PERIODS, cycle_bounds, period_bounds
from core.scheme import Scheme
from core.scheme_assignments import Assignment, Assignments, NoSchemeError, scheme_for_cycle, track_of_kind
from core.store import Store
from core.store.bulk import large
from core.supermarket.rules import LIVE_EXCHANGES_SQL, spends

# The columns of the frame every read below joins to: a subject of one group's case.
# ``first`` is where the subject's events are read from: the cycle's start, or for a scheme
# whose 积分超市 never clears points (``cumulative``) every earlier cycle too.
CASE_SUBJECTS = {"grp": pl.Int64, "id": pl.String, "branch": pl.String, "start": pl.Date, "last": pl.Date,
                 "first": pl.Date}


@dataclass(frozen=True)
class SchemeGroup:
    """Branches that share one scheme (same id, version and overrides) for a cycle."""

    scheme: Scheme
    assignment: Assignment
    branches: tuple[str, ...]
    track: str = "party"  # the subject kinds the scheme scores (``track_of_kind``)


def plain_number(value):
    """DECIMAL → the plainest JSON number: 3.00 → 3, 2.50 → 2.5."""
    if value is None:
        return None
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def group_by_scheme(store: Store, branch_codes, cycle: int, today: dt.date | None = None,
                    track: str = "party") -> tuple[list[SchemeGroup], dict[str, str]]:
    """Branches grouped by the scheme of ``track`` governing ``cycle``; branches without one
    are returned separately with the reason, so a county view can list them."""
    today = today or dt.date.today()
    codes = list(branch_codes)
    assignments = Assignments(store, codes, track)
    groups: dict[tuple, list] = {}
    missing: dict[str, str] = {}
    for code in codes:
        try:
            scheme, assignment = (assignments.for_cycle(code, cycle, today)
                                  or scheme_for_cycle(store, code, cycle, today, track))
        except NoSchemeError as exc:
            missing[code] = str(exc)
            continue
        key = assignment.scheme_key(scheme)
        groups.setdefault(key, [scheme, assignment, []])[2].append(code)
    return [SchemeGroup(s, a, tuple(b), track) for s, a, b in groups.values()], missing


def read_cases(store: Store, groups: list[SchemeGroup], cycle: int, *, upto: dt.date | None = None,
               frames: bool = False) -> list[dict]:
    """The case of each group, in order. ``upto`` cuts the data at a period's end (a
    quarter's running tally); ``frames`` returns events as a Polars frame.

    A group whose subjects spend points at the 积分超市 (``core.supermarket.rules.spends``)
    also gets its live ``exchanges``, and under a scheme that never clears points
    (``cumulative``) its subjects' earlier cycles' events, from which the engine computes
    ``cumulative`` and ``balance``; a party group reads neither, so a party county's
    evaluate costs what it did."""
    if not groups:
        return []
    windows = []
    for group in groups:
        start, end = cycle_bounds(group.scheme.cycle_start, cycle)
        first = bounds.EARLIEST if group.scheme.cumulative and spends(group.scheme, group.track) else start
        windows.append((start, end, min(end, upto) if upto else end, first))
    subjects = _subjects(store, groups, windows)
    keys = pl.DataFrame(
        [(i, s["id"], s["branch"], windows[i][0], windows[i][2], windows[i][3])
         for i, part in enumerate(subjects) for s in part],
        schema=CASE_SUBJECTS, orient="row")
    market = [i for i, group in enumerate(groups) if spends(group.scheme, group.track)]
    with store.cursor() as cur:
        cur.register("case_subjects", keys)
        events = _events(cur, groups, windows, keys, frames)
        scores = _scores(cur, groups, cycle, windows)
        vetoes = _vetoes(cur, len(groups))
        history = _history(cur, groups, cycle)
        exchanges = _exchanges(cur, len(groups), market)
        cur.unregister("case_subjects")
    out = [{"cycle": cycle, "subjects": subjects[i], "events": events[i], "scores": scores[i],
            "vetoes": vetoes[i], "history": history[i]} for i in range(len(groups))]
    for i in market:
        out[i]["exchanges"] = exchanges[i]
    return out


def _by_group(rows, count: int) -> list[list]:
    """Rows whose first column is the group index → one list per group, order kept."""
    out: list[list] = [[] for _ in range(count)]
    for row in rows:
        out[row[0]].append(row[1:])
    return out


def _subjects(store: Store, groups: list[SchemeGroup], windows: list[tuple]) -> list[list[dict]]:
    """Active and exempt members who belonged to one of a group's branches during its cycle.

    A member who moved during the cycle is counted once, in the branch they were in last,
    so no member is ranked (or put in a quota base) twice. A member without any branch
    history (typed in by hand) is taken at their current branch. One query per cycle
    window (the schemes start on 01-01 or 07-01).
    """
    out: list[list[dict]] = [[] for _ in groups]
    for start, end in sorted({w[:2] for w in windows}):
        # a branch may be in two groups (its party scheme and its village one): a member goes
        # to the group of their kind's track, among those of this window
        group_of = {(code, g.track): i for i, g in enumerate(groups) if windows[i][:2] == (start, end)
                    for code in g.branches}
        branches = sorted({code for code, _ in group_of})
        rows = store.all(
            """
            WITH spans AS (
              SELECT member_id, branch_code FROM (
                SELECT member_id, branch_code, row_number() OVER (
                         PARTITION BY member_id ORDER BY from_date DESC, to_date DESC NULLS FIRST) AS rn
                FROM member_branch_history
                WHERE from_date <= ? AND (to_date IS NULL OR to_date >= ?)
                  -- only members with a span in the asked branches can end there (their
                  -- other spans still decide which one is last)
                  AND member_id IN (SELECT member_id FROM member_branch_history WHERE branch_code = ANY(?))) h
              WHERE rn = 1
            ),
            picked AS (  -- two disjoint sets: a member without history has no span
              SELECT member_id AS id, branch_code AS branch FROM spans WHERE branch_code = ANY(?)
              UNION ALL
              SELECT id, branch_code FROM members x WHERE branch_code = ANY(?)
                AND NOT EXISTS (SELECT 1 FROM member_branch_history h WHERE h.member_id = x.id)
            )
            SELECT m.id, m.name, p.branch, m.kind, m.category,
                   m.probationary, m.status = 'exempt', m.joined_branch, m.approved_on
            FROM picked p JOIN members m ON m.id = p.id
            WHERE m.status IN ('active', 'exempt')
            ORDER BY p.branch, m.id
            """,
            [end, start, branches, branches, branches],
        )
        for r in rows:
            i = group_of.get((r[2], track_of_kind(r[3])))
            if i is None:
                continue  # a village's households are scored by its village scheme, not its party one
            out[i].append(
                {"id": r[0], "name": r[1], "branch": r[2], "kind": r[3], "category": r[4],
                 "probationary": bool(r[5]), "exempt": bool(r[6]),
                 "joined_branch": r[7].isoformat() if r[7] else None,
                 "approved_on": r[8].isoformat() if r[8] else None})
    return out


# The asked branches' events, each window's branches over their window. The outer ``BETWEEN``
# bounds (first and last code, first and last day) say nothing the windows do not, but DuckDB
# prunes row groups by them (zone maps keep each column's min and max, not its set of values).
# Count and points come as doubles (DECIMAL(12, 2): exact to the hundredth the engine keeps):
# sent as NUMERIC, PostgreSQL wrote each as text and the client parsed it back.
_EVENTS_SQL = (
    "SELECT f.branch_code AS branch, f.event_id AS id, f.member_id AS subject, f.item, f.date,"
    " CAST(f.count AS DOUBLE PRECISION) AS count, CAST(f.points AS DOUBLE PRECISION) AS points, f.rating, f.fraud"
    " FROM effective_events f"
    " WHERE f.branch_code BETWEEN ? AND ? AND f.date BETWEEN ? AND ? AND ({windows})")
_WINDOW = "(f.branch_code = ANY(?) AND f.date BETWEEN ? AND ?)"


@functools.cache
def _events_sql(windows: int) -> str:
    """The events of ``windows`` windows; a county's events are ~800k rows at M: read by the
    engine's way for large frames (core.store.bulk)."""
    return large(_EVENTS_SQL.format(windows=" OR ".join([_WINDOW] * windows)))


def _events(cur, groups: list[SchemeGroup], windows: list[tuple], keys: pl.DataFrame, frames: bool) -> list:
    """Each subject's effective events in its group's window: one query for all groups.
    Only the events the subject's branch entered: a moved member's earlier points stay with
    the branch that entered them, as their scores and vetoes do.

    The rule (approved, not a reversal, not reversed) is kept by the writes in the
    ``effective_events`` rollup (``rollups.refresh_effective``), which since migration 10 also
    carries each counting event's item, count, points, rating and fraud flag: the query reads
    the rollup alone, never ``events`` (PostgreSQL at M: joining the rollup to its events and
    every review cost 3.9 s of the county evaluate's 6.9 s, and the later join back to
    ``events`` for the columns about 0.9 s). The asked branches' window comes first (an index
    range on PostgreSQL; on DuckDB the branch bounds let zone maps skip other counties' row
    groups), so a county's cost does not grow with other counties' events. Schemes whose
    cycles start on other days (01-01, 07-01) have other windows: each window's branches are
    asked over their own window (one OR term each), inside outer bounds for the zone maps.
    One window spanning both made PostgreSQL read and join 1.22M rows of a county at M for the
    0.80M in them (its events query: 0.77–1.29 s → 0.64–0.70 s of server time, one bitmap
    scan per window; DuckDB's 163 → 215 ms, whose join had filtered the extra rows cheaply).
    The rows are sorted in Polars (PostgreSQL's default work_mem sorted them on disk).
    """
    spans: dict[tuple, list[str]] = {}  # (first day, last day) → the branches read over it
    for group, (_, _, last, first) in zip(groups, windows):
        spans.setdefault((first, last), []).extend(group.branches)
    every = sorted(code for branches in spans.values() for code in branches)
    params = [every[0], every[-1], min(first for first, _ in spans), max(last for _, last in spans)]
    for (first, last), branches in sorted(spans.items()):
        params += [branches, first, last]
    frame = cur.sql(_events_sql(len(spans)), params=params).pl()
    # Each event goes to its member's group, if its member is a subject there (one branch may
    # be in two groups, a party one and a village one, over two windows). Joined here, not in
    # the query, where PostgreSQL hashed the county's 0.8M rows on two text keys: its CPU for
    # the query 0.70-1.01 → 0.65-0.80 s at M, against 0.12-0.15 s for this join; DuckDB the same
    # either way.
    subjects = keys.lazy().select("grp", pl.col("id").alias("subject"), pl.col("branch").alias("_in"), "first", "last")
    frame = (frame.lazy().join(subjects, on="subject")
             .filter(pl.col("branch") == pl.col("_in"), pl.col("date").is_between(pl.col("first"), pl.col("last")))
             .select("grp", "id", "subject", "item", "date", "count", "points", "rating", "fraud").collect())
    # in id order by one key (Polars sorts by two keys ten times slower: 0.5 s at M), taken
    # through the key's order: ``frame.sort("id")`` took as long but left the app process 160 MB
    # larger at M (454 against 314 MB after the sort, 497 against 375 MB at its peak)
    frame = frame[frame["id"].arg_sort()]
    # each group's part keeps the id order (partition_by keeps the frame's order)
    parts = frame.drop("id").partition_by("grp", as_dict=True, include_key=False, maintain_order=True)
    empty = frame.drop("grp", "id").clear()
    out = [parts.get((i,), empty) for i in range(len(groups))]
    if frames:
        return out
    return [[{"subject": r["subject"], "item": r["item"], "date": r["date"].isoformat(), "count": plain_number(r["count"]),
              "points": plain_number(r["points"]), "rating": r["rating"], "fraud": bool(r["fraud"])}
             for r in part.iter_rows(named=True)] for part in out]


def _exchanges(cur, count: int, market: list[int]) -> list[list[dict]]:
    """The live 积分超市 exchanges (not an undo, not undone) of the subjects of the groups that
    spend points, up to each subject's last day; the engine keeps the ones its scheme counts
    (this cycle's, or every one for a cumulative scheme). Groups without a supermarket (a
    party county) read nothing here."""
    out: list[list[dict]] = [[] for _ in range(count)]
    if not market:
        return out
    rows = cur.execute(
        f"SELECT s.grp, x.subject_id, x.date, x.points FROM ({LIVE_EXCHANGES_SQL}) x"
        " JOIN case_subjects s ON s.id = x.subject_id AND x.date BETWEEN s.first AND s.last"
        " WHERE s.grp = ANY(?) ORDER BY s.grp, x.subject_id, x.date, x.id", [market]).fetchall()
    for grp, subject, day, points in rows:
        out[grp].append({"subject": subject, "date": day.isoformat(), "points": plain_number(points)})
    return out


def _period_started(scheme: Scheme, cycle: int, period: str, last: dt.date) -> bool:
    """Whether a score row's period has begun by ``last`` (a date-named period is that day)."""
    if period in PERIODS:
        return period_bounds(scheme.cycle_start, cycle, period)[0] <= last
    try:
        return dt.date.fromisoformat(period) <= last
    except ValueError:
        return True  # let the engine name the bad period


def _scores(cur, groups: list[SchemeGroup], cycle: int, windows: list[tuple]) -> list[list[dict]]:
    """The latest entry per (member, component, period, rater) entered by the subject's own
    branch (a moved member's scores from an earlier branch stay there); an entry saved
    empty clears it. ``CURRENT_SCORES_SQL``'s rule, taken over the subjects' rows of the
    cycle only (both are part of its key, so the latest row of each key is the same). One
    window over the cycle's rows: PostgreSQL ran ``id IN (SELECT max(id) ... GROUP BY)`` as
    32k index lookups (M: 400 ms → 200 ms; DuckDB the same either way)."""
    rows = cur.execute(
        """
        SELECT s.grp, sc.member_id, sc.component, sc.period, sc.value, sc.grade, sc.votes, sc.rater
        FROM (SELECT member_id, branch_code, component, period, value, grade, votes, rater, row_number() OVER (
                       PARTITION BY member_id, component, period, rater ORDER BY id DESC) AS rn
              FROM scores WHERE cycle = ? AND member_id IN (SELECT id FROM case_subjects)) sc
        JOIN case_subjects s ON s.id = sc.member_id AND s.branch = sc.branch_code
        WHERE sc.rn = 1
        ORDER BY s.grp, sc.member_id, sc.component, sc.period, sc.rater NULLS FIRST
        """,
        [cycle],
    ).fetchall()
    started: dict[tuple[int, str], bool] = {}
    out: list[list[dict]] = [[] for _ in groups]
    for grp, member, component, period, value, grade, votes, rater in rows:
        if value is None and grade is None and votes is None:
            continue
        if (grp, period) not in started:
            started[grp, period] = _period_started(groups[grp].scheme, cycle, period, windows[grp][2])
        if started[grp, period]:
            out[grp].append({"subject": member, "component": component, "period": period, "value": plain_number(value),
                             "grade": grade, "votes": json.loads(votes) if votes else None, "rater": rater})
    return out


def _vetoes(cur, count: int) -> list[list[dict]]:
    """Vetoes the subject's own branch recorded in the window that have not been revoked (a
    revocation is a row that reverses one, wherever it was entered): ``CURRENT_VETOES_SQL``
    over the subjects' rows only."""
    rows = cur.execute(
        """
        SELECT s.grp, v.member_id, v.item, v.date FROM vetoes v
        JOIN case_subjects s ON s.id = v.member_id AND s.branch = v.branch_code AND v.date BETWEEN s.start AND s.last
        WHERE v.reverses IS NULL AND NOT EXISTS (SELECT 1 FROM vetoes x WHERE x.reverses = v.id)
        ORDER BY s.grp, v.member_id, v.date, v.id
        """
    ).fetchall()
    return [[{"subject": m, "item": item, "date": day.isoformat()} for m, item, day in part]
            for part in _by_group(rows, count)]


def _history(cur, groups: list[SchemeGroup], cycle: int) -> list[list[dict]]:
    """Earlier cycles' grades for streak rules: the latest row per member and cycle.

    A grade another scheme used (say 良好 under a scheme without it) means nothing to this
    scheme's streak rules, so it is passed on as no grade; the stars are kept.
    """
    rows = cur.execute(
        """
        WITH h AS (SELECT member_id, cycle, grade, stars FROM (
                     SELECT member_id, cycle, grade, stars, row_number() OVER (
                              PARTITION BY member_id, cycle ORDER BY recorded_at DESC) AS rn
                     FROM cycle_history WHERE cycle < ? AND member_id IN (SELECT id FROM case_subjects)) x
                   WHERE rn = 1)
        SELECT s.grp, h.member_id, h.cycle, h.grade, h.stars FROM h JOIN case_subjects s ON s.id = h.member_id
        ORDER BY s.grp, h.member_id, h.cycle
        """,
        [cycle],
    ).fetchall()
    out = []
    for group, part in zip(groups, _by_group(rows, len(groups))):
        names = set(group.scheme.grade_names)
        out.append([{"subject": member, "cycle": past, "grade": grade if grade in names else None, "stars": stars}
                    for member, past, grade, stars in part if grade in names or stars is not None])
    return out


def build_case(store: Store, branch_code: str, cycle: int, *, today: dt.date | None = None,
               upto: dt.date | None = None, track: str = "party") -> tuple[Scheme, dict]:
    """One branch's case in the SCHEMES.md format, under the scheme of ``track`` governing
    the cycle (only the subjects of that track's kinds).

    Raises ``NoSchemeError`` (a Chinese message) for an unknown branch or one without a scheme.
    """
    group = branch_group(store, branch_code, cycle, today, track)
    return group.scheme, read_cases(store, [group], cycle, upto=upto)[0]


def branch_group(store: Store, branch_code: str, cycle: int, today: dt.date | None = None,
                 track: str = "party") -> SchemeGroup:
    """The one branch's scheme and assignment of ``track`` governing the cycle (``NoSchemeError``
    as ``build_case`` says)."""
    groups, missing = group_by_scheme(store, [branch_code], cycle, today, track)
    if missing:
        raise NoSchemeError(missing[branch_code])
    return groups[0]
