"""党员花名册 import: a branch's (or a county's) party members, added or updated."""

from __future__ import annotations

from core.imports.base import Column, Context, Plan
from core.imports.roster import (ADDRESS, BIRTH, BRANCH, CATEGORY, GENDER, GROUP, ID_CARD, PERSON, PHONE, STATUS,
                                 WORK_UNIT, undo_roster, validate_roster, write_roster)
from core.imports.roster import TABLES as TABLES  # what ``write`` fills (re-exported for ``imports.commit``)
from core.io.reader import Table

KIND = "members"
NAME = "党员花名册"
SUBJECT_KIND = "member"
COLUMNS = [
    PERSON, ID_CARD, GENDER, BIRTH, BRANCH, GROUP,
    Column("join_date", "入党日期", ("入党时间", "入党年月", "加入党组织日期"), False, "2015-07-01", width=12),
    Column("probationary", "党员类别", ("是否预备党员", "预备党员", "党籍状态", "正式/预备"), False, "正式党员",
           ("正式党员", "预备党员"), width=10),
    Column("probation_start", "预备期开始", ("预备期开始日期",), False, "", width=12),
    Column("probation_end", "预备期结束", ("预备期结束日期", "预计转正日期"), False, "", width=12),
    CATEGORY, PHONE, WORK_UNIT,
    Column("department", "所在部门", ("部门",), False, "", width=12),
    Column("mobile", "流动党员", ("是否流动党员",), False, "否", ("是", "否"), width=8),
    STATUS,
    Column("exempt_reason", "免评原因", ("免于评星原因",), False, "", width=14),
    Column("exempt_by", "批准机构", ("批准单位",), False, "", width=12),
    Column("exempt_on", "批准日期", (), False, "", width=12),
    Column("joined_branch", "转入本支部日期", ("转入日期", "转入时间"), False, "", width=14),
    ADDRESS,
]


def validate(ctx: Context, table: Table) -> Plan:
    return validate_roster(ctx, table, SUBJECT_KIND)[0]


def write(cur, ctx: Context, plan: Plan, batch_id: int, file_name: str) -> dict:
    return write_roster(cur, ctx, plan, batch_id)


def undo(cur, ctx: Context, batch_id: int) -> dict:
    return undo_roster(cur, ctx, batch_id)
