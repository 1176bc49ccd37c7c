"""A subject's 积分超市 balance, computed by the engine (never a second copy of the rule).

``balance`` builds the subject's case (its own events, earlier cycles' for a scheme that
never clears points, and its live exchanges: ``core/services/case.py``) and evaluates it:
``balance`` and ``cumulative`` are the engine's numbers. For a scheme that clears its
points at year end ``cumulative`` is this cycle's points (what was earned and is never
lowered by an exchange), so both numbers always come back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from core import bounds
from core.auth import require, scope_for
from core.auth.users import subject_of
from core.cycles import cycle_of
from core.engine.evaluate import evaluate
from core.scheme import Scheme
from core.scheme_assignments import TRACKS, scheme_for, track_of_kind
from core.services.case import build_case, plain_number
from core.services.entry_rules import EntryError, MemberRow, member_row
from core.store import Store
from core.supermarket.rules import spending_scheme, spends


@dataclass(frozen=True)
class Balance:
    subject: MemberRow
    scheme: Scheme
    cycle: int
    total: Decimal | None  # this cycle's points
    cumulative: Decimal | None  # never lowered by an exchange
    balance: Decimal | None  # what may still be exchanged
    redeemable: bool  # False under a no_redeem veto (不参与积分兑换)
    explain: tuple[str, ...]

    def as_json(self) -> dict:
        num = plain_number
        return {"subject": self.subject.id, "name": self.subject.name, "org": self.subject.branch_code,
                "scheme": self.scheme.id, "cycle": self.cycle, "total": num(self.total),
                "cumulative": num(self.cumulative), "balance": num(self.balance), "redeemable": self.redeemable}


def check_viewer(store: Store, user, subject_id: str) -> None:
    """Staff in scope, or the subject themselves; ``user`` None is the command line (support
    staff with the database in hand)."""
    if user is None:
        return
    if user.role == "subject":
        require(user, "self")
        if subject_of(store, user.username) != subject_id:  # the login's own subject, never a parameter
            raise EntryError("只能查看本人（本户）的积分")
        return
    require(user, "view")
    scope_for(store, user).check_member(store, subject_id)


def subject_balance(store: Store, subject: MemberRow, today: dt.date) -> Balance:
    """The engine's balance of ``subject`` on ``today`` (the cycle that holds today)."""
    track = track_of_kind(subject.kind)
    scheme, _ = scheme_for(store, subject.branch_code, today, track)
    if not spends(scheme, track):
        raise EntryError(f"{subject.name} 属于{TRACKS.get(track, track)}积分，方案「{scheme.name}」不设积分超市，不能兑换")
    cycle = cycle_of(scheme.cycle_start, today)
    scheme, case = build_case(store, subject.branch_code, cycle, today=today, upto=today, track=track)
    case = {key: ([r for r in rows if (r.get("subject") or r.get("id")) == subject.id]
                  if isinstance(rows, list) else rows) for key, rows in case.items()}
    if not case["subjects"]:
        raise EntryError(f"{subject.name} 不在{subject.branch_code}本周期的积分对象中")
    scheme = spending_scheme(scheme, track)
    result = evaluate(scheme, case)["results"][0]

    def dec(key):
        value = result.get(key)
        return None if value is None else Decimal(str(value))

    total = dec("total")
    return Balance(subject, scheme, cycle, total, dec("cumulative") if scheme.cumulative else total, dec("balance"),
                   bool(result.get("redeemable")), tuple(result.get("explain", ())))


def balance(store: Store, user, subject_id: str, today: dt.date | None = None) -> Balance:
    """Balance, cumulative and total of one subject; refused outside the user's scope."""
    subject_id = bounds.text(subject_id, "对象编号", required=True, max_len=bounds.NAME_MAX, multiline=False)
    check_viewer(store, user, subject_id)
    return subject_balance(store, member_row(store, subject_id), today or dt.date.today())
