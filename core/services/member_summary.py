"""The running total a recorder sees beside the entry form: exactly the results page's
figure for the member's branch and the running period (the quarter or month holding today:
a cycle's 全年 grade is not due until it ends), plus what still waits for review."""

from __future__ import annotations

import datetime as dt

from core.auth import scope_for
from core.cycles import current_period, cycle_label, cycle_of, period_name
from core.scheme_assignments import scheme_for, track_of_kind
from core.services.entry_rules import MemberRow, member_row
from core.services.ledger import STATUS_SQL
from core.services.results import branch_results, explain_lines
from core.store import Store


def member_summary(store: Store, user, member_id: str, today: dt.date | None = None) -> dict:
    """The member's score to date in the running period (the subtotal where a part is 未评),
    grade or stars where that period is graded, rank (approved events only, as the engine
    counts them), the scheme version, and the 待审核 count."""
    scope_for(store, user).check_member(store, member_id)
    return subject_summary(store, member_row(store, member_id), today)


def subject_summary(store: Store, member: MemberRow, today: dt.date | None = None) -> dict:
    """``member_summary`` without the scope check, for a caller that has checked who may read
    ``member`` (a subject's own login: ``core.self_service``). Also the supermarket's balance
    and cumulative where the scheme has them, the explanation lines, and how many are ranked."""
    today = today or dt.date.today()
    track = track_of_kind(member.kind)  # a household's figure is its village scheme's
    scheme, assignment = scheme_for(store, member.branch_code, today, track)
    cycle = cycle_of(scheme.cycle_start, today)
    period = current_period(scheme, cycle, scheme.publish_periods, today)
    results = branch_results(store, member.branch_code, cycle, period, today, track)
    mine = next((r for r in results.output["results"] if r["subject"] == member.id), {})
    pending = store.scalar(
        f"SELECT count(*) FROM events e LEFT JOIN event_reviews r ON r.event_id = e.id"
        f" WHERE e.member_id = ? AND {STATUS_SQL} = 'entered'", [member.id])
    total = mine.get("total") if mine.get("total") is not None else mine.get("subtotal")
    return {"member": member.name, "cycle": cycle, "cycle_label": cycle_label(scheme, cycle),
            "period": period, "period_name": period_name(scheme, cycle, period),
            "graded": period in scheme.graded_periods,
            "total": total, "grade": mine.get("grade"), "stars": mine.get("stars"),
            "rank": mine.get("rank"), "components": mine.get("components", {}),
            "scheme": results.scheme.name, "scheme_version": results.scheme.version,
            "assigned_version": assignment.scheme_version, "frozen": results.frozen, "pending": pending,
            "kind": member.kind, "track": track, "supermarket": scheme.supermarket is not None,
            "balance": mine.get("balance"), "cumulative": mine.get("cumulative"),
            "explain": explain_lines(results.output, member.id) if mine else [],
            "ranked": sum(1 for r in results.output["results"] if r.get("rank") is not None)}
