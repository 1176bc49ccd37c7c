"""The shared picture the activity generators work from: branches, their schemes, and
members as numpy columns (one row per member, ordered by branch so a branch is a slice).

Days are integers counted from 1970-01-01 so every date computation stays vectorised.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from core.cycles import cycle_of, next_month
from core.demo.members import CADRES
from core.scheme import Scheme, SchemeError, load_scheme
from core.store import Store

EPOCH = dt.date(1970, 1, 1)
DEFAULT_SCHEME = "party-q100-3to1"
EVERYDAY_SCHEME = "party-votes-80-20"  # see scheme_for_kind
ASSIGNED_FROM = dt.date(2023, 7, 1)
CYCLES = {"S": 2, "M": 3, "L": 3}  # rating cycles of history the demo covers, as DESIGN.md sizes them
COMMITTEE_SIZE = 5
# Branch roles inside each county's first township, so every demo has one of each alert.
UNIFORM, STALE, SPIKE = "uniform", "stale", "spike"
SPECIALS = {"B03": UNIFORM, "B04": STALE, "B07": SPIKE}
DEMO_BRANCH = "C01T01B01"  # the demo secretary and recorder work here
STALE_DAYS = 62  # the stale branch has entered nothing for the last two months


def day(d: dt.date) -> int:
    return (d - EPOCH).days


def date_of(n: int) -> dt.date:
    return EPOCH + dt.timedelta(days=int(n))


@dataclass
class Branch:
    code: str
    kind: str
    township: str
    scheme_id: str
    special: str | None
    groups: list[str]
    lo: int  # member slice [lo, hi)
    hi: int
    activity: float  # how busy its recorder is (entries per member vary between branches)
    attendance: float  # its usual meeting attendance rate
    cutoff: int  # last day it entered anything


@dataclass
class Plan:
    today: dt.date
    start: dt.date
    rng: np.random.Generator
    schemes: dict[str, Scheme]
    branches: list[Branch]
    member_ids: pl.Series
    m_branch: np.ndarray  # index into branches
    m_group: np.ndarray  # index into the branch's groups, -1 if none
    m_joined: np.ndarray  # the day the member joined this branch
    m_first: np.ndarray  # first day the member can have activity here (joined, or the demo start)
    m_last: np.ndarray  # last day (transfer out, or today)
    m_active: np.ndarray  # not exempt: exempt members take no part in scoring
    m_committee: np.ndarray
    m_department: list[str | None]
    m_category: list[str | None]
    m_z: np.ndarray  # the member's standing: drives absences, deductions and grades together
    months: list[tuple[int, int]] = field(default_factory=list)  # (first day, last day) per month

    @property
    def today_n(self) -> int:
        return day(self.today)

    def last_entry_day(self, members: np.ndarray) -> np.ndarray:
        """Each of ``members``' branch's last day of entries (day numbers): today, or for the
        stale branch the day it stopped (``Branch.cutoff``)."""
        return np.array([b.cutoff for b in self.branches], dtype=np.int64)[self.m_branch[members]]

    def recorder(self, branch: Branch) -> str:
        return "jilu01" if branch.code == DEMO_BRANCH else "demo"

    def reviewer(self, branch: Branch) -> str:
        return "shuji01" if branch.code == DEMO_BRANCH else "demo"


def scheme_for_kind(kind: str, township_kind: str, branch_no: int) -> str:
    """The branch's scheme: the township's default unless its kind calls for another template.

    A town's communities, 机关 and enterprises run party-votes-80-20 (东塘街道's scheme for
    社区、机关、非公 members): their activities (组织生活, 走访, 志愿服务, 心得, ...) are logged
    as they happen and counted against yearly minimums, the demo's everyday stream. A street
    shares its communities between party-street-3class, party-votes-80-20 and
    party-vanguard-8to2 and keeps the star schemes for its units, so at size M every
    template of the demo has branches.
    """
    street = township_kind == "street"
    if kind == "community":
        if not street:
            return EVERYDAY_SCHEME
        return ("party-vanguard-8to2", "party-street-3class", EVERYDAY_SCHEME)[branch_no % 3]
    if kind == "village" and branch_no % 4 == 2:
        return "party-village-3type"
    if kind in ("机关", "enterprise") and not street:
        return EVERYDAY_SCHEME
    return {"school": "party-stars-5x20", "机关": "party-stars-10",
            "enterprise": "party-stars-quota"}.get(kind, DEFAULT_SCHEME)


def category_vocabularies(orgs: list[dict]) -> dict[str, set[str] | None]:
    """The member categories each branch's scheme names (None: the scheme takes any), for
    core.demo.members to give members categories their scheme knows."""
    township_kind = {o["code"]: o["kind"] for o in orgs if o["level"] == "township"}
    ids = {o["code"]: scheme_for_kind(o["kind"], township_kind[o["township_code"]], o["sort"])
           for o in orgs if o["level"] == "branch"}
    schemes = load_schemes(set(ids.values()))
    return {code: (set(schemes[i].subject_categories) if schemes[i].subject_categories else None)
            for code, i in ids.items()}


def load_schemes(ids: set[str]) -> dict[str, Scheme]:
    """Schemes by id; a template not shipped (yet) falls back to the township default."""
    out = {DEFAULT_SCHEME: load_scheme(DEFAULT_SCHEME)}
    for scheme_id in sorted(ids - {DEFAULT_SCHEME}):
        try:
            out[scheme_id] = load_scheme(scheme_id)
        except SchemeError:
            out[scheme_id] = out[DEFAULT_SCHEME]
    return out


# A cycle's results are published and through the township's chain this long after it ends
# (core.demo.workflow); until then the demo shows the one before, so its data start a cycle
# earlier in those days (a demo made on 07-02 had no data for the July-start branches' results).
SETTLED_DAYS = 30


def data_start(size: str, today: dt.date) -> dt.date:
    return dt.date(cycle_of("07-01", today - dt.timedelta(days=SETTLED_DAYS)) - CYCLES[size] + 1, 7, 1)


def month_spans(start: dt.date, today: dt.date) -> list[tuple[int, int]]:
    spans, first = [], start
    while first <= today:
        nxt = next_month(first)
        spans.append((day(first), min(day(nxt) - 1, day(today))))
        first = nxt
    return spans


def load_plans(store: Store, size: str, seed: int, today: dt.date):
    """One Plan per county (bounded memory at size L), each with its own seeded generator."""
    start = data_start(size, today)
    orgs = store.all(
        "SELECT b.code, b.kind, b.township_code, t.kind, b.county_code, b.sort FROM orgs b "
        "JOIN orgs t ON t.code = b.township_code WHERE b.level = 'branch' ORDER BY b.code")
    groups: dict[str, list[str]] = {}
    for code, parent in store.all("SELECT code, parent_code FROM orgs WHERE level = 'group' ORDER BY code"):
        groups.setdefault(parent, []).append(code)
    first_townships = {r[0] for r in store.all(
        "SELECT code FROM orgs WHERE level = 'township' AND sort = 1")}
    schemes = load_schemes({scheme_for_kind(k, tk, n) for _, k, _, tk, _, n in orgs})
    counties = sorted({r[4] for r in orgs})
    for county in counties:
        rows = [r for r in orgs if r[4] == county]
        rng = np.random.default_rng([seed, ord(size), day(today), int(county[1:])])
        yield _plan(store, rows, groups, first_townships, schemes, rng, start, today)


def _plan(store, rows, groups, first_townships, schemes, rng, start, today) -> Plan:
    codes = [r[0] for r in rows]
    members = store.frame(
        "SELECT m.id, m.branch_code, m.group_code, m.category, m.department, m.status, "
        " coalesce(m.joined_branch, ?) AS joined, h.to_date AS last "
        "FROM members m LEFT JOIN member_branch_history h "
        " ON h.member_id = m.id AND h.branch_code = m.branch_code AND h.to_date IS NOT NULL "
        "WHERE m.kind = 'member' AND m.branch_code = ANY(?) "
        "ORDER BY m.branch_code, m.category = ANY(?) DESC, m.id",
        [start, codes, list(CADRES)])
    b_index = {code: i for i, code in enumerate(codes)}
    m_branch = np.array([b_index[c] for c in members["branch_code"]], dtype=np.int32)
    bounds = np.searchsorted(m_branch, np.arange(len(codes) + 1))
    branches = []
    for i, (code, kind, township, township_kind, _, sort) in enumerate(rows):
        special = SPECIALS.get(code[-3:]) if township in first_townships else None
        stale = special == STALE
        branches.append(Branch(
            code=code, kind=kind, township=township,
            scheme_id=scheme_for_kind(kind, township_kind, sort), special=special,
            groups=groups.get(code, []), lo=int(bounds[i]), hi=int(bounds[i + 1]),
            activity=float(rng.uniform(0.6, 1.4)), attendance=float(rng.uniform(0.85, 0.95)),
            cutoff=day(today) - (STALE_DAYS if stale else 0)))
    group_pos = [(branches[b].groups.index(g) if g in branches[b].groups else -1)
                 for b, g in zip(m_branch, members["group_code"])]
    position = np.arange(len(m_branch)) - bounds[m_branch]
    last = members["last"].fill_null(today)
    joined = np.array([day(d) for d in members["joined"]], dtype=np.int32)
    return Plan(
        today=today, start=start, rng=rng, schemes=schemes, branches=branches,
        member_ids=members["id"], m_branch=m_branch, m_group=np.array(group_pos, dtype=np.int32),
        m_joined=joined, m_first=np.maximum(joined, day(start)),
        m_last=np.array([day(d) for d in last], dtype=np.int32),
        m_active=(members["status"] != "exempt").to_numpy(),
        m_committee=position < COMMITTEE_SIZE,
        m_department=members["department"].to_list(), m_category=members["category"].to_list(),
        m_z=rng.standard_normal(len(m_branch)), months=month_spans(start, today))
