"""Points supermarket (积分超市) balances: what a household may still exchange.

In a scheme with ``cumulative = true`` the points are never cleared (累计积分不清零):
``total`` is this cycle's points, ``cumulative`` adds every earlier cycle's points, and
``balance`` is the cumulative points less every exchange up to the result's end. In a
scheme that clears its points at year end, ``balance`` is this cycle's points less this
cycle's exchanges. An exchange never lowers ``total`` or ``cumulative``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from core.decimals import fmt, json_number, to_decimal, unscaled
from core.scheme.model import Scheme

ZERO = Decimal(0)


def spent(scheme: Scheme, exchanges, start: date, end: date) -> dict[str, Decimal]:
    """Points exchanged per subject up to ``end`` (from the cycle's start unless cumulative)."""
    out: dict[str, Decimal] = {}
    for sid, when, points in exchanges:
        if when <= end and (scheme.cumulative or when >= start):
            out[sid] = out.get(sid, ZERO) + points
    return out


def prior_points(points: dict) -> dict[str, Decimal]:
    """Earlier cycles' points per subject, from the per-subject ComponentEvents."""
    return {sid: unscaled(sum(ce.prior for ce in comps.values())) for sid, comps in points.items()}


def add_balances(scheme: Scheme, results: list[dict], prior: dict[str, Decimal], exchanges,
                 start: date, end: date) -> None:
    """Set ``balance`` (and ``cumulative`` for a cumulative scheme) on each scored result,
    with its explain lines; ``prior`` comes from ``prior_points``."""
    if scheme.supermarket is None:
        return
    used = spent(scheme, exchanges, start, end)
    for result in results:
        now = result.get("total")
        if now is None:
            now = result.get("subtotal")
        if now is None:
            continue
        sid = result["subject"]
        now = to_decimal(now)
        lines = []
        held = now
        if scheme.cumulative:
            earlier = prior.get(sid, ZERO)
            held = now + earlier
            result["cumulative"] = json_number(held)
            lines.append(f"累计积分 = 本周期 {fmt(now)} + 往年 {fmt(earlier)} = {fmt(held)}（累计积分不清零）")
        out = used.get(sid, ZERO)
        balance = held - out
        result["balance"] = json_number(balance)
        lines.append(f"可用余额 = {'累计积分' if scheme.cumulative else '本周期积分'} {fmt(held)} − 已兑换 {fmt(out)}"
                     f" = {fmt(balance)}（兑换不减少总分）")
        result["explain"] = list(result["explain"]) + lines
