"""Entered grades that are not points: the branch's own grade (``sets = "grade"``) or a
recommendation raised as a flag (``sets = "flag"``, e.g. 延长预备期 → probation_extend).

Such a component is a ``scores`` row with a ``grade``, like a grade map, but it adds no
points: it is taken out of the components and shown as the result's grade or flag. The
grade is never derived from the total, and a veto leaves it as entered.
"""

from __future__ import annotations

from core.engine.case import Score
from core.scheme.model import Scheme


def apply_entered_grades(scheme: Scheme, o, scores: list[Score]) -> None:
    """``o`` is the subject's Outcome, after its grade from bands (if any) was set."""
    for comp in scheme.components.values():
        if comp.sets is None or comp.id not in o.components:
            continue
        value = o.components.pop(comp.id)  # no points: it is the grade or a flag, not a score
        o.explain = [line for line in o.explain if line not in value.lines]  # no "→ 0" lines
        row = next((s for s in scores if s.component == comp.id and s.grade is not None), None)
        if row is None:
            if comp.missing_warning:
                text = f"{comp.name} 未录入，{'等次为空' if comp.sets == 'grade' else '不标记'}"
                o.explain.append(text)
                o.warnings = [(code, text if code == comp.missing_warning else why) for code, why in o.warnings]
            continue
        if comp.sets == "grade":
            o.grade = row.grade
            o.explain.append(f"等次：支部评定 → {row.grade}（录入，不由总分推算）")
        else:
            o.flag(comp.flag_names[row.grade], f"支部录入{comp.name}：{row.grade}")
