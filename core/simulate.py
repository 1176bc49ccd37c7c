"""The scheme simulator: what would change for whom if the scheme changed."""

from __future__ import annotations

from core.engine import evaluate
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
