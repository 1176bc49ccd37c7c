"""Which scheme an organisation uses, from which date.

A township (usually) adopts a scheme template and version from a date on; its branches
inherit it, and a branch may override it with its own assignment. ``scheme_for`` walks
up the tree from the branch: the nearest organisation with an assignment in force wins,
so a branch override stays in force even when the township later switches.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import lru_cache

from core import audit
from core.auth import require, scope_for
from core.cycles import cycle_bounds
from core.orgs import branches
from core.scheme import Scheme, SchemeError, load_scheme, scheme_with_overrides, schemes_dir
from core.store import Store


class NoSchemeError(LookupError):
    """The branch has no scheme in force on the date asked about."""


# A scheme is assigned per organisation and *track*: the subject kinds it scores. A village
# runs its party scheme (党员) beside its household scheme (户, 村民, 商户/社团); a work
# station runs the volunteer scheme (义工). Each subject kind belongs to one track.
TRACKS = {"party": "党员积分", "village": "乡村治理积分", "volunteer": "党员义工积分"}
_KIND_TRACK = {"member": "party", "household": "village", "family": "village", "resident": "village",
               "unit": "village", "volunteer": "volunteer"}


def track_of_kind(kind: str) -> str:
    """The track whose scheme scores subjects of ``kind``."""
    return _KIND_TRACK.get(kind, "party")


def track_of_scheme(scheme_id: str) -> str:
    """The track a shipped scheme belongs to, by its id's family (village-*, volunteer-*)."""
    for prefix, track in (("village-", "village"), ("volunteer-", "volunteer")):
        if scheme_id.startswith(prefix):
            return track
    return "party"


@dataclass(frozen=True)
class Assignment:
    id: int
    org_code: str
    org_name: str
    scheme_id: str
    scheme_version: str
    overrides: dict | None
    from_date: dt.date
    assigned_by: str
    reason: str | None
    version_label: str | None = None  # a township's adopted edit (「青山镇调整版 2026-01-01」)

    def scheme_key(self, scheme: Scheme) -> tuple:
        """Which scheme this assignment puts in force (``scheme``, as resolved): the template,
        its version and the adjustment. Branches with equal keys are scored alike."""
        return (self.scheme_id, scheme.version, repr(self.overrides))


def assign_scheme(store: Store, user, org_code: str, scheme_id: str, from_date: dt.date,
                  overrides: dict | None = None, reason: str = "", version_label: str | None = None) -> int:
    """Point ``org_code`` (and the branches below it that have no override of the same
    track) at a scheme from ``from_date`` on. The scheme version in force is stored with the
    assignment; its track comes from the scheme, so a household scheme never replaces the
    village's party scheme. ``version_label`` names an adopted edit (core.scheme_edit.adopt)."""
    require(user, "assign_scheme")
    scope_for(store, user).check_org(store, org_code)
    _check_assignment(scheme_id, from_date)
    level = store.scalar("SELECT level FROM orgs WHERE code = ?", [org_code])
    if level not in ("county", "township", "branch"):
        raise ValueError(f"方案只能设置到县、乡镇（街道）或支部（村），{org_code} 是{level}级")
    # Loading validates the id and the overrides before anything is written.
    scheme = resolve_scheme(scheme_id, json.dumps(overrides, ensure_ascii=False, sort_keys=True) if overrides else None)
    after = {"org_code": org_code, "scheme_id": scheme_id, "scheme_version": scheme.version,
             "from_date": from_date, "overrides": overrides, "track": track_of_scheme(scheme_id),
             "version_label": version_label}

    def work(cur) -> int:
        new_id = cur.execute(
            "INSERT INTO scheme_assignments(org_code, scheme_id, scheme_version, overrides, from_date,"
            " assigned_by, reason, track, version_label) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [org_code, scheme_id, scheme.version, audit.to_json(overrides), from_date, user.username,
             reason or None, track_of_scheme(scheme_id), version_label],
        ).fetchone()[0]
        audit.record(cur, user.username, "scheme.assign", entity="scheme_assignment", entity_id=new_id,
                     org_code=org_code, after=after, reason=reason or None)
        return new_id

    return store.write(work)


# A scheme starts on a real date of this system's life: not before 2000 (no ledger goes back
# further) and not more than two years ahead (a typo in the year, not a plan).
EARLIEST_START = dt.date(2000, 1, 1)
AHEAD = 2


def _check_assignment(scheme_id, from_date) -> None:
    """Only a scheme of ``data/schemes`` by its id (never a file path), from a sane date."""
    known = {p.stem for p in schemes_dir().glob("*.toml")}
    if not isinstance(scheme_id, str) or scheme_id not in known:
        raise NoSchemeError(f"未知方案：{scheme_id}。可选的积分方案：{'、'.join(sorted(known))}")
    if not isinstance(from_date, dt.date) or isinstance(from_date, dt.datetime):
        raise ValueError("启用日期须为日期，例如 2025-07-01")
    latest = dt.date(dt.date.today().year + AHEAD, 12, 31)
    if not EARLIEST_START <= from_date <= latest:
        raise ValueError(f"启用日期 {from_date:%Y-%m-%d} 不合理：应在 {EARLIEST_START:%Y-%m-%d} 至 {latest:%Y-%m-%d} 之间")


def assignment_for(store: Store, branch_code: str, on_date: dt.date, track: str = "party") -> Assignment:
    """The assignment of ``track`` in force for ``branch_code`` on ``on_date`` (nearest org up
    the tree)."""
    # One statement, the branch's ancestors by path prefix: pages and services ask this many
    # times per run, and each round trip costs more than the lookup.
    row = store.one(
        """
        SELECT a.id, a.org_code, o.name, a.scheme_id, a.scheme_version, a.overrides, a.from_date,
               a.assigned_by, a.reason, a.version_label
        FROM orgs b JOIN orgs o ON starts_with(b.path, o.path)
        JOIN scheme_assignments a ON a.org_code = o.code
        WHERE b.code = ? AND a.from_date <= ? AND coalesce(a.track, 'party') = ?
        ORDER BY length(o.path) DESC, a.from_date DESC, a.id DESC
        LIMIT 1
        """,
        [branch_code, on_date, track],
    )
    if row is None:
        name = store.scalar("SELECT name FROM orgs WHERE code = ?", [branch_code])
        if name is None:
            raise NoSchemeError(f"未知组织：{branch_code}")
        raise NoSchemeError(
            f"「{name}」在 {on_date:%Y-%m-%d} 没有适用的{'积分' if track == 'party' else TRACKS.get(track, '')}方案，请联系乡镇组织委员在「积分方案」页面设置")
    overrides = json.loads(row[5]) if row[5] else None
    return Assignment(row[0], row[1], row[2], row[3], row[4], overrides, row[6], row[7], row[8], row[9])


def scheme_for(store: Store, branch_code: str, on_date: dt.date, track: str = "party"
               ) -> tuple[Scheme, Assignment]:
    """The scheme of ``track`` (with the assignment's overrides applied) in force for a branch
    on a date."""
    assignment = assignment_for(store, branch_code, on_date, track)
    overrides = json.dumps(assignment.overrides, ensure_ascii=False, sort_keys=True) if assignment.overrides else None
    return resolve_scheme(assignment.scheme_id, overrides), assignment


def _assignment_rows(store: Store, branch_codes: list[str], tracks: list[str]) -> list[tuple]:
    """(branch, track, assignment columns…) of every assignment up the tree of the branches, in
    the order ``Assignments`` picks from."""
    return store.all(
        """
        SELECT b.code, a.track, a.id, a.org_code, a.name, a.scheme_id, a.scheme_version, a.overrides,
               a.from_date, a.assigned_by, a.reason, a.version_label
        FROM (SELECT code, path FROM orgs WHERE code = ANY(?)) b
        JOIN (SELECT sa.id, sa.org_code, sa.scheme_id, sa.scheme_version, sa.overrides, sa.from_date,
                     sa.assigned_by, sa.reason, sa.version_label, coalesce(sa.track, 'party') AS track,
                     o.name, o.path
              FROM scheme_assignments sa JOIN orgs o ON o.code = sa.org_code
              WHERE coalesce(sa.track, 'party') = ANY(?)) a
          ON starts_with(b.path, a.path)  -- a's organisation is b or one of its ancestors
        ORDER BY b.code, length(a.path) DESC, a.from_date DESC, a.id DESC
        """,
        [branch_codes, tracks],
    )


class Assignments:
    """Every assignment up the tree of the given branches, read in one query and picked as
    ``assignment_for`` picks (nearest organisation, then latest ``from_date``, then highest
    id), so a county's branches are resolved without two queries each. The prefix join
    pairs the asked branches with the organisations that have an assignment (a few), not
    with every organisation: at L (12,000 organisations) that took 1.7 s, now 0.02 s."""

    def __init__(self, store: Store, branch_codes: list[str], track: str = "party", rows=None):
        self.rows: dict[str, list[tuple]] = {}
        for code, _, *row in _assignment_rows(store, branch_codes, [track]) if rows is None else rows:
            self.rows.setdefault(code, []).append(row)

    @classmethod
    def of_tracks(cls, store: Store, branch_codes: list[str], tracks) -> dict[str, "Assignments"]:
        """Each track's assignments of the branches, in one query (one round trip, not one per track)."""
        rows: dict[str, list[tuple]] = {track: [] for track in tracks}
        for row in _assignment_rows(store, branch_codes, list(tracks)):
            rows[row[1]].append(row)
        return {track: cls(store, branch_codes, track, rows[track]) for track in tracks}

    def on(self, branch_code: str, day: dt.date) -> tuple[Scheme, Assignment] | None:
        """As ``scheme_for``; None where no assignment is in force."""
        row = next((r for r in self.rows.get(branch_code, ()) if r[6] <= day), None)
        if row is None:
            return None
        overrides = json.loads(row[5]) if row[5] else None
        key = json.dumps(overrides, ensure_ascii=False, sort_keys=True) if overrides else None
        return resolve_scheme(row[3], key), Assignment(*row[:5], overrides, *row[6:])

    def for_cycle(self, branch_code: str, cycle: int, today: dt.date) -> tuple[Scheme, Assignment] | None:
        """As ``scheme_for_cycle``; None where no assignment is in force (it names the reason)."""
        found = self.on(branch_code, today)
        if found is not None:
            _, end = cycle_bounds(found[0].cycle_start, cycle)
            if end < today:
                found = self.on(branch_code, end)
        return found


def scheme_for_cycle(store: Store, branch_code: str, cycle: int, today: dt.date | None = None,
                     track: str = "party") -> tuple[Scheme, Assignment]:
    """The scheme of ``track`` that governs a whole cycle: the one in force at its end, or
    today if the cycle is still running (a mid-cycle switch applies to the cycle it lands in)."""
    today = today or dt.date.today()
    scheme, assignment = scheme_for(store, branch_code, today, track)
    _, end = cycle_bounds(scheme.cycle_start, cycle)
    if end < today:
        scheme, assignment = scheme_for(store, branch_code, end, track)
    return scheme, assignment


def version_of(scheme: Scheme, assignment: Assignment) -> dict:
    """The version that produces a result: the template, its version and (for an adopted
    edit) the label; it goes into the results' output, so 公示 snapshots carry it."""
    return {"scheme_id": scheme.id, "scheme_version": scheme.version, "label": assignment.version_label,
            "name": scheme.name}


def version_text(version: dict | None) -> str:
    """「党员积分季度百分制… 1.1 版 · 青山镇调整版 2026-01-01」 ('' for an output without it)."""
    if not version:
        return ""
    text = f"{version.get('name') or version['scheme_id']} {version['scheme_version']} 版"
    return f"{text} · {version['label']}" if version.get("label") else text


@lru_cache(maxsize=64)
def resolve_scheme(scheme_id: str, overrides_json: str | None) -> Scheme:
    # Scheme files are parsed and validated once per (id, overrides) per process; pages
    # ask for the scheme on every rerun.
    try:
        scheme = load_scheme(scheme_id)
        return scheme_with_overrides(scheme, json.loads(overrides_json)) if overrides_json else scheme
    except SchemeError as exc:
        raise NoSchemeError(f"积分方案 {scheme_id} 无法使用：{exc}") from None


def in_force(store: Store, scope, on_date: dt.date) -> list[dict]:
    """For each branch in scope and each track: the scheme in force on ``on_date`` and where
    it comes from (the branch's own setting, or inherited from the township or county). The
    party track is listed for every branch; a village or volunteer track where one is set."""
    rows = []
    for code, name in branches(store, scope):
        for track in TRACKS:
            try:
                scheme, a = scheme_for(store, code, on_date, track)
            except NoSchemeError:
                if track == "party":
                    rows.append({"支部": name, "编码": code, "类别": TRACKS[track], "积分方案": "未设置",
                                 "版本": "", "调整版本": "", "来源": "", "启用日期": None})
                continue
            rows.append({"支部": name, "编码": code, "类别": TRACKS[track], "积分方案": scheme.name,
                         "版本": scheme.version, "调整版本": a.version_label or "",
                         "来源": "本支部设置" if a.org_code == code else f"继承自{a.org_name}", "启用日期": a.from_date})
    return rows
