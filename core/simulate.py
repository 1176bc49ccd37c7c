"""The scheme simulator: what would change for whom if the scheme changed."""

from __future__ import annotations

from core.engine import evaluate
from core.scheme import Scheme, scheme_with_overrides

COMPARED = ("total", "grade", "stars", "rank", "flags")


def simulate(scheme: Scheme, case: dict, new_scheme: Scheme | None = None, overrides: dict | None = None) -> dict:
    """Evaluate ``case`` under both schemes and list every subject whose total,
    grade, stars, rank or flags differ, with the explanation lines that differ."""
    if new_scheme is None:
        new_scheme = scheme_with_overrides(scheme, overrides or {})
    old = {r["subject"]: r for r in evaluate(scheme, case)["results"]}
    new = {r["subject"]: r for r in evaluate(new_scheme, case)["results"]}
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
            "removed": [line for line in before["explain"] if line not in after["explain"]],
            "added": [line for line in after["explain"] if line not in before["explain"]],
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
    }
