"""一票否决: a veto event with its evidence; revoking it appends a reversal row."""

from __future__ import annotations

import datetime as dt

import polars as pl

from core import audit, bounds
from core.auth import require, scope_for
from core.scheme_assignments import scheme_for, track_of_kind
from core.services.entry_rules import EntryError, check_date, check_unlocked, member_row, require_active
from core.store import Store

# Vetoes in force: not a revocation, not revoked.
CURRENT_VETOES_SQL = """
SELECT v.* FROM vetoes v
WHERE v.reverses IS NULL AND NOT EXISTS (SELECT 1 FROM vetoes x WHERE x.reverses = v.id)
"""


def add_veto(store: Store, user, member_id: str, item: str, date: dt.date, evidence: str,
             today: dt.date | None = None) -> int:
    """Record a veto (a decision of the branch, so a reviewer's action) with its evidence note."""
    require(user, "review")
    member_id = bounds.text(member_id, "成员编号", required=True, max_len=bounds.NAME_MAX, multiline=False)
    scope_for(store, user).check_member(store, member_id)
    member = member_row(store, member_id)
    require_active(member)
    day = check_date(date, today)
    evidence = bounds.text(evidence, "否决依据")
    if not evidence:
        raise EntryError("一票否决必须写明依据（文件、决定或事实）")
    scheme, _ = scheme_for(store, member.branch_code, day, track_of_kind(member.kind))
    veto = scheme.vetoes.get(item) if isinstance(item, str) else None
    if veto is None:
        raise EntryError(f"方案「{scheme.name}」中没有否决事项 {item}")

    def work(cur) -> int:
        if cur.execute(f"SELECT 1 FROM ({CURRENT_VETOES_SQL}) q WHERE member_id = ? AND item = ? AND date = ?",
                       [member.id, item, day]).fetchone():
            raise EntryError(f"{member.name} {day:%Y-%m-%d}「{veto.name}」已记录，不能重复记录")
        check_unlocked(cur, member.branch_code, day, track=track_of_kind(member.kind))
        veto_id = cur.execute(
            "INSERT INTO vetoes(member_id, branch_code, item, date, evidence, entered_by)"
            " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            [member.id, member.branch_code, item, day, evidence, user.username]).fetchone()[0]
        audit.record(cur, user.username, "veto.add", entity="veto", entity_id=veto_id, org_code=member.branch_code,
                     member_id=member.id, after={"item": item, "date": day, "effect": veto.effect},
                     reason=evidence)
        return veto_id

    return store.write(work)


def revoke_veto(store: Store, user, veto_id: int, reason: str) -> int:
    """Revoke a veto by appending a reversal row that carries the reason; returns its id."""
    require(user, "review")
    veto_id = bounds.record_id(veto_id, "一票否决记录编号")
    reason = bounds.text(reason, "撤销理由")
    if not reason:
        raise EntryError("撤销一票否决必须填写理由")
    row = store.one("SELECT member_id, item, date, reverses FROM vetoes WHERE id = ?", [veto_id])
    if row is None:
        raise EntryError(f"未找到一票否决记录 {veto_id}")
    member_id, item, day, reverses = row
    scope_for(store, user).check_member(store, member_id)
    if reverses is not None:
        raise EntryError("这是一条撤销记录，不能再撤销")
    member = member_row(store, member_id)

    def work(cur) -> int:
        if cur.execute("SELECT 1 FROM vetoes WHERE reverses = ?", [veto_id]).fetchone():
            raise EntryError("该一票否决已撤销，不能重复撤销")
        check_unlocked(cur, member.branch_code, day, track=track_of_kind(member.kind))
        new_id = cur.execute(
            "INSERT INTO vetoes(member_id, branch_code, item, date, evidence, reverses, entered_by)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [member_id, member.branch_code, item, day, reason, veto_id, user.username]).fetchone()[0]
        audit.record(cur, user.username, "veto.revoke", entity="veto", entity_id=veto_id,
                     org_code=member.branch_code, member_id=member_id, after={"reversal_id": new_id}, reason=reason)
        return new_id

    return store.write(work)


def current_vetoes(store: Store, branch_code: str, start: dt.date | None = None, end: dt.date | None = None
                   ) -> pl.DataFrame:
    """Vetoes in force for a branch (dated start..end if given), oldest first."""
    sql = (f"SELECT id, member_id, item, date, evidence, entered_by, entered_at FROM ({CURRENT_VETOES_SQL}) q"
           " WHERE branch_code = ?")
    params: list = [branch_code]
    if start is not None:
        sql += " AND date >= ?"
        params.append(start)
    if end is not None:
        sql += " AND date <= ?"
        params.append(end)
    return store.frame(sql + " ORDER BY date, id", params)
