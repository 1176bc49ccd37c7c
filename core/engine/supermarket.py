"""Points supermarket (积分超市) balances: what a household may still exchange.

In a scheme with ``cumulative = true`` the points are never cleared (累计积分不清零):
``total`` is this cycle's points, ``cumulative`` adds every earlier cycle's points, and
``balance`` is the cumulative points less every exchange up to the result's end. In a
scheme that clears its points at year end, ``balance`` is this cycle's points less this
cycle's exchanges. An exchange never lowers ``total`` or ``cumulative``; a penalty may
leave the balance negative.

An exchange that would make the balance negative on its day is refused (bad input naming
the row): the points held that day are the points held at the result's end less what the
events dated after the exchange brought.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from core.decimals import fmt, json_number, to_decimal, unscaled
from core.engine.case import CaseError
from core.scheme.model import Scheme

ZERO = Decimal(0)


@dataclass
class Holdings:
    """One subject's points outside this cycle's total, and its events by date."""

    prior: Decimal = ZERO  # earlier cycles (a cumulative scheme)
    dated: list[tuple[date, Decimal]] = field(default_factory=list)


def prior_points(points: dict) -> dict[str, Holdings]:
    """Holdings per subject, from the per-subject ComponentEvents of the items."""
    out: dict[str, Holdings] = {}
    for sid, comps in points.items():
        held = Holdings(unscaled(sum(ce.prior for ce in comps.values())))
        held.dated = sorted((day, unscaled(v)) for ce in comps.values() for day, v in ce.dated)
        out[sid] = held
    return out


def _spent(scheme: Scheme, exchanges, start: date, end: date) -> dict[str, list[tuple[date, int, Decimal]]]:
    """Exchanges per subject up to ``end`` (from the cycle's start unless cumulative), by date,
    with their row in the case."""
    out: dict[str, list[tuple[date, int, Decimal]]] = {}
    for row, (sid, when, points) in enumerate(exchanges):
        if points <= 0:
            raise CaseError("exchanges.points", row, f"兑换积分应为正数: {fmt(points)}")
        if when <= end and (scheme.cumulative or when >= start):
            out.setdefault(sid, []).append((when, row, points))
    return {sid: sorted(rows) for sid, rows in out.items()}


def add_balances(scheme: Scheme, results: list[dict], holdings: dict[str, Holdings], exchanges,
                 start: date, end: date) -> None:
    """Set ``balance`` (and ``cumulative`` for a cumulative scheme) on each scored result,
    with its explain lines; refuse an exchange that overdraws the balance on its day."""
    if scheme.supermarket is None:
        return
    used = _spent(scheme, exchanges, start, end)
    for result in results:
        now = result.get("total")
        if now is None:
            now = result.get("subtotal")
        if now is None:
            continue
        sid = result["subject"]
        now = to_decimal(now)
        mine = holdings.get(sid, Holdings())
        lines = []
        held = now
        if scheme.cumulative:
            held = now + mine.prior
            result["cumulative"] = json_number(held)
            lines.append(f"累计积分 = 本周期 {fmt(now)} + 往年 {fmt(mine.prior)} = {fmt(held)}（累计积分不清零）")
        out = ZERO
        for when, row, points in used.get(sid, []):
            later = sum((v for day, v in mine.dated if day > when), ZERO)
            available = held - later - out
            if points > available:
                raise CaseError("exchanges.points", row,
                                f"{when.isoformat()} 兑换 {fmt(points)} 分超出当日可用余额 {fmt(available)} 分，不予兑换")
            out += points
        balance = held - out
        result["balance"] = json_number(balance)
        lines.append(f"可用余额 = {'累计积分' if scheme.cumulative else '本周期积分'} {fmt(held)} − 已兑换 {fmt(out)}"
                     f" = {fmt(balance)}（兑换不减少总分）")
        result["explain"] = list(result["explain"]) + lines
