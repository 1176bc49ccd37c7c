"""Demo organisation tree: counties, townships/streets, branches and party groups."""

from __future__ import annotations

import random

from core.demo.names import COMMUNITY_STEMS, COUNTY_STEMS, TOWNSHIP_STEMS, UNIT_BRANCHES, VILLAGE_STEMS

SIZES = {
    # size: (counties, townships per county, branches per township, members per branch)
    "S": (1, 1, 20, 40),
    "M": (1, 15, 20, 40),
    "L": (10, 15, 20, 40),
}


def _unique(rng: random.Random, stems: list[str], used: set[str]) -> str:
    for _ in range(50):
        stem = rng.choice(stems)
        if stem not in used:
            used.add(stem)
            return stem
    stem = rng.choice(stems) + rng.choice("东西南北前后上下")
    used.add(stem)
    return stem


def build(rng: random.Random, size: str) -> list[dict]:
    """Org rows in tree order. Codes read like C01T03B07G2, so a code says where it sits."""
    counties, townships, branches_per, _ = SIZES[size]
    rows: list[dict] = []
    county_used: set[str] = set()
    for ci in range(1, counties + 1):
        c_code = f"C{ci:02d}"
        c_path = f"/{c_code}/"
        rows.append(dict(code=c_code, name=_unique(rng, COUNTY_STEMS, county_used) + "县", level="county",
                         kind="county", parent_code=None, path=c_path, county_code=c_code, township_code=None,
                         branch_code=None, sort=ci))
        town_used: set[str] = set()
        for ti in range(1, townships + 1):
            t_code = f"{c_code}T{ti:02d}"
            t_path = f"{c_path}{t_code}/"
            street = ti % 4 == 0  # every fourth is a 街道 with communities rather than villages
            t_name = _unique(rng, TOWNSHIP_STEMS, town_used) + ("街道" if street else "镇")
            rows.append(dict(code=t_code, name=t_name, level="township", kind="street" if street else "town",
                             parent_code=c_code, path=t_path, county_code=c_code, township_code=t_code,
                             branch_code=None, sort=ti))
            village_used: set[str] = set()
            for bi in range(1, branches_per + 1):
                b_code = f"{t_code}B{bi:02d}"
                b_path = f"{t_path}{b_code}/"
                if bi > branches_per - len(UNIT_BRANCHES):
                    kind, suffix = UNIT_BRANCHES[bi - (branches_per - len(UNIT_BRANCHES)) - 1]
                    name = t_name.removesuffix("街道").removesuffix("镇") + suffix
                elif street or bi % 5 == 0:
                    kind = "community"
                    name = _unique(rng, COMMUNITY_STEMS, village_used) + "社区党支部"
                else:
                    kind = "village"
                    name = _unique(rng, VILLAGE_STEMS, village_used) + "村党支部"
                rows.append(dict(code=b_code, name=name, level="branch", kind=kind, parent_code=t_code,
                                 path=b_path, county_code=c_code, township_code=t_code, branch_code=b_code,
                                 sort=bi))
                for gi in range(1, rng.randint(2, 4) + 1):
                    g_code = f"{b_code}G{gi}"
                    group_name = ("第" + "一二三四"[gi - 1] + ("网格" if kind == "community" else "党小组"))
                    rows.append(dict(code=g_code, name=group_name, level="group", kind="grid" if kind == "community" else "group",
                                     parent_code=b_code, path=f"{b_path}{g_code}/", county_code=c_code,
                                     township_code=t_code, branch_code=b_code, sort=gi))
    return rows
