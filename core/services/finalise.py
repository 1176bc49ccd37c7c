"""确认归档 and 重新开放: freezing a published period, and undoing that with a reason.

Finalising needs the window closed, every objection resolved, and the results unchanged
since they were published (otherwise what is archived was never publicised). It marks
the publicity finalised (its snapshot becomes the frozen results), locks the period's
dates against new entries (``entry_rules.check_unlocked`` reads the lock), and for a whole
cycle writes the grades to ``cycle_history`` for next cycle's streak rules.
"""

from __future__ import annotations

import datetime as dt

from core import audit
from core.auth import require, scope_for
from core.cycles import period_bounds, period_label
from core.scheme_assignments import scheme_for_cycle
from core.services.entry_rules import EntryError
from core.services.objections import open_count
from core.services.publicity import STATE_NAMES, Publicity, active_lock, get_publicity
from core.services.results import live_output
from core.services.review_steps import EXCHANGE, add_step, approved_for, latest
from core.store import Store

_COMPARED = ("subject", "total", "grade", "stars", "rank", "flags")


def changed_subjects(published: dict, now: dict) -> list[str]:
    """Subjects whose published total, grade, stars, rank or flags differ from ``now``."""
    def key(output):
        return {r["subject"]: tuple(str(r.get(f)) for f in _COMPARED) for r in output["results"]}

    before, after = key(published), key(now)
    return sorted(s for s in before.keys() | after.keys() if before.get(s) != after.get(s))


def finalise_blockers(store: Store, pub: Publicity, today: dt.date, settled: list[str] | None = None) -> list[str]:
    """Why the publicity cannot be finalised today; empty when it can. The page shows these
    next to the disabled button, and ``finalise`` refuses with the same words. Where the
    scheme's ``[workflow]`` sends the period up, the township must have approved this 公示.
    ``settled``: ``publicity_blockers`` already worked out today (it evaluates the branch)."""
    reasons = list(publicity_blockers(store, pub, today) if settled is None else settled)
    if pub.state == "open" and _workflow(store, pub).needs_township(pub.period) and not approved_for(
            store, pub.branch_code, pub.cycle, pub.period, pub.track, pub.id):
        last = latest(store, pub.branch_code, pub.cycle, pub.period, pub.track, EXCHANGE)
        if last is not None and last.outcome == "submitted":
            reasons.append(f"上级党委尚未审核通过（{last.made_at:%Y-%m-%d} 已报送，等待乡镇党委审核）")
        elif last is not None and last.outcome == "returned":
            reasons.append(f"上级党委尚未审核通过（已被退回：{last.reason}；请更正后重新报送）")
        else:
            reasons.append("上级党委尚未审核通过（请先「报送乡镇审核」，乡镇党委审核通过后才能归档）")
    return reasons


def _workflow(store: Store, pub: Publicity):
    return scheme_for_cycle(store, pub.branch_code, pub.cycle, track=pub.track)[0].workflow


def publicity_blockers(store: Store, pub: Publicity, today: dt.date) -> list[str]:
    """Why the 公示 itself is not settled today: the window still runs, an objection is open,
    or the results changed since published. Both 报送乡镇审核 and 确认归档 need it settled."""
    if pub.state != "open":
        return [f"该公示{STATE_NAMES[pub.state]}"]
    reasons = []
    if today <= pub.end_date:
        reasons.append(f"公示期到 {pub.end_date:%Y-%m-%d} 结束，{pub.end_date + dt.timedelta(days=1):%Y-%m-%d} 起才能归档")
    with store.cursor() as cur:
        waiting = open_count(cur, pub.branch_code, pub.cycle, pub.period, pub.track)
    if waiting:
        reasons.append(f"还有 {waiting} 条异议未办结")
    _, now, _ = live_output(store, pub.branch_code, pub.cycle, pub.period, today, pub.track)
    changed = changed_subjects(pub.snapshot, now)
    if changed:
        reasons.append(f"公示后有 {len(changed)} 名成员的结果发生变化，请先重新公示")
    return reasons


def finalise(store: Store, user, publicity_id: int, today: dt.date | None = None) -> int:
    """确认归档; returns the id of the period lock written."""
    today = today or dt.date.today()
    require(user, "finalise")
    pub = get_publicity(store, publicity_id)
    scope_for(store, user).check_org(store, pub.branch_code)
    reasons = finalise_blockers(store, pub, today)
    if reasons:
        raise EntryError("不能归档：" + "；".join(reasons))
    scheme, _ = scheme_for_cycle(store, pub.branch_code, pub.cycle, today, pub.track)
    start, end = period_bounds(scheme.cycle_start, pub.cycle, pub.period)
    label = period_label(scheme, pub.cycle, pub.period)

    def work(cur) -> int:
        # Re-checked inside the transaction: another session may have acted meanwhile.
        if cur.execute("SELECT state FROM publicity WHERE id = ?", [publicity_id]).fetchone()[0] != "open":
            raise EntryError("该公示已归档或已被替代")
        if open_count(cur, pub.branch_code, pub.cycle, pub.period, pub.track):
            raise EntryError("不能归档：有新的异议未办结")
        if active_lock(cur, pub.branch_code, pub.cycle, pub.period, pub.track):
            raise EntryError(f"{label}已归档")
        cur.execute("UPDATE publicity SET state = 'finalised', finalised_by = ?, finalised_at = current_timestamp"
                    " WHERE id = ?", [user.username, publicity_id]).fetchall()
        lock_id = cur.execute(
            "INSERT INTO period_locks(branch_code, cycle, period, start_date, end_date, publicity_id, locked_by, track)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [pub.branch_code, pub.cycle, pub.period, start, end, publicity_id, user.username, pub.track]).fetchone()[0]
        if pub.period == "cycle":
            _write_history(cur, pub)
        if scheme.workflow.has("filing") and (pub.period == "cycle" or scheme.workflow.needs_township(pub.period)):
            # 备案: the archived result is what the upper level keeps on file
            step_id, after = add_step(cur, user.username, pub.branch_code, pub.cycle, pub.period, pub.track,
                                      "filing", "done", publicity_id=publicity_id)
            audit.record(cur, user.username, "review.filing", entity="review_step", entity_id=step_id,
                         org_code=pub.branch_code, after=after)
        audit.record(cur, user.username, "period.finalise", entity="period_lock", entity_id=lock_id,
                     org_code=pub.branch_code, before={"publicity": publicity_id, "state": "open"},
                     after={"period": pub.period, "cycle": pub.cycle, "start": start, "end": end,
                            "scheme": f"{pub.scheme_id}@{pub.scheme_version}"})
        return lock_id

    return store.write(work)


def _finalised_members(pub: Publicity) -> list[str]:
    return [r["subject"] for r in pub.snapshot["results"]]


def _write_history(cur, pub: Publicity) -> None:
    """Grades of a finalised cycle, one row per subject that got a result."""
    members = _finalised_members(pub)
    _clear_history(cur, pub.cycle, members)
    for r in pub.snapshot["results"]:
        if r["total"] is None and r["grade"] is None and r["stars"] is None:
            continue  # exempt: nothing to carry forward
        cur.execute("INSERT INTO cycle_history(member_id, cycle, scheme_id, grade, stars, total, source)"
                    " VALUES (?, ?, ?, ?, ?, ?, 'finalised')",
                    [r["subject"], pub.cycle, pub.scheme_id, r["grade"], r["stars"], r["total"]]).fetchall()


def _clear_history(cur, cycle: int, members: list[str]) -> None:
    if members:
        cur.execute(f"DELETE FROM cycle_history WHERE source = 'finalised' AND cycle = ?"
                    f" AND member_id IN ({', '.join('?' for _ in members)})", [cycle, *members]).fetchall()


def reopen(store: Store, user, branch_code: str, cycle: int, period: str, reason: str,
           track: str = "party") -> int:
    """重新开放 a finalised period (township or admin), with a reason; returns the lock id.

    The lock stays on record marked reopened; the frozen snapshot stops being the shown
    result; finalised history of a cycle is withdrawn until it is finalised again.
    """
    require(user, "reopen")
    scope_for(store, user).check_org(store, branch_code)
    reason = (reason or "").strip()
    if not reason:
        raise EntryError("请填写重新开放的原因")
    label = period_label(scheme_for_cycle(store, branch_code, cycle, track=track)[0], cycle, period)

    def work(cur) -> int:
        lock = active_lock(cur, branch_code, cycle, period, track)
        if lock is None:
            raise EntryError(f"{label}未归档，无需重新开放")
        lock_id, start, end, publicity_id = lock
        cur.execute("UPDATE period_locks SET reopened_by = ?, reopened_at = current_timestamp, reopen_reason = ?"
                    " WHERE id = ?", [user.username, reason, lock_id]).fetchall()
        if publicity_id is not None:
            # The archived snapshot stops being the period's result; a new 公示 will replace it.
            cur.execute("UPDATE publicity SET state = 'withdrawn' WHERE id = ?", [publicity_id]).fetchall()
            if period == "cycle":
                _clear_history(cur, cycle, _finalised_members(get_publicity(cur, publicity_id)))
        audit.record(cur, user.username, "period.reopen", entity="period_lock", entity_id=lock_id,
                     org_code=branch_code, before={"locked": True, "start": start, "end": end},
                     after={"locked": False}, reason=reason)
        return lock_id

    return store.write(work)
