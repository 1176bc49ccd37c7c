"""The scheme simulator: what would change for whom if the scheme changed."""

from __future__ import annotations

from core.engine import evaluate
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
def evaluate_both(old: Scheme, new: Scheme, case: dict) -> tuple[dict, dict]:
    """``evaluate`` of ``case`` under both schemes; scored once when they score alike (a
    quota or a grade band tuned: a county's simulation is then about one evaluation)."""
    if not scores_alike(old, new):
        return evaluate(old, case), evaluate(new, case)
    scored = score_case(old, case)
    again = scored.fresh()
    return rate_case(old, scored), rate_case(new, again)


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
    old_out, new_out = evaluate_both(scheme, new_scheme, case)
    old = {r["subject"]: r for r in old_out["results"]}
    new = {r["subject"]: r for r in new_out["results"]}
    changes = []
    for sid, before in old.items():
        after = new[sid]
        differing = [field for field in COMPARED if before[field] != after[field]]
        if not differing:
            continue
        changes.append({
            "subject": sid,
            "branch": before["branch"],
            "changed": differing,
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
    """The places the scheme's quotas on ``level`` allow, summed over the groups the engine
    applies quotas to (a branch's subjects of one kind, exempt subjects left out), or None
    when no quota binds it. Each group's places are its tightest quota's, as the engine cuts
    holders by each quota in turn; a sum over groups, so the parts of a county add up."""
    quotas = [q for q in scheme.quotas if (q.grade if field == "grade" else q.stars) == level]
    if not quotas:
        return None
    bases: dict[tuple, int] = {}
    for r in results:
        if not (r["rank"] is None and r["total"] is None and r["grade"] is None and r["stars"] is None):
            bases[(r["branch"], r.get("kind"))] = bases.get((r["branch"], r.get("kind")), 0) + 1
    return sum(min(allowed_places(base, q.percent, q.minimum) for q in quotas) for base in bases.values())


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


def merge_distributions(parts: list[list[dict]], scheme: Scheme | None = None) -> list[dict]:
    """``distribution``s of branches simulated apart, as one: the counts and places summed per
    level. With the ``scheme`` they share (one scheme's branches in parts), the levels come in
    its order (its grades, or stars from the most); otherwise as they first appear."""
    merged: dict[str, dict] = {}
    for rows in parts:
        for row in rows:
            into = merged.setdefault(row["level"], {"level": row["level"], "before": 0, "after": 0,
                                                    "allowed_before": None, "allowed_after": None})
            for key in ("before", "after", "allowed_before", "allowed_after"):
                if row[key] is not None:
                    into[key] = (into[key] or 0) + row[key]
    rows = list(merged.values())
    if scheme is not None:
        grades = list(scheme.grade_names)
        # a star level's label is "N 星" (``distribution``)
        rows.sort(key=lambda row: grades.index(row["level"]) if grades else -int(row["level"].split(" ")[0]))
    return rows
