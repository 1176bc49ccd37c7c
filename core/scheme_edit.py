"""Tuning a scheme safely (issue 12): a township (for its subtree) or an admin edits what
the scheme's ``[editable]`` table allows, within its bounds; simulates the edit on this
cycle's data (who changes grade, stars or rank, why, and the distribution against the
quotas); and adopts it as a new version from a date, i.e. a new ``scheme_assignments`` row
carrying the overrides and a version label. Finalised results are snapshots, so they never
change; versions can be compared line by line.

An edit is a dict ``{path: value}``, the paths of ``editable_fields`` ("quotas.0.percent",
"items.miss_meeting.points", "caps.0.limit", "grading.bands.1.min", "total.weights.daily"),
turned into TOML-shaped overrides the loader merges and validates again.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import NamedTuple

from core import bounds
from core.auth import require, scope_for
from core.auth.scope import Scope
from core.cycles import cycle_of
from core.results_use.source import branches_under
from core.decimals import fmt
from core.scheme import Scheme, SchemeError, scheme_with_overrides
from core.scheme.loader import merge_overrides
from core.scheme_assignments import (
    TRACKS, Assignment, NoSchemeError, assign_scheme, resolve_scheme, scheme_for,
)
from core.metrics.group_eval import evaluate_read
from core.metrics.scores import parts
from core.services.case import group_by_scheme, plain_number, read_cases
from core.simulate import merge_distributions
from core.store import Store


class EditError(ValueError):
    """An edit the scheme does not allow; the message names the field, in Chinese."""


def _band_name(label) -> str:
    return "不评等次" if label is None else str(label)


def editable_fields(scheme: Scheme, every: bool = False) -> list[dict]:
    """One row per value a township may change: ``path``, Chinese ``label``, current
    ``value`` and the bounds ``lo``..``hi`` (Decimals), in the scheme's order. ``every``: each
    value of those kinds, editable or not (bounds None), to name the lines of a comparison."""
    spec = scheme.editable or {}
    anything = (None, None) if every else None
    rows = []
    for code, item in scheme.items.items():
        limits = anything or spec.get("items", {}).get(code) or spec.get("items", {}).get(item.category)
        if limits and not item.is_range:
            rows.append(("items", f"items.{code}.points", f"「{item.name}」分值", item.points, limits))
    for i, cap in enumerate(scheme.caps):
        limits = anything or spec.get("caps", {}).get(cap.target)
        if limits:
            rows.append(("caps", f"caps.{i}.limit", f"「{cap.name}」封顶分", cap.limit, limits))
    for i, quota in enumerate(scheme.quotas):
        limits = anything or spec.get("quotas", {}).get(quota.grade if quota.grade is not None else str(quota.stars))
        if limits:
            rows.append(("quotas", f"quotas.{i}.percent", f"「{quota.name}」比例（%）", quota.percent, limits))
    limits = anything or spec.get("grade_bands")
    for i, band in enumerate(scheme.grade_bands if limits else ()):
        if band.min is not None:
            rows.append(("grade_bands", f"grading.bands.{i}.min", f"「{_band_name(band.label)}」最低分", band.min,
                         limits))
        if every and band.below is not None:
            rows.append(("grade_bands", f"grading.bands.{i}.below", f"「{_band_name(band.label)}」上限", band.below,
                         limits))
    for cid, weight in scheme.total_weights.items():
        limits = anything or spec.get("weights", {}).get(cid)
        if limits:
            rows.append(("weights", f"total.weights.{cid}", f"「{scheme.components[cid].name}」权重", weight, limits))
    return [{"section": section, "path": path, "label": label, "value": value, "lo": lo, "hi": hi}
            for section, path, label, value, (lo, hi) in rows]


def _set(tree: dict, path: str, value) -> None:
    *parents, last = path.split(".")
    for part in parents:
        tree = tree.setdefault(part, {})
    tree[last] = value


def check_edit(scheme: Scheme, changes: dict) -> tuple[Scheme, dict]:
    """The edited scheme and the overrides (relative to ``scheme``) for ``changes``: a path
    the scheme does not mark editable, a value that is no number or outside its bounds is
    refused naming the field; then the loader checks the merged scheme (bands without gap or
    overlap, weights summing to their total, quotas) with its own Chinese messages. A changed
    band minimum moves the next band's upper limit with it, unless that is given too."""
    if not isinstance(changes, dict):
        raise EditError("调整内容应为各项及其新数值")
    fields = {f["path"]: f for f in editable_fields(scheme)}
    bands = {f"grading.bands.{i}.below": i for i, band in enumerate(scheme.grade_bands)
             if band.below is not None} if (scheme.editable or {}).get("grade_bands") else {}
    overrides: dict = {}
    for path, value in changes.items():
        field = fields.get(path)
        label = field["label"] if field else (f"「{_band_name(scheme.grade_bands[bands[path]].label)}」上限"
                                              if path in bands else path)
        if field is None and path not in bands:
            raise EditError(f"{label} 不可调整：本方案没有把它列为乡镇可调整的内容")
        number = bounds.number(value, label, error=EditError)
        if field is not None and not field["lo"] <= number <= field["hi"]:
            raise EditError(f"{label} 须在 {fmt(field['lo'])} 至 {fmt(field['hi'])} 之间，实为 {fmt(number)}")
        if field is not None and number == field["value"]:
            continue  # unchanged: the version carries only what differs
        _set(overrides, path, plain_number(number))
        if field is not None and field["section"] == "quotas":
            # the quota's name quotes its percent (「…不超过本支部党员总数的20%」): keep it true
            quota = scheme.quotas[int(path.split(".")[1])]
            renamed = quota.name.replace(f"{fmt(field['value'])}%", f"{fmt(number)}%")
            if renamed != quota.name:
                _set(overrides, path.rsplit(".", 1)[0] + ".name", renamed)
    for i, band in enumerate(scheme.grade_bands[:-1]):
        moved = overrides.get("grading", {}).get("bands", {}).get(str(i), {}).get("min")
        below = f"grading.bands.{i + 1}.below"
        if moved is not None and below in bands and below not in changes:
            _set(overrides, below, moved)
    try:
        edited = scheme_with_overrides(scheme, overrides)
    except SchemeError as exc:
        raise EditError(str(exc)) from None
    return edited, overrides


class _Target(NamedTuple):
    scheme: Scheme
    assignment: Assignment
    name: str  # the organisation's
    level: str
    scope: Scope  # the user's


def _target(store: Store, user, org_code: str, track: str, today: dt.date) -> _Target:
    """The scheme in force for ``org_code`` (its own assignment or the one it inherits), after
    the permission and scope checks; and the organisation's name and level."""
    require(user, "tune_scheme")
    scope = scope_for(store, user)
    scope.check_org(store, org_code)
    if track not in TRACKS:
        raise EditError(f"未知类别：{track}")
    row = store.one("SELECT name, level FROM orgs WHERE code = ?", [org_code])
    if row is None or row[1] not in ("county", "township", "branch"):
        raise EditError("方案只能调整到县、乡镇（街道）或支部（村）")
    scheme, assignment = scheme_for(store, org_code, today, track)
    return _Target(scheme, assignment, row[0], row[1], scope)


def tuning(store: Store, user, org_code: str, track: str = "party", today: dt.date | None = None) -> dict:
    """What the page shows before an edit: the scheme in force, where it comes from, and its
    editable fields (empty: the scheme allows no tuning)."""
    target = _target(store, user, org_code, track, today or dt.date.today())
    return {"scheme": target.scheme, "assignment": target.assignment, "org_name": target.name,
            "fields": editable_fields(target.scheme)}


def simulate_org(store: Store, user, org_code: str, changes: dict, track: str = "party",
                 today: dt.date | None = None, cycle: int | None = None) -> dict:
    """The edit simulated on this cycle's data of the branches it would govern: the branch
    itself, or a township's branches that inherit the assignment being tuned (``cycle``: an
    earlier one, to try the edit on a whole year's data). Each branch's
    case is read once (``read_cases``, one query per table for all of them); old and new are
    evaluated on it (``core.simulate.simulate``)."""
    today = today or dt.date.today()
    scheme, assignment, name, level, scope = _target(store, user, org_code, track, today)
    edited, overrides = check_edit(scheme, changes)
    # default: this cycle
    cycle = cycle_of(scheme.cycle_start, today) if cycle is None else bounds.cycle(cycle, today=today, error=EditError)
    groups, _ = group_by_scheme(store, [org_code] if level == "branch" else branches_under(store, scope, org_code),
                                cycle, today, track)
    if level != "branch":
        groups = [g for g in groups if g.assignment.id == assignment.id]
    changes_out, distribution, subjects = simulate_groups(store, groups, cycle, lambda _scheme: edited)
    return {"org": org_code, "org_name": name, "track": track, "cycle": cycle, "scheme": scheme,
            "edited": edited, "overrides": overrides, "branches": sum(len(g.branches) for g in groups),
            "subjects": subjects, "changes": changes_out, "distribution": distribution}


def simulate_groups(store: Store, groups: list, cycle: int, edit) -> tuple[list[dict], list[dict], int]:
    """Each scheme group's case read (one query per table for the groups read together, events as
    frames: a county is ~2M) and evaluated under its scheme and under ``edit(scheme)``: the
    changed subjects (with their branch's name and both explanations), the distribution
    against the quotas summed over the groups, the subjects counted. (One pass with the
    explanations costs ~10% more than one without; a second pass for the changed branches
    cost more than that whenever a quota moved many of them.)"""
    labels = dict(store.all("SELECT code, name FROM orgs WHERE code = ANY(?)",
                            [[code for g in groups for code in g.branches]])) if groups else {}

    pieces = [(n, part) for n, group in enumerate(groups) for part in parts(group)]

    def work(indexes: list[int]) -> list[tuple]:
        chosen = [pieces[i][1] for i in indexes]
        return simulation_work(store, chosen, cycle, [edit(g.scheme) for g in chosen])

    # A county's groups, a large one in parts of branches, are shared with the evaluation
    # helper as the dashboards' are: some are simulated there while this process reads and
    # simulates the rest (a branch's results are its own: a group's parts give its report).
    keys = [(str(store.path), "simulate", p.scheme.id, tuple(p.branches), cycle) for _, p in pieces]
    # on a server the helper reads its groups itself (what group_eval._read needs)
    remote = (lambda indexes: ("simulate", store.url, [pieces[i][1] for i in indexes], cycle,
                               [edit(pieces[i][1].scheme) for i in indexes])) if store.url else None
    reports = evaluate_read(keys, work, remote, task="simulate")
    changes, distributions, subjects = [], [], 0
    for n, group in enumerate(groups):
        mine = [report for (m, _), report in zip(pieces, reports) if m == n]
        subjects += sum(report["subjects"] for report in mine)
        for change in (change for report in mine for change in report["changes"]):
            change["branch_name"] = labels.get(change["branch"], change["branch"])
            changes.append(change)
        distributions.append(merge_distributions([report["distribution"] for report in mine], group.scheme))
    return changes, merge_distributions(distributions), subjects


def simulation_work(store: Store, groups: list, cycle: int, new_schemes: list) -> list[tuple]:
    """(scheme, case, new scheme) of each group: what ``simulate`` is given for it (events as
    frames). The evaluation helper reads its own groups this way on a database server."""
    cases = read_cases(store, groups, cycle, frames=True)
    return [(g.scheme, case, new) for g, case, new in zip(groups, cases, new_schemes)]


def adopt(store: Store, user, org_code: str, changes: dict, from_date: dt.date, reason: str,
          track: str = "party", today: dt.date | None = None) -> int:
    """采用: a new version of the scheme for ``org_code`` from ``from_date``, i.e. an assignment
    of the same template carrying the overrides in force plus this edit, labelled
    「青山镇调整版 2026-01-01」. Results already finalised keep their snapshot."""
    scheme, assignment, name = _target(store, user, org_code, track, today or dt.date.today())[:3]
    _, overrides = check_edit(scheme, changes)
    if not overrides:
        raise EditError("没有调整任何内容：请先修改要调整的数值")
    reason = bounds.text(reason, "调整理由", required=True, multiline=False, error=EditError)
    label = f"{name}调整版 {from_date:%Y-%m-%d}" if isinstance(from_date, dt.date) else None
    return assign_scheme(store, user, org_code, assignment.scheme_id, from_date,
                         overrides=merge_overrides(assignment.overrides or {}, overrides), reason=reason,
                         version_label=label)


def versions(store: Store, user, org_code: str, track: str = "party") -> list[dict]:
    """The assignments of ``track`` that can govern ``org_code`` (its own and its ancestors'),
    newest first, for 版本对比."""
    require(user, "view")
    scope_for(store, user).check_org(store, org_code)
    path = store.scalar("SELECT path FROM orgs WHERE code = ?", [org_code]) or ""
    ancestors = [code for code in path.strip("/").split("/") if code]
    rows = store.all(
        "SELECT a.id, o.name, a.scheme_id, a.scheme_version, a.from_date, a.version_label, a.overrides"
        " FROM scheme_assignments a JOIN orgs o ON o.code = a.org_code"
        " WHERE a.org_code = ANY(?) AND coalesce(a.track, 'party') = ? ORDER BY a.from_date DESC, a.id DESC",
        [ancestors, track])
    out = []
    for aid, org_name, scheme_id, version, from_date, label, overrides in rows:
        try:
            scheme_name = resolve_scheme(scheme_id, None).name
        except NoSchemeError:  # a template removed since: still listed by its id
            scheme_name = scheme_id
        # the cache key resolve_scheme is asked with everywhere (sorted keys)
        key = json.dumps(json.loads(overrides), ensure_ascii=False, sort_keys=True) if overrides else None
        out.append({"id": aid, "org_name": org_name, "scheme_id": scheme_id, "scheme_version": version,
                    "from_date": from_date, "label": label, "overrides": key,
                    "text": f"{from_date:%Y-%m-%d} 起 · {org_name} · {scheme_name} {version} 版"
                            + (f" · {label}" if label else "")})
    return out


def _scheme_of(version: dict) -> Scheme:
    return resolve_scheme(version["scheme_id"], version["overrides"] or None)


def _flatten(value, path: str, out: dict) -> dict:
    if isinstance(value, dict):
        for key, inner in value.items():
            _flatten(inner, f"{path}.{key}" if path else str(key), out)
    elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        for i, inner in enumerate(value):
            _flatten(inner, f"{path}.{i}", out)
    else:
        out[path] = value
    return out


def _label(scheme: Scheme, path: str) -> str:
    """A changed path in the scheme's words (the editable fields' labels, else the path)."""
    parts = path.split(".")
    if len(parts) == 3 and parts[0] == "quotas" and parts[2] == "name" and parts[1].isdigit():
        return f"第 {int(parts[1]) + 1} 项名额的名称"
    return next((f["label"] for f in editable_fields(scheme, every=True) if f["path"] == path), path)


def _shown(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(_shown(v) for v in value)
    return str(value)


def compare(old: Scheme, new: Scheme) -> list[dict]:
    """Every value that differs between two schemes, line by line: 内容 (the field in the
    scheme's words), 原值, 新值."""
    before, after = _flatten(old.raw, "", {}), _flatten(new.raw, "", {})
    lines = []
    for path in list(before) + [p for p in after if p not in before]:
        if before.get(path) != after.get(path):
            lines.append({"内容": _label(new if path in after else old, path),
                          "原值": _shown(before.get(path)), "新值": _shown(after.get(path))})
    return lines


def compare_versions(first: dict, second: dict | None) -> list[dict]:
    """Two entries of ``versions`` compared; ``second`` None compares ``first`` with its template."""
    old = resolve_scheme(first["scheme_id"], None) if second is None else _scheme_of(second)
    return compare(old, _scheme_of(first))
