"""Caps (封顶) per quarter and per cycle, on items, categories and components.

A cap limits the positive sum and the negative sum separately. When a cycle cap
binds, the points earned last are the ones cut, so earlier quarters keep their
values and a quarter-scored component still sees where the points fell.
"""

from __future__ import annotations

from decimal import Decimal

from core.decimals import fmt
from core.scheme.model import Cap

Buckets = dict[int, list[Decimal]]  # bucket → [positive sum, negative sum]
SIGN_INDEX = {"positive": 0, "negative": 1}
SIGN_TEXT = {"positive": "加分", "negative": "扣分"}


def apply_caps(buckets: Buckets, caps: list[Cap], label: str, lines: list[str]) -> Buckets:
    out = {b: list(v) for b, v in buckets.items()}
    for cap in sorted(caps, key=lambda c: c.period != "quarter"):
        idx = SIGN_INDEX[cap.sign]
        sign = 1 if idx == 0 else -1
        if cap.period == "quarter":
            for bucket in sorted(out):
                if bucket and abs(out[bucket][idx]) > cap.limit:
                    before = out[bucket][idx]
                    out[bucket][idx] = sign * cap.limit
                    lines.append(
                        f"封顶 {cap.name}：{label} Q{bucket} {SIGN_TEXT[cap.sign]} {fmt(before)} → {fmt(out[bucket][idx])}"
                    )
            continue
        in_cycle = [b for b in sorted(out) if b]
        total = sum((out[b][idx] for b in in_cycle), Decimal(0))
        excess = abs(total) - cap.limit
        if excess <= 0:
            continue
        lines.append(
            f"封顶 {cap.name}：{label} 本周期{SIGN_TEXT[cap.sign]} {fmt(total)} → {fmt(sign * cap.limit)}"
        )
        for bucket in reversed(in_cycle):
            cut = min(excess, abs(out[bucket][idx]))
            out[bucket][idx] -= sign * cut
            excess -= cut
            if not excess:
                break
    return out


def merge(into: Buckets, other: Buckets) -> None:
    for bucket, (pos, neg) in other.items():
        slot = into.setdefault(bucket, [Decimal(0), Decimal(0)])
        slot[0] += pos
        slot[1] += neg
