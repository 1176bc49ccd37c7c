"""评先评优: the members a cycle's results put forward for commendation, each with why.

The scheme's own rule comes first: where it marks 上报表彰 (``report_up``, e.g. the top three
优秀 of a street branch, a five-star member), those members are the candidates, and only
those holding the top grade where the scheme grades (party-stars-10 also marks ``report_up``
for four stars or fewer, to be 备案, which is no commendation). A scheme without such a rule
puts forward its top grade (优秀) and its top star level. A member marked 明星党员 (every
quarter five stars) is a candidate too. Eligibility then strikes out the members marked
不具备评优资格 or 一票否决; a member capped by the quota keeps the grade it was capped to, so it
is not at the top grade.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from core.auth import require, scope_for
from core.engine.labels import flag_label
from core.results_use.source import is_exempt, results_under, top_grade
from core.scheme import Scheme
from core.store import Store

REPORT_UP, STAR_MEMBER = "report_up", "明星党员"
BARRING = ("not_award_eligible", "veto")  # flags that take a member off the list


@dataclass(frozen=True)
class Candidate:
    branch: str
    branch_name: str
    member_id: str
    name: str
    grade: str | None
    stars: int | None
    total: float | None
    rank: int | None
    reason: str


def star_text(stars: int) -> str:
    """5 → ★★★★★ 五星 (up to ten stars drawn; a quarterly sum of 0–20 as a number)."""
    words = "零一二三四五六七八九十"
    if 0 < stars <= 10:
        return f"{'★' * stars} {words[stars]}星"
    return f"{stars} 星"


def top_stars(scheme: Scheme) -> int | None:
    labels = [b.label for b in scheme.star_bands if isinstance(b.label, int)]
    return max(labels) if labels else None


def _reasons(scheme: Scheme, r: dict) -> list[str]:
    flags = r["flags"]
    best_grade = top_grade(scheme)
    at = f"本支部第{r['rank']}名" if r["rank"] is not None else ""
    reasons = []
    if any(rule.name == REPORT_UP for rule in scheme.flag_rules):
        if REPORT_UP in flags and (r["grade"] is None or r["grade"] == best_grade):
            held = r["grade"] or (star_text(r["stars"]) if r["stars"] is not None else "")
            reasons.append(f"方案规定上报表彰（{'，'.join(x for x in (held, at) if x)}）")
    else:
        if best_grade is not None and r["grade"] == best_grade:
            reasons.append(f"年度等次为{best_grade}" + (f"（{at}）" if at else ""))
        best = top_stars(scheme)
        if best is not None and r["stars"] == best:
            reasons.append(f"评为{star_text(best)}党员")
    if STAR_MEMBER in flags:
        reasons.append("四个季度均为五星，评为明星党员")
    return reasons


def branch_candidates(scheme: Scheme, output: dict) -> tuple[list[dict], list[dict]]:
    """(candidates, struck out) of one branch's results: each ``{"result", "reason"}``; a
    struck-out member's reason says what bars it (不具备评优资格, 一票否决)."""
    chosen, struck = [], []
    for r in output["results"]:
        if is_exempt(r):
            continue
        reasons = _reasons(scheme, r)
        if not reasons:
            continue
        barred = [flag_label(f) for f in BARRING if f in r["flags"]]
        if barred:
            struck.append({"result": r, "reason": "、".join(barred)})
        else:
            chosen.append({"result": r, "reason": "；".join(reasons)})
    return chosen, struck


def candidates(store: Store, user, org_code: str, cycle: int, today: dt.date | None = None
               ) -> tuple[list[Candidate], list[Candidate]]:
    """The candidates of a branch or of every branch under a township, and the members the
    eligibility flags struck out (to answer "why is she not on the list?")."""
    require(user, "results_use")
    scope = scope_for(store, user)
    chosen, struck = [], []
    for code, label, res in results_under(store, scope, org_code, cycle, "cycle", today):
        ok, out = branch_candidates(res.scheme, res.output)
        chosen += [_candidate(code, label, c) for c in ok]
        struck += [_candidate(code, label, c) for c in out]
    return chosen, struck


def _candidate(code: str, label: str, c: dict) -> Candidate:
    r = c["result"]
    return Candidate(code, label, r["subject"], r.get("name") or r["subject"], r["grade"], r["stars"], r["total"],
                     r["rank"], c["reason"])


def candidate_rows(items: list[Candidate]) -> list[dict]:
    """The list as printed and exported (Chinese columns, no codes)."""
    return [{"序号": i, "支部": c.branch_name, "姓名": c.name, "等次": c.grade or "",
             "星级": star_text(c.stars) if c.stars is not None else "",
             "总分": c.total, "推荐理由": c.reason} for i, c in enumerate(items, start=1)]
