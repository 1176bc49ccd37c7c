"""Plain-text tables of engine output for the terminal (``--format table``)."""

from __future__ import annotations

import unicodedata

from core.cycles import cycle_label, period_name
from core.engine.labels import flag_label


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _cell(value) -> str:
    return "—" if value is None else str(value)


def render_table(rows: list[list], header: list[str]) -> str:
    cells = [[_cell(v) for v in row] for row in [header, *rows]]
    widths = [max(_width(row[i]) for row in cells) for i in range(len(header))]
    lines = ["  ".join(_pad(c, w) for c, w in zip(row, widths)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def results_table(output: dict) -> str:
    period = output.get("period", "cycle")
    score = "总分" if period == "cycle" else "截至本期得分"
    header = ["支部", "姓名/编号", score, "等级", "星级", "排名", "标记"]
    rows = [
        [r["branch"], r.get("name") or r["subject"], r["total"] if r["total"] is not None else r.get("subtotal"),
         r["grade"], r["stars"], r["rank"], "、".join(flag_label(f, output.get("cycle_start", "01-01"))
                                                     for f in r["flags"]) or ""]
        for r in output["results"]
    ]
    when = cycle_label(output.get("cycle_start", "01-01"), output["cycle"])
    if period != "cycle":
        when += period_name(output.get("cycle_start", "01-01"), output["cycle"], period)
    text = f"方案 {output['scheme']}（{output.get('name', '')}）{when}\n"
    text += render_table(rows, header)
    if output["warnings"]:
        text += "\n\n提示：\n" + "\n".join(
            f"- [{w['code']}] {w['branch']} {w.get('subject', '')} {w['message']}".replace("  ", " ")
            for w in output["warnings"]
        )
    return text


def changes_table(report: dict) -> str:
    header = ["支部", "编号", "原总分", "新总分", "原等级", "新等级", "原星级", "新星级", "原因"]
    rows = [
        [c["branch"], c["subject"], c["old"]["total"], c["new"]["total"], c["old"]["grade"], c["new"]["grade"],
         c["old"]["stars"], c["new"]["stars"], "；".join(c["added"][:3])]
        for c in report["changes"]
    ]
    head = f"方案 {report['scheme']} → {report['new_scheme']}：{len(report['changes'])} 人结果变化\n"
    return head + render_table(rows, header)
