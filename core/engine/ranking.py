"""Rank keys, competition ranking and quotas inside one branch."""

from __future__ import annotations

from decimal import Decimal

from core.decimals import round1

LOWEST = Decimal("-Infinity")


def rank_key(keys: tuple[str, ...], outcome) -> tuple:
    out = []
    for key in keys:
        if key == "total":  # a period result with a component 未评 ranks on its subtotal
            value = outcome.total_shown if outcome.total is not None else outcome.subtotal_shown
        elif key == "stars":
            value = None if outcome.stars is None else Decimal(outcome.stars)
        elif key == "dimension_sum":
            value = outcome.dimension_sum
        else:
            comp = outcome.components.get(key)
            value = None if comp is None or comp.value is None else round1(comp.value)
        out.append(LOWEST if value is None else value)
    return tuple(out)


def competition_ranks(outcomes: list) -> None:
    """1, 2, 2, 4 over the key; vetoed subjects come after all others."""
    for vetoed in (False, True):
        offset = sum(1 for o in outcomes if not o.vetoed) if vetoed else 0
        group = [o for o in outcomes if o.vetoed == vetoed]
        keys = sorted((o.key for o in group), reverse=True)
        position: dict[tuple, int] = {}
        for i, key in enumerate(keys):
            position.setdefault(key, i + 1)
        for o in group:
            o.rank = offset + position[o.key]
    everyone = sorted(outcomes, key=lambda o: (not o.vetoed, o.key))
    for i, o in enumerate(everyone):
        # rank counted from the bottom, sharing ties like the rank from the top
        if i and everyone[i - 1].vetoed == o.vetoed and everyone[i - 1].key == o.key:
            o.rank_from_bottom = everyone[i - 1].rank_from_bottom
        else:
            o.rank_from_bottom = i + 1


def allowed_places(base: int, percent: Decimal, minimum: int) -> int:
    return max(int(Decimal(base) * percent // 100), minimum)


def quota_cut(holders: list, allowed: int) -> tuple[list, list, bool]:
    """(kept, dropped, tie_on_line). Vetoed holders never take a place; when
    the line falls inside a tie, everyone in that tie drops."""
    eligible = sorted((o for o in holders if not o.vetoed), key=lambda o: o.key, reverse=True)
    vetoed = [o for o in holders if o.vetoed]
    if len(eligible) <= allowed:
        return eligible, vetoed, False
    kept, rest = eligible[:allowed], eligible[allowed:]
    tie = bool(kept) and kept[-1].key == rest[0].key
    if tie:
        line = kept[-1].key
        rest = [o for o in kept if o.key == line] + rest
        kept = [o for o in kept if o.key != line]
    return kept, vetoed + rest, tie
