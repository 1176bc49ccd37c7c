"""The running total a recorder sees beside the entry form: exactly the results page's
figure for the member's branch and current cycle, plus what still waits for review."""

from __future__ import annotations

import datetime as dt

from core.auth import scope_for
from core.cycles import cycle_label, cycle_of
from core.scheme_assignments import scheme_for
from core.services.entry_rules import member_row
from core.services.ledger import STATUS_SQL
from core.services.results import branch_results
from core.store import Store


def member_summary(store: Store, user, member_id: str, today: dt.date | None = None) -> dict:
    """Total, grade, stars and rank of the member in the current cycle (approved events
    only, as the engine counts them), the scheme version, and the 待审核 count."""
    today = today or dt.date.today()
    scope_for(store, user).check_member(store, member_id)
    member = member_row(store, member_id)
    scheme, assignment = scheme_for(store, member.branch_code, today)
    cycle = cycle_of(scheme.cycle_start, today)
    results = branch_results(store, member.branch_code, cycle, "cycle", today)
    mine = next((r for r in results.output["results"] if r["subject"] == member_id), {})
    pending = store.scalar(
        f"SELECT count(*) FROM events e LEFT JOIN event_reviews r ON r.event_id = e.id"
        f" WHERE e.member_id = ? AND {STATUS_SQL} = 'entered'", [member_id])
    return {"member": member.name, "cycle": cycle, "cycle_label": cycle_label(scheme, cycle),
            "total": mine.get("total"), "grade": mine.get("grade"), "stars": mine.get("stars"),
            "rank": mine.get("rank"), "components": mine.get("components", {}),
            "scheme": results.scheme.name, "scheme_version": results.scheme.version,
            "assigned_version": assignment.scheme_version, "frozen": results.frozen, "pending": pending}
