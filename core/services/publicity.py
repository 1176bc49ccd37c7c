"""公示: publishing a branch's results for a period, with a window of dates.

A publicity row holds the snapshot published (the engine's output, scheme version
included). Republishing after a correction withdraws the row and opens a new one over the
same window, so every snapshot ever shown stays on record. Objections belong to the
window (branch, cycle, period), not to one snapshot, so they survive a republish.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from core import audit, bounds
from core.auth import require, scope_for
from core.cycles import cycle_bounds, period_bounds, period_label
from core.scheme_assignments import resolve_scheme, scheme_for_cycle, track_of_kind
from core.services import reminders
from core.services.entry_rules import EntryError
from core.services.ledger import STATUS_SQL
from core.services.results import check_period, live_output, result_rows
from core.store import Store

STATE_NAMES = {"open": "公示中", "finalised": "已归档", "withdrawn": "已撤回（重新公示或重新开放）"}
WINDOW_NAMES = {"upcoming": "未开始", "open": "公示中", "closed": "公示期已结束，待归档"} | {
    k: v for k, v in STATE_NAMES.items() if k != "open"}

_COLUMNS = ("id, branch_code, cycle, period, scheme_id, scheme_version, start_date, end_date, state, snapshot,"
            " created_by, created_at, finalised_by, finalised_at, coalesce(track, 'party')")
# What a 公示 is of, in its title: a village publishes its households beside its party members.
TRACK_TITLES = {"party": "党员积分结果公示", "village": "农户积分结果公示", "volunteer": "党员义工积分结果公示"}


@dataclass(frozen=True)
class Publicity:
    id: int
    branch_code: str
    cycle: int
    period: str
    scheme_id: str
    scheme_version: str
    start_date: dt.date
    end_date: dt.date
    state: str
    snapshot: dict
    created_by: str
    created_at: dt.datetime
    finalised_by: str | None
    finalised_at: dt.datetime | None
    track: str = "party"  # the subjects published: 党员, a village's households, volunteers

    @property
    def label(self) -> str:
        """The period's one full name (core.cycles), by the cycle start of the scheme published
        (kept in the snapshot; older snapshots take it from the scheme file)."""
        start = self.snapshot.get("cycle_start") or resolve_scheme(self.scheme_id, None).cycle_start
        return period_label(start, self.cycle, self.period)

    @property
    def days(self) -> int:
        """Length of the window, both ends included (7月1日至7月7日 is 7 days)."""
        return (self.end_date - self.start_date).days + 1

    def window(self, today: dt.date) -> str:
        if self.state != "open":
            return self.state
        if today < self.start_date:
            return "upcoming"
        return "open" if today <= self.end_date else "closed"

    def days_left(self, today: dt.date) -> int:
        """Calendar days left in the window, today included; 0 once it has closed."""
        return max(0, (self.end_date - today).days + 1) if today >= self.start_date else self.days


def _publicity(row) -> Publicity:
    values = list(row)
    values[9] = json.loads(values[9])
    return Publicity(*values)


def get_publicity(store, publicity_id: int) -> Publicity:
    """``store`` may be a write's cursor: a read inside a write stays on the write's own
    connection (on a server another one would come from the pool, and see the data before)."""
    publicity_id = bounds.record_id(publicity_id, "公示编号")
    sql = f"SELECT {_COLUMNS} FROM publicity WHERE id = ?"
    row = store.one(sql, [publicity_id]) if isinstance(store, Store) else store.execute(sql, [publicity_id]).fetchone()
    if row is None:
        raise EntryError(f"未找到公示 {publicity_id}")
    return _publicity(row)


def current_publicity(store: Store, branch_code: str, cycle: int, period: str,
                      track: str = "party") -> Publicity | None:
    """The window's newest publicity that is open or finalised (a withdrawn one was replaced)."""
    row = store.one(
        f"SELECT {_COLUMNS} FROM publicity WHERE branch_code = ? AND cycle = ? AND period = ?"
        " AND coalesce(track, 'party') = ? AND state <> 'withdrawn' ORDER BY id DESC LIMIT 1",
        [branch_code, cycle, period, track],
    )
    return _publicity(row) if row else None


def list_publicities(store: Store, branch_codes: list[str], cycle: int | None = None) -> list[Publicity]:
    if not branch_codes:
        return []
    sql = f"SELECT {_COLUMNS} FROM publicity WHERE branch_code IN ({', '.join('?' for _ in branch_codes)})"
    params: list = list(branch_codes)
    if cycle is not None:
        sql += " AND cycle = ?"
        params.append(cycle)
    return [_publicity(r) for r in store.all(sql + " AND state <> 'withdrawn' ORDER BY id DESC", params)]


def open_window(store: Store, branch_code: str, track: str = "party") -> tuple[int, str] | None:
    """(cycle, period) of the branch's newest open 公示 of ``track``, where the page should start."""
    row = store.one("SELECT cycle, period FROM publicity WHERE branch_code = ? AND state = 'open'"
                    " AND coalesce(track, 'party') = ? ORDER BY id DESC LIMIT 1", [branch_code, track])
    return tuple(row) if row else None


def pending_event_ids(store: Store, branch_code: str, start: dt.date, end: dt.date,
                      track: str | None = None) -> list[int]:
    """Events of the branch dated in ``start..end`` still waiting for review (待审核); with
    ``track``, only those of its subjects (a household's entry does not hold up the party 公示)."""
    rows = store.all(
        f"SELECT e.id, m.kind FROM events e LEFT JOIN event_reviews r ON r.event_id = e.id"
        f" LEFT JOIN members m ON m.id = e.member_id"
        f" WHERE e.branch_code = ? AND e.date BETWEEN ? AND ? AND ({STATUS_SQL}) = 'entered' ORDER BY e.id",
        [branch_code, start, end])
    return [i for i, kind in rows if track is None or track_of_kind(kind or "member") == track]


def _check_publishable(store: Store, scheme, branch_code: str, cycle: int, period: str, track: str) -> None:
    """Every event the results count must have been reviewed: a 公示 of figures that may
    still change would mislead the branch."""
    first = cycle_bounds(scheme.cycle_start, cycle)[0]
    last = period_bounds(scheme.cycle_start, cycle, period)[1]
    waiting = len(pending_event_ids(store, branch_code, first, last, track))
    if waiting:
        raise EntryError(f"{first:%Y-%m-%d}至{last:%Y-%m-%d}还有 {waiting} 条积分记录待审核，"
                         "请先在「审核」页面处理完毕再公示")


def _check_window(scheme, start: dt.date, end: dt.date, today: dt.date) -> None:
    start, end = bounds.window(start, end)
    if start < today:
        raise EntryError(f"公示开始日期 {start:%Y-%m-%d} 早于今天，公示不能补登")
    days = (end - start).days + 1
    if days < scheme.publicity_min_days:
        raise EntryError(f"公示期不少于 {scheme.publicity_min_days} 天（含首尾两天），"
                         f"{start:%Y-%m-%d}至{end:%Y-%m-%d}只有 {max(days, 0)} 天")


def active_lock(cur, branch_code: str, cycle: int, period: str, track: str = "party"):
    """(id, start, end, publicity_id) of the lock of ``track`` in force for the period, or None."""
    return cur.execute(
        "SELECT id, start_date, end_date, publicity_id FROM period_locks WHERE branch_code = ? AND cycle = ?"
        " AND period = ? AND coalesce(track, 'party') = ? AND reopened_at IS NULL ORDER BY id DESC LIMIT 1",
        [branch_code, cycle, period, track]).fetchone()


def open_publicity(store: Store, user, branch_code: str, cycle: int, period: str, start: dt.date,
                   end: dt.date, today: dt.date | None = None, track: str = "party") -> int:
    """发起公示: snapshot the branch's results for the period and open the window."""
    today = today or dt.date.today()
    require(user, "publish")
    cycle = bounds.cycle(cycle, today=today)
    start, end = bounds.window(start, end)
    scope_for(store, user).check_org(store, branch_code)
    check_period(period)
    scheme, output, _ = live_output(store, branch_code, cycle, period, today, track)
    _check_window(scheme, start, end, today)
    _check_publishable(store, scheme, branch_code, cycle, period, track)
    label = period_label(scheme, cycle, period)

    def work(cur) -> int:
        if active_lock(cur, branch_code, cycle, period, track):
            raise EntryError(f"{label}已确认归档；如需重新公示，请乡镇组织委员先重新开放")
        running = cur.execute("SELECT id FROM publicity WHERE branch_code = ? AND cycle = ? AND period = ?"
                              " AND coalesce(track, 'party') = ? AND state = 'open'",
                              [branch_code, cycle, period, track]).fetchone()
        if running:
            raise EntryError(f"{label}已有进行中的公示（编号 {running[0]}），不能重复发起")
        new_id = _insert(cur, user, branch_code, cycle, period, output, start, end, track)
        audit.record(cur, user.username, "publicity.open", entity="publicity", entity_id=new_id,
                     org_code=branch_code, after=_summary(output, start, end, period))
        reminders.close(cur, user.username, branch_code, "publicity", reminders.quarter_ref(cycle, period, track))
        return new_id

    return store.write(work)


def republish(store: Store, user, publicity_id: int, reason: str, today: dt.date | None = None,
              end: dt.date | None = None, keep_window: bool = False) -> int:
    """重新公示 after a correction: a fresh snapshot. A corrected result is news to the
    members, so by default it gets a new window of at least the scheme's minimum days from
    today (``end`` may lengthen it); ``keep_window`` keeps the old dates (``end`` may only
    extend them). The audit row says which was chosen."""
    today = today or dt.date.today()
    require(user, "publish")
    old = get_publicity(store, publicity_id)
    publicity_id = old.id
    scope_for(store, user).check_org(store, old.branch_code)
    reason = bounds.text(reason, "重新公示的原因", required=True)
    if end is not None and not isinstance(end, dt.date):
        raise EntryError("请选择公示结束日期")
    if isinstance(end, dt.datetime):
        end = end.date()
    scheme, output, _ = live_output(store, old.branch_code, old.cycle, old.period, today, old.track)
    if keep_window:
        start, end = old.start_date, end or old.end_date
        if end < old.end_date:
            raise EntryError(f"重新公示的结束日期不能早于原结束日期 {old.end_date:%Y-%m-%d}")
        bounds.window(start, end)
        choice = f"沿用原公示期 {start:%Y-%m-%d}至{end:%Y-%m-%d}"
    else:
        start = today
        end = end or today + dt.timedelta(days=scheme.publicity_min_days - 1)
        _check_window(scheme, start, end, today)
        choice = f"重新起算公示期 {start:%Y-%m-%d}至{end:%Y-%m-%d}（不少于 {scheme.publicity_min_days} 天）"
    _check_publishable(store, scheme, old.branch_code, old.cycle, old.period, old.track)

    def work(cur) -> int:
        state = cur.execute("SELECT state FROM publicity WHERE id = ?", [publicity_id]).fetchone()[0]
        if state != "open":
            raise EntryError(f"该公示{STATE_NAMES[state]}，不能重新公示")
        cur.execute("UPDATE publicity SET state = 'withdrawn' WHERE id = ?", [publicity_id]).fetchall()
        new_id = _insert(cur, user, old.branch_code, old.cycle, old.period, output, start, end, old.track)
        audit.record(cur, user.username, "publicity.republish", entity="publicity", entity_id=new_id,
                     org_code=old.branch_code, before=_summary(old.snapshot, old.start_date, old.end_date, old.period)
                     | {"publicity_id": publicity_id},
                     after=_summary(output, start, end, old.period) | {"window": "kept" if keep_window else "new"},
                     reason=f"{reason.strip()}；{choice}")
        return new_id

    return store.write(work)


def _insert(cur, user, branch_code: str, cycle: int, period: str, output: dict, start: dt.date,
            end: dt.date, track: str) -> int:
    return cur.execute(
        "INSERT INTO publicity(branch_code, cycle, period, scheme_id, scheme_version, start_date, end_date, state,"
        " snapshot, created_by, track) VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?) RETURNING id",
        [branch_code, cycle, period, output["scheme"], output["scheme_version"], start, end,
         json.dumps(output, ensure_ascii=False), user.username, track],
    ).fetchone()[0]


def _summary(output: dict, start: dt.date, end: dt.date, period: str) -> dict:
    """What the audit log keeps of a snapshot: enough to see what changed, not the explanations."""
    return {"period": period, "start": start, "end": end, "scheme": f"{output['scheme']}@{output['scheme_version']}",
            "results": {r["subject"]: [r["total"] if r["total"] is not None else r.get("subtotal"), r["grade"],
                                       r["stars"]] for r in output["results"]}}


def notice(store: Store, pub: Publicity) -> dict:
    """The printable 公示 (page, PDF and Excel share it): title, lines above the table, rows,
    the footer (how, where and by when to object, and how soon the answer comes) and the seal
    block (the branch's name with （盖章） and a blank 年 月 日 for the date it is stamped)."""
    branch = store.scalar("SELECT name FROM orgs WHERE code = ?", [pub.branch_code]) or pub.branch_code
    scheme = pub.snapshot.get("name") or pub.scheme_id
    rows = [{k: v for k, v in row.items() if k != "编号"} for row in result_rows(pub.snapshot)]
    first, last = period_bounds(pub.snapshot.get("cycle_start") or resolve_scheme(pub.scheme_id, None).cycle_start,
                                pub.cycle, pub.period)
    answer_days = scheme_for_cycle(store, pub.branch_code, pub.cycle, track=pub.track)[0].objection_working_days
    return {
        "title": f"{branch}{pub.label}{TRACK_TITLES.get(pub.track, TRACK_TITLES['party'])}",
        "lines": [f"积分方案：{scheme}（版本 {pub.scheme_version}）",
                  f"公示期：{pub.start_date:%Y-%m-%d} 至 {pub.end_date:%Y-%m-%d}（共 {pub.days} 天）",
                  f"统计期间：{first:%Y-%m-%d} 至 {last:%Y-%m-%d}"]
        + _period_note(pub.snapshot),
        "rows": rows,
        "footer": [f"公示期间如有异议，请于 {pub.end_date:%Y-%m-%d} 前向支部委员会书面或当面反映。",
                   f"反映时请写明本人姓名、异议的项目和理由；支部委员会自收到之日起 {answer_days} 个工作日内核实答复。"],
        "seal": [f"{branch}（盖章）", "年　　月　　日"],
    }


def _period_note(output: dict) -> list[str]:
    """A quarter's notice says what its numbers are, so nobody reads 未评 as 0 or looks for a grade."""
    if output.get("period", "cycle") == "cycle":
        return []
    note = "本期公布本期各项得分和截至本期的累计得分；“未评”表示尚未到评定时间，不计入得分"
    return [note + ("。" if output.get("graded") else "；等次在年度评定。")]
