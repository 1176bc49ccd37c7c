"""The scheme simulator: what would change for whom if the scheme changed."""

from __future__ import annotations

import polars as pl

from core.engine.evaluate import rate_case, score_case
from core.engine.gc_pause import gc_paused
from core.engine.ranking import allowed_places
from core.scheme import Scheme, SchemeError, scheme_with_overrides
from core.scheme.reader import key_path

COMPARED = ("total", "grade", "stars", "rank", "flags")


def check_overrides(base, patch, where: str = "") -> None:
    """Refuse an adjustment that addresses a row the scheme does not have (``quotas."99"``
    of a scheme with two quotas), in Chinese, before the merge would fail on it."""
    if isinstance(base, list) and isinstance(patch, dict):
        for key, value in patch.items():
            if not (isinstance(key, str) and key.isdigit() and int(key) < len(base)):
                raise SchemeError("--set", key_path(where, str(key)),
                                  f"方案中没有这一行（共 {len(base)} 行，编号从 0 开始）")
            check_overrides(base[int(key)], value, key_path(where, key))
    elif isinstance(base, dict) and isinstance(patch, dict):
        for key, value in patch.items():
            if key in base:
                check_overrides(base[key], value, key_path(where, key))


# The parts of a scheme read only when rating a scored case (stars, grades, quotas, ranks,
# flags), or never by the engine: two schemes that differ in nothing else score every
# subject alike, so the case is scored once and rated under each.
RATING_ONLY = ("grading", "stars", "quotas", "ranking", "flags", "streaks", "branch_warnings",
               "id", "name", "version", "decisions", "source", "workflow", "editable", "publish_periods",
               "publicity_min_days", "objection_working_days", "self_declare")


def scores_alike(old: Scheme, new: Scheme) -> bool:
    """Whether ``new`` scores every subject as ``old`` does (it differs only in RATING_ONLY)."""
    def scoring(raw: dict) -> dict:
        return {k: v for k, v in raw.items() if k not in RATING_ONLY}
    return scoring(old.raw) == scoring(new.raw)


@gc_paused()
def evaluate_both(old: Scheme, new: Scheme, case: dict, *, explain: bool = True
                  ) -> tuple[dict, dict, tuple[dict, dict]]:
    """``evaluate`` of ``case`` under both schemes, scored once when they score alike (a quota
    or a grade band tuned: a county's simulation then costs about one evaluation). Also, per
    subject, how many of each result's explanation lines its scoring wrote (the rest are its
    rating's)."""
    if scores_alike(old, new):
        scored = score_case(old, case, explain=explain)
        pairs = [(scored, old), (scored.fresh(), new)]
    else:
        pairs = [(score_case(old, case, explain=explain), old), (score_case(new, case, explain=explain), new)]
    lines = tuple({o.subject.id: len(o.explain) for group in s.outcomes.values() for o in group} for s, _ in pairs)
    return rate_case(old, pairs[0][0]), rate_case(new, pairs[1][0]), lines


def _only(case: dict, ids: set[str]) -> dict:
    """The case of ``ids`` alone: a subject's components and total read its own rows only."""
    out = dict(case, subjects=[s for s in case["subjects"] if s["id"] in ids])
    for key in ("scores", "vetoes", "history", "exchanges"):
        if key in case:
            out[key] = [r for r in case[key] if r["subject"] in ids]
    events = case.get("events")
    if isinstance(events, pl.DataFrame):
        out["events"] = events.filter(pl.col("subject").is_in(sorted(ids)))
    elif events is not None:
        out["events"] = [e for e in events if e["subject"] in ids]
    return out


def _scoring_lines(old: Scheme, new: Scheme, case: dict, ids: set[str]) -> tuple[dict, dict]:
    """Each of ``ids``'s scoring explanation in full (every event counted), under both schemes:
    the county-wide pass leaves the per-event lines out, and only the changed subjects show."""
    if not ids:
        return {}, {}
    sub = _only(case, ids)
    first = score_case(old, sub)
    second = first if scores_alike(old, new) else score_case(new, sub)
    return tuple({o.subject.id: o.explain for group in s.outcomes.values() for o in group} for s in (first, second))


def simulate(scheme: Scheme, case: dict, new_scheme: Scheme | None = None, overrides: dict | None = None) -> dict:
    """Evaluate ``case`` under both schemes and list every subject whose total,
    grade, stars, rank or flags differ, with the explanation lines that differ."""
    if new_scheme is None:
        check_overrides(scheme.raw, overrides or {})
        try:
            new_scheme = scheme_with_overrides(scheme, overrides or {})
        except SchemeError:
            raise
        except (TypeError, AttributeError, KeyError, IndexError, ValueError, ArithmeticError) as exc:
            # The adjustment is the user's text: whatever shape it has, the answer is a message.
            raise SchemeError("--set", "(调整)", f"调整内容与方案结构不符（{type(exc).__name__}）") from None
    old_out, new_out, (rated_old, rated_new) = evaluate_both(scheme, new_scheme, case, explain=False)
    old = {r["subject"]: r for r in old_out["results"]}
    new = {r["subject"]: r for r in new_out["results"]}
    differing = {sid: [field for field in COMPARED if before[field] != new[sid][field]] for sid, before in old.items()}
    differing = {sid: fields for sid, fields in differing.items() if fields}
    full_old, full_new = _scoring_lines(scheme, new_scheme, case, set(differing))
    changes = []
    for sid, fields in differing.items():
        before, after = dict(old[sid]), dict(new[sid])
        # the whole explanation: the full scoring lines, then the result's own rating lines
        before["explain"] = full_old[sid] + before["explain"][rated_old[sid]:]
        after["explain"] = full_new[sid] + after["explain"][rated_new[sid]:]
        changes.append({
            "subject": sid,
            "branch": before["branch"],
            "changed": fields,
            "old": {field: before[field] for field in COMPARED},
            "new": {field: after[field] for field in COMPARED},
            "name": before.get("name") or sid,
            "removed": [line for line in before["explain"] if line not in after["explain"]],
            "added": [line for line in after["explain"] if line not in before["explain"]],
            # the two whole explanations, for reading side by side
            "explain_old": before["explain"],
            "explain_new": after["explain"],
        })
    grade_moves: dict[str, int] = {}
    for change in changes:
        if "grade" in change["changed"]:
            key = f"{change['old']['grade']} → {change['new']['grade']}"
            grade_moves[key] = grade_moves.get(key, 0) + 1
    return {
        "scheme": scheme.id,
        "scheme_version": scheme.version,
        "new_scheme": new_scheme.id,
        "new_scheme_version": new_scheme.version,
        "subjects": len(old),
        "changes": changes,
        "grade_moves": grade_moves,
        "distribution": distribution(scheme, old_out, new_scheme, new_out),
    }


def _levels(scheme: Scheme, results: list[dict]) -> list[tuple[str, str | int]]:
    """The levels a result can hold, best first: the grades, else the stars awarded."""
    if scheme.grade_names:
        return [("grade", name) for name in scheme.grade_names]
    stars = sorted({r["stars"] for r in results if r["stars"] is not None}
                   | {q.stars for q in scheme.quotas if q.stars is not None}, reverse=True)
    return [("stars", n) for n in stars]


def _allowed(scheme: Scheme, results: list[dict], field: str, level) -> int | None:
    """The places the scheme's quota on ``level`` allows, summed over the groups the engine
    applies quotas to (a branch's subjects of one kind, exempt subjects left out), or None
    when no quota binds it."""
    quotas = [q for q in scheme.quotas if (q.grade if field == "grade" else q.stars) == level]
    if not quotas:
        return None
    bases: dict[tuple, int] = {}
    for r in results:
        if not (r["rank"] is None and r["total"] is None and r["grade"] is None and r["stars"] is None):
            bases[(r["branch"], r.get("kind"))] = bases.get((r["branch"], r.get("kind")), 0) + 1
    return min(sum(allowed_places(base, q.percent, q.minimum) for base in bases.values()) for q in quotas)


def distribution(scheme: Scheme, old_out: dict, new_scheme: Scheme, new_out: dict) -> list[dict]:
    """Per grade (or star level): how many hold it before and after, and the places each
    scheme's quota allows (None: no quota)."""
    rows = []
    for field, level in _levels(new_scheme, old_out["results"] + new_out["results"]):
        rows.append({
            "level": level if field == "grade" else f"{level} 星",
            "before": sum(1 for r in old_out["results"] if r[field] == level),
            "after": sum(1 for r in new_out["results"] if r[field] == level),
            "allowed_before": _allowed(scheme, old_out["results"], field, level),
            "allowed_after": _allowed(new_scheme, new_out["results"], field, level),
        })
    return rows
