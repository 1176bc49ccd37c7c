"""积分卡: one subject's (党员 or 户) cycle on paper: every entry that counts, with a running
total, then the result as 积分结果 shows it (components, total or the period's score to
date, grade, rank) and the explanation lines. A branch's cards print as one PDF.

Entries run from the cycle's start to the end of the period asked for, so the running total
and 截至本期得分 cover the same days. Events are the branch's (scoped by the event's branch).
"""

from __future__ import annotations

import datetime as dt

from core.cycles import cycle_bounds, period_bounds
from core.decimals import fmt, to_decimal
from core.io.ledger import branch_name, period_events
from core.scheme_assignments import track_of_kind
from core.services.entry_rules import EntryError, member_row
from core.services.ledger import KIND_NAMES
from core.services.results import BranchResults, branch_results, display_rows, result_rows
from core.store import Store

STATUS_NAMES = {"active": "在册", "transferred": "已转出", "exempt": "免于评星", "deceased": "已去世"}


def _id_card(store: Store, member_id: str) -> str:
    """The masked ID number, where the store keeps one (migration 4); never the full number."""
    try:
        from core.idcard import mask_id
        value = store.scalar("SELECT id_card FROM members WHERE id = ?", [member_id])
    except Exception:  # an older store or a build without ID numbers: print none
        return ""
    return mask_id(value) if value else ""


def _household(store: Store, member_id: str) -> list[str]:
    """A household's people (migration 4), 户主 first where marked."""
    try:
        rows = store.all("SELECT name, coalesce(relation, '') FROM household_people WHERE household_id = ?"
                         " ORDER BY relation <> '户主', id", [member_id])
    except Exception:
        return []
    return [f"{name}（{relation}）" if relation else name for name, relation in rows]


def _fmt(value) -> str:
    return "" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def _span(results: BranchResults) -> tuple[dt.date, dt.date]:
    start = cycle_bounds(results.scheme.cycle_start, results.cycle)[0]
    return start, period_bounds(results.scheme.cycle_start, results.cycle, results.period)[1]


def card(store: Store, results: BranchResults, member_id: str, events: list[dict] | None = None) -> dict:
    """The printable card of ``member_id`` from a branch's results (see ``card_pdf``);
    ``events``, the member's ``period_events`` when the caller has read them already."""
    member = member_row(store, member_id)
    scheme = results.scheme
    start, end = _span(results)
    branch = branch_name(store, results.branch_code)
    if events is None:
        events = period_events(store, results.branch_code, start, end, scheme, member_id)
    running, entries = 0.0, []
    for n, event in enumerate(events, start=1):
        running += event["分值"] or 0
        entries.append({"序号": str(n), "日期": event["日期"], "项目": event["项目"],
                        "次数": _fmt(event["次数"]), "分值": _fmt(event["分值"]),
                        "累计加减分": _fmt(round(running, 2)), "备注": event["备注"], "录入人": event["录入人"]})
    kind = KIND_NAMES.get(member.kind, "")
    who = [f"姓名：{member.name}", f"编号：{member.id}"]
    who += [f"类别：{member.category}"] if member.category else [f"类型：{kind}"] if kind else []
    who += [f"状态：{STATUS_NAMES[member.status]}"] if member.status in STATUS_NAMES and member.status != "active" else []
    masked = _id_card(store, member_id)
    lines = ["　".join(who + ([f"身份证号：{masked}"] if masked else []))]
    people = _household(store, member_id)
    if people:
        lines.append("家庭成员：" + "、".join(people))
    lines += [f"所在支部：{branch}",
              f"积分方案：{results.output.get('name', scheme.name)}（版本 {results.output['scheme_version']}）",
              f"记录范围：{start:%Y-%m-%d} 至 {end:%Y-%m-%d} 已审核通过、未撤销的积分记录，"
              f"共 {len(entries)} 条；“累计加减分”为逐条加减分的累计，基础分、封顶和折算见“积分结果”。"]
    mine = [r for r in display_rows(result_rows(results.output)) if r["编号"] == member_id]
    explain = next((list(r["explain"]) for r in results.output["results"] if r["subject"] == member_id), [])
    if mine:
        result = ["　".join(f"{k}：{v}" for k, v in mine[0].items() if k not in ("编号", "姓名") and v not in ("", "—"))]
        result += _holdings(next(r for r in results.output["results"] if r["subject"] == member_id))
    else:
        result = ["本期没有积分结果（不在本支部参评名单中）。"]
    result.append("（已归档，为归档时冻结的结果）" if results.frozen
                  else f"（实时计算，计入截至 {min(results.through, dt.date.today()):%Y-%m-%d} 已审核通过的记录）")
    return {"title": f"{branch}　{member.name}　积分卡", "branch_title": f"{branch}　积分卡",
            "subtitle": results.label, "lines": [results.label] + lines, "entries": entries,
            "result": result, "explain": explain, "footer": f"{member.name}　积分卡"}


def _holdings(result: dict) -> list[str]:
    """A household's 累计积分 and 可用余额 where its scheme keeps a 积分超市 (the engine sets them)."""
    parts = [f"{name}：{fmt(to_decimal(result[key]))}" for key, name in (("cumulative", "累计积分"), ("balance", "可用余额"))
             if result.get(key) is not None]
    return ["　".join(parts) + "（兑换只减少可用余额，不减少当年积分和累计积分）"] if parts else []


def cards(store: Store, branch_code: str, cycle: int, period: str = "cycle", member_id: str | None = None,
          today: dt.date | None = None, track: str | None = None) -> list[dict]:
    """One card, or every card of the branch in the results' order (by rank). The track is
    the subject's (a household's card is its village scheme's), else party."""
    if track is None:
        track = track_of_kind(member_row(store, member_id).kind) if member_id is not None else "party"
    results = branch_results(store, branch_code, cycle, period, today, track)
    if member_id is not None:
        return [card(store, results, member_id)]
    subjects = [r["subject"] for r in results.output["results"]]
    if not subjects:
        raise EntryError(f"{branch_name(store, branch_code)}{results.label}没有积分结果，无可打印的积分卡")
    # one read of the branch's events for every card, not one per member
    mine: dict[str, list[dict]] = {s: [] for s in subjects}
    for event in period_events(store, branch_code, *_span(results), results.scheme):
        if event["编号"] in mine:
            mine[event["编号"]].append(event)
    return [card(store, results, s, mine[s]) for s in subjects]
