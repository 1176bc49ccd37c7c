"""The community's feedback letter to a member's department (反馈函): who reported when, the
post and pledge, the 社区报到活动 attended this year against 4, the half-yearly 测评, and the
community's name with room for its seal and the date. One page per member; a whole
department's members in one PDF."""

from __future__ import annotations

from pathlib import Path

from core import bounds
from core.auth import require
from core.io.pdf import CJK_FONT, _document, _lines, _table
from core.reportin.rules import ACTIVITIES_MIN, ReportInError, check_sides, community
from core.reportin.stats import attended, evaluations, member_year
from core.auth.scope import scope_for
from core.store import Store


def letters(store: Store, user, community_code: str, year: int, *, member_id: str | None = None,
            department: str | None = None) -> list[dict]:
    """The letters' contents for the community's reported members of the year (one member,
    or those of one department). The user must hold the community or the member's branch."""
    require(user, "report_in")
    code, name = community(store, community_code)
    year = bounds.cycle(year, error=ReportInError)
    if member_id is None and department is None:
        raise ReportInError("请选择党员或派出单位")
    branch = department or store.scalar("SELECT branch_code FROM members WHERE id = ?", [member_id])
    if branch is None:
        raise ReportInError(f"未找到党员 {str(member_id)[:20]}")
    check_sides(store, user, branch, code, member_id)
    rows = member_year(store, scope_for(store, user), year, community_code=code, department=department)
    if member_id is not None:
        rows = rows.filter(rows["member_id"] == member_id)
    if rows.is_empty():
        raise ReportInError(f"{year}年没有向{name}报到的党员" + ("" if member_id is None else "（所选党员未报到）"))
    out = []
    for r in rows.iter_rows(named=True):
        came = attended(store, r["member_id"], year)
        graded = evaluations(store, r["member_id"], code, year)
        out.append({
            "title": "在职党员到社区报到情况反馈函",
            "to": f"{r['department']}：",
            "lines": [
                f"贵单位党员{r['name']}同志于{r['date']:%Y-%m-%d}到{name}报到（{r['timeliness']}），"
                f"认领服务岗位「{r['post'] or '未认领'}」。",
                f"服务承诺：{r['pledge'] or '无'}",
                f"{year}年参加社区组织的活动 {len(came)} 次（每年不少于 {ACTIVITIES_MIN} 次，"
                + ("已达到）。" if len(came) >= ACTIVITIES_MIN else "尚未达到）。"),
            ],
            "activities": [{"序号": i, "日期": f"{d:%Y-%m-%d}", "社区": c, "活动名称": t}
                           for i, (d, c, t) in enumerate(came, start=1)],
            "evaluations": [{"测评期间": f"{year}年{h}", "测评等次": g, "评语": c or "—"} for h, g, c in graded],
            "seal": [f"{name}（盖章）", "日期：　　　　年　　月　　日"],
            "footer": f"{r['name']}　{name}",
        })
    return out


def _section(pdf, heading: str, rows: list[dict], empty: str) -> None:
    _lines(pdf, [heading], size=12, height=8)
    if rows:
        _table(pdf, list(rows[0]), rows, 9)
    else:
        _lines(pdf, [empty])


def letter_pdf(items: list[dict], font: Path = CJK_FONT) -> bytes:
    """The letters as A4 PDF bytes, each on its own page."""
    if not items:
        raise ReportInError("没有可打印的反馈函")
    pdf = _document(items[0]["title"], font)
    for item in items:
        pdf.add_page()
        pdf.footer_text = item["footer"]
        _lines(pdf, [item["title"]], size=16, align="C", height=10)
        pdf.ln(2)
        _lines(pdf, [item["to"]], size=11, height=8)
        _lines(pdf, item["lines"], size=11, height=7)
        pdf.ln(2)
        _section(pdf, "参加社区活动情况", item["activities"], "本年度尚无参加记录。")
        pdf.ln(2)
        _section(pdf, "民主测评情况", item["evaluations"], "本年度尚未测评。")
        pdf.ln(14)  # room for the seal
        _lines(pdf, item["seal"], size=11, align="R", height=8)
    return bytes(pdf.output())
