"""What a scheme says about spending points at the 积分超市.

A scheme with a ``[supermarket]`` section lets its subjects spend; the engine computes their
``balance`` (core/engine/supermarket.py). volunteer-stars has no such section, yet the issue
lets volunteers spend their points too: they spend under the plainest rule, the engine's
own for a scheme that clears its points at year end (this cycle's points − this cycle's
exchanges), because the volunteer scheme does not carry points over. ``spending_scheme``
gives the engine that section, so the rule is still computed in one place.

The optional exchange window is the section's ``windows``: month-day ranges repeated each
year, e.g. ``windows = ["03-20..03-31", "12-20..12-31"]`` (每季度至少组织开展一次积分兑换活动
may be run as a few fixed days). Without it the counter is always open.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal, InvalidOperation

from core.scheme import Scheme

# Exchanges that count: not an undo, not undone.
LIVE_EXCHANGES_SQL = """
SELECT x.* FROM exchanges x
WHERE x.reverses IS NULL AND NOT EXISTS (SELECT 1 FROM exchanges u WHERE u.reverses = x.id)
"""

SPENDING_TRACKS = ("village", "volunteer")  # households and volunteers; party members do not spend
_VOLUNTEER_MARKET = {"yuan_per_point": 1, "cumulative": False}


class MarketRuleError(ValueError):
    """The scheme's [supermarket] section is malformed (a Chinese message naming the key)."""


def spends(scheme: Scheme, track: str) -> bool:
    """Whether the subjects scored by ``scheme`` on ``track`` may spend points."""
    return scheme.supermarket is not None or track == "volunteer"


def spending_scheme(scheme: Scheme, track: str) -> Scheme:
    """The scheme the engine computes a balance under (a volunteer's: see the module doc)."""
    if scheme.supermarket is not None or track != "volunteer":
        return scheme
    return replace(scheme, supermarket=dict(_VOLUNTEER_MARKET))


def market(scheme: Scheme) -> dict:
    return scheme.supermarket or _VOLUNTEER_MARKET


def _decimal(value, key: str, default: str) -> Decimal:
    try:
        number = Decimal(str(value if value is not None else default))
    except InvalidOperation:
        raise MarketRuleError(f"积分超市设置 {key} 应为数字：{value}") from None
    if not number.is_finite() or number <= 0:
        raise MarketRuleError(f"积分超市设置 {key} 应为正数：{value}")
    return number


def yuan_per_point(scheme: Scheme) -> Decimal:
    """每1积分按人民币几元计算 (default 1)."""
    return _decimal(market(scheme).get("yuan_per_point"), "yuan_per_point", "1")


def subsidy_rate(scheme: Scheme) -> Decimal:
    """The share of a goods' unit price the 衔接资金 pays (default 50%, seed 000)."""
    rate = _decimal(market(scheme).get("subsidy_rate"), "subsidy_rate", "0.5")
    if rate > 1:
        raise MarketRuleError(f"积分超市设置 subsidy_rate 应在 0 到 1 之间：{rate}")
    return rate


def _month_day(text: str, key: str) -> tuple[int, int]:
    try:
        month, day = (int(part) for part in text.strip().split("-"))
        dt.date(2024, month, day)  # a leap year, so 02-29 is allowed
    except (ValueError, TypeError):
        raise MarketRuleError(f"积分超市设置 {key} 的日期应写成 月-日（如 03-20）：{text}") from None
    return month, day


def windows(scheme: Scheme) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """The exchange windows as ((month, day), (month, day)) pairs; [] = always open."""
    raw = market(scheme).get("windows") or []
    if not isinstance(raw, list):
        raise MarketRuleError("积分超市设置 windows 应为列表，如 [\"03-20..03-31\"]")
    out = []
    for i, text in enumerate(raw):
        key = f"windows[{i}]"
        if not isinstance(text, str) or ".." not in text:
            raise MarketRuleError(f"积分超市设置 {key} 应写成 起..止（如 03-20..03-31）：{text}")
        begin, end = text.split("..", 1)
        out.append((_month_day(begin, key), _month_day(end, key)))
    return out


def window_text(scheme: Scheme) -> str:
    spans = windows(scheme)
    if not spans:
        return "全年开放"
    return "、".join(f"{a[0]}月{a[1]}日至{b[0]}月{b[1]}日" for a, b in spans)


def window_closed(scheme: Scheme, day: dt.date) -> str | None:
    """Why the counter is closed on ``day`` (a Chinese sentence), or None when open. A range
    whose end comes before its start runs over the new year (12-20..01-10)."""
    spans = windows(scheme)
    if not spans:
        return None
    here = (day.month, day.day)
    for begin, end in spans:
        if (begin <= here <= end) if begin <= end else (here >= begin or here <= end):
            return None
    return f"{day.isoformat()} 不在积分兑换时间内（本方案兑换时间：{window_text(scheme)}），不予兑换"
