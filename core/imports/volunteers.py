"""义工 import: a roster of volunteers (their own subjects, beside any party membership)."""

from __future__ import annotations

from core.imports.base import Column, Context, Plan
from core.imports.roster import (ADDRESS, BIRTH, BRANCH, CATEGORY, GENDER, GROUP, ID_CARD, PERSON, PHONE, STATUS,
                                 WORK_UNIT, undo_roster, validate_roster, write_roster)
from core.imports.roster import TABLES as TABLES  # what ``write`` fills (re-exported for ``imports.commit``)
from core.io.reader import Table

KIND = "volunteers"
NAME = "义工名册"
SUBJECT_KIND = "volunteer"
# the day one was registered as a volunteer: service counts for points from then (volunteer-stars)
REGISTERED = Column("approved_on", "登记日期", ("登记为义工日期", "义工登记日期", "纳入日期", "加入日期", "注册日期"), False,
                    "2025-03-01", width=12)
COLUMNS = [PERSON, ID_CARD, GENDER, BIRTH, BRANCH, GROUP, CATEGORY, PHONE, WORK_UNIT, ADDRESS, STATUS, REGISTERED]


def validate(ctx: Context, table: Table) -> Plan:
    return validate_roster(ctx, table, SUBJECT_KIND)[0]


def write(cur, ctx: Context, plan: Plan, batch_id: int, file_name: str) -> dict:
    return write_roster(cur, ctx, plan, batch_id)


def undo(cur, ctx: Context, batch_id: int) -> dict:
    return undo_roster(cur, ctx, batch_id)
