"""Demo members with plausible ages, categories, join dates and statuses."""

from __future__ import annotations

import datetime as dt
import random
from functools import lru_cache

from core import pinyin
from core.demo.names import DEPARTMENTS, FEMALE_GIVEN, MALE_GIVEN, SURNAMES

CATEGORIES = {
    # branch kind: [(category, weight, mobile)]
    "village": [("村干部", 15, False), ("无职", 75, False), ("流动", 10, True)],
    "community": [("骨干类", 20, False), ("普通类", 70, False), ("流动类", 10, True)],
    "机关": [("机关", 100, False)],
    "school": [("事业单位", 100, False)],
    "enterprise": [("普通类", 90, False), ("流动类", 10, True)],
}
# Where the branch's scheme names finer categories of its own (party-votes-80-20: 社区-两委,
# 机关-普通, 在职, 65岁以上, ...), the kind's category is renamed into them: the n-th member of
# that category in the branch takes the n-th name (the last one repeats), so a branch has one
# 书记, a few 两委 and so on. Used only when the scheme lists every name of the kind.
RENAMES = {
    "community": {"骨干类": ("社区-书记",) + ("社区-两委",) * 3 + ("社区-支部成员",),
                  "普通类": ("社区-普通",), "流动类": ("社区-普通",)},
    "机关": {"机关": ("机关-领导班子",) * 2 + ("机关-中层干部",) * 3 + ("机关-普通",)},
    "enterprise": {"普通类": ("非公-班子成员",) * 2 + ("非公-管理骨干",) * 3 + ("非公-普通",),
                   "流动类": ("非公-普通",)},
}
IN_SERVICE = "在职"  # 在职党员: a work unit's member reporting in to the community (has a department)
ELDERLY, ELDERLY_AGE = "65岁以上", 65
# Cadres first: the branch committee is drawn from these (core.demo.plan), then everyone else.
CADRES = ("村干部", "骨干类") + tuple(dict.fromkeys(
    name for table in RENAMES.values() for names in table.values() for name in names[:-1]))


@lru_cache(maxsize=None)
def _keys(name: str) -> tuple[str, str]:
    return pinyin.keys(name)


def _name(rng: random.Random, gender: str) -> str:
    given = MALE_GIVEN if gender == "男" else FEMALE_GIVEN
    length = 1 if rng.random() < 0.3 else 2
    return rng.choice(SURNAMES) + "".join(rng.choice(given) for _ in range(length))


def _date_between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, max(0, (end - start).days)))


def _birth(rng: random.Random, today: dt.date) -> dt.date:
    # about 5% aged 70 or over; the rest spread over working and retired ages
    age = rng.randint(70, 88) if rng.random() < 0.05 else int(rng.triangular(22, 69, 45))
    return _date_between(rng, dt.date(today.year - age - 1, today.month, 1), dt.date(today.year - age, today.month, 1))


def _renamed(kind: str, vocabulary: set[str] | None) -> bool:
    """Whether a branch of ``kind`` whose scheme names ``vocabulary`` uses RENAMES."""
    renames = RENAMES.get(kind, {})
    return bool(vocabulary and renames and {n for names in renames.values() for n in names} <= vocabulary)


def _possible(kind: str, vocabulary: set[str] | None) -> set[str]:
    """Every category a member of such a branch may be given."""
    if _renamed(kind, vocabulary):
        names = {n for names in RENAMES[kind].values() for n in names}
        return names | ({IN_SERVICE, ELDERLY} & vocabulary)
    return {c[0] for c in CATEGORIES[kind]}


def _category(kind: str, drawn: str, vocabulary: set[str] | None, seen: dict[str, int],
              department: str | None, age: int) -> str:
    """The drawn category, in the scheme's own names where it has them (see RENAMES)."""
    if not _renamed(kind, vocabulary):
        return drawn
    renames = RENAMES[kind]
    names = renames.get(drawn)
    if names is None:
        return drawn
    nth = seen[drawn] = seen.get(drawn, -1) + 1
    renamed = names[min(nth, len(names) - 1)]
    if renamed != names[-1]:
        return renamed  # a cadre keeps the post's category
    if department is not None and IN_SERVICE in vocabulary:
        return IN_SERVICE
    if age >= ELDERLY_AGE and ELDERLY in vocabulary:
        return ELDERLY
    return renamed


def build(rng: random.Random, orgs: list[dict], members_per_branch: int, today: dt.date,
          vocabularies: dict[str, set[str] | None] | None = None) -> tuple[list[dict], list[dict]]:
    """Member rows and branch-history rows for every branch in ``orgs``. ``vocabularies``:
    the categories each branch's scheme names (core.demo.plan.category_vocabularies)."""
    groups: dict[str, list[str]] = {}
    for org in orgs:
        if org["level"] == "group":
            groups.setdefault(org["parent_code"], []).append(org["code"])
    branches = [o for o in orgs if o["level"] == "branch"]
    vocabularies = vocabularies or {}
    members: list[dict] = []
    history: list[dict] = []
    serial = 0
    for index, branch in enumerate(branches):
        cats = CATEGORIES[branch["kind"]]
        seen: dict[str, int] = {}
        count = rng.randint(members_per_branch - 15, members_per_branch + 15)
        for _ in range(count):
            serial += 1
            gender = "男" if rng.random() < 0.72 else "女"
            name = _name(rng, gender)
            birth = _birth(rng, today)
            age = (today - birth).days // 365
            probationary = rng.random() < 0.12 and age < 60
            if probationary:
                join = _date_between(rng, today - dt.timedelta(days=330), today - dt.timedelta(days=30))
            else:
                join = _date_between(rng, dt.date(birth.year + 19, 7, 1), min(today - dt.timedelta(days=400), dt.date(birth.year + 50, 7, 1)))
            category, _, mobile = rng.choices(cats, weights=[c[1] for c in cats])[0]
            status, reason, by = "active", None, None
            if age >= 70 and rng.random() < 0.6:
                status, reason, by = "exempt", "年老体弱", "支部党员大会"
            elif rng.random() < 0.005:
                status, reason, by = "exempt", "长期患病", "支部党员大会"
            joined_branch = max(join, dt.date(2015, 1, 1) + dt.timedelta(days=rng.randint(0, 900)))
            moved_from = None
            # A few moved in from an earlier branch of the same kind (a village member from another
            # village), at least half a year after joining the party, so the categories and the
            # history dates stay consistent.
            earliest_move = max(join + dt.timedelta(days=180), dt.date(today.year - 2, 1, 1))
            latest_move = today - dt.timedelta(days=60)
            # ... from a branch whose scheme takes this branch's categories (a transfer is
            # scored by the earlier branch for the part of the cycle spent there).
            possible = _possible(branch["kind"], vocabularies.get(branch["code"]))
            same_kind = [b for b in branches[:index] if b["kind"] == branch["kind"]
                         and (vocabularies.get(b["code"]) is None or possible <= vocabularies[b["code"]])]
            if rng.random() < 0.03 and same_kind and earliest_move < latest_move:
                moved_from = rng.choice(same_kind)
                joined_branch = _date_between(rng, earliest_move, latest_move)
            initials, full = _keys(name)
            department = rng.choice(DEPARTMENTS) if branch["kind"] == "community" and rng.random() < 0.15 else None
            category = _category(branch["kind"], category, vocabularies.get(branch["code"]), seen, department, age)
            member_id = f"M{serial:06d}"
            members.append(dict(
                id=member_id, name=name, kind="member", gender=gender, birth_date=birth, join_date=join,
                probationary=probationary, category=category, mobile=mobile, department=department,
                branch_code=branch["code"], group_code=rng.choice(groups[branch["code"]]),
                phone=f"1{rng.choice('3456789')}{rng.randint(0, 999999999):09d}", status=status,
                exempt_reason=reason, exempt_by=by, joined_branch=joined_branch, approved_on=None,
                initials=initials, pinyin=full,
            ))
            if moved_from:
                history.append(dict(member_id=member_id, branch_code=moved_from["code"], group_code=None,
                                    from_date=join, to_date=joined_branch - dt.timedelta(days=1),
                                    reason="组织关系转接"))
            history.append(dict(member_id=member_id, branch_code=branch["code"], group_code=None,
                                from_date=joined_branch, to_date=None, reason="组织关系转入" if moved_from else "入党/建档"))
    # A few members have left: their record stays, with the branch history closed.
    open_rows = {row["member_id"]: row for row in history if row["to_date"] is None}
    for member in rng.sample(members, k=max(1, len(members) // 100)):
        if member["status"] == "active":
            member["status"] = "transferred"
            row = open_rows[member["id"]]
            row["to_date"] = _date_between(rng, max(row["from_date"], today - dt.timedelta(days=300)),
                                           today - dt.timedelta(days=10))
            row["reason"] += "；已转出"
    return members, history
