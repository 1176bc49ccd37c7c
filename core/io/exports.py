"""The files that go out, as bytes, for the pages and the ``export`` command alike:
台账 (ledger), 乡镇报表 (township report), 积分卡 (card) and 公示 (publicity).

Every function takes an optional ``scope``: a page passes the user's, which must contain the
org (or member) asked for; the command line passes None (or the ``--as`` user's scope). Bad
input raises ``ExportError`` with a Chinese message; a missing CJK font raises ``FontMissing``.
"""

from __future__ import annotations

import datetime as dt

from core.auth.scope import Scope
from core.cycles import PERIODS, period_label
from core.io import card as cards_module
from core.io import ledger, township
from core.io.pdf import card_pdf, notice_pdf
from core.io.tables import csv_bytes
from core.io.workbook import workbook_bytes
from core.scheme_assignments import scheme_for_cycle
from core.services.publicity import current_publicity, notice
from core.store import Store

KINDS = {"ledger": "台账", "report": "乡镇报表", "card": "积分卡", "publicity": "公示"}
SUFFIXES = {"ledger": (".xlsx",), "report": (".xlsx", ".csv"), "card": (".pdf",), "publicity": (".pdf",)}
LEVEL_NAMES = {"county": "县（区）", "township": "乡镇（街道）", "branch": "党支部（村）", "group": "党小组（网格）"}


class ExportError(ValueError):
    """Bad input to an export; the message is shown as is."""


def _org_level(store: Store, code: str) -> str:
    level = store.scalar("SELECT level FROM orgs WHERE code = ?", [code])
    if level is None:
        raise ExportError(f"未知组织编码：{code}")
    return level


def check_branch(store: Store, code: str, scope: Scope | None) -> None:
    level = _org_level(store, code)
    if level != "branch":
        raise ExportError(f"{code} 是{LEVEL_NAMES.get(level, level)}，请给出党支部（村）的编码")
    if scope is not None:
        scope.check_org(store, code)


def check_period(period: str) -> str:
    if period not in PERIODS:
        raise ExportError(f"期间应为 cycle（全年）、Q1—Q4、H1/H2 或 M1—M12 之一，实为 {period}")
    return period


def ledger_xlsx(store: Store, branch_code: str, cycle: int, period: str | None = None,
                scope: Scope | None = None, today: dt.date | None = None) -> bytes:
    """The branch's 台账 of the cycle; ``period`` (a quarter, half or month) keeps only its sheet
    before the summary."""
    check_branch(store, branch_code, scope)
    periods = None if period in (None, "cycle") else [check_period(period)]
    return workbook_bytes(ledger.ledger_sheets(store, branch_code, cycle, periods, today))


def report_xlsx(store: Store, org_code: str, cycle: int, period: str | None = None, scope: Scope | None = None,
                today: dt.date | None = None, csv: bool = False, category: str | None = None) -> bytes:
    """Branches × indicators under a township (or county); ``period`` is a calendar period as
    the dashboards take it (2026Q1, 2026-03, 2026), this quarter when not given."""
    level = _org_level(store, org_code)
    if level not in ("county", "township"):
        raise ExportError(f"{org_code} 是{LEVEL_NAMES.get(level, level)}，乡镇报表请给出乡镇（街道）或县（区）的编码")
    try:
        sheets = township.report_sheets(store, township.org_scope(store, scope, org_code), cycle, period, today,
                                        category)
    except ValueError as exc:
        raise ExportError(str(exc)) from None
    if csv:
        table = sheets[0].tables[0]
        return csv_bytes([{c: row.get(c) for c in table.columns} for row in table.rows])
    return workbook_bytes(sheets)


def card_bytes(store: Store, branch_code: str, cycle: int, period: str = "cycle", subject: str | None = None,
               scope: Scope | None = None, today: dt.date | None = None, track: str | None = None) -> bytes:
    """One subject's 积分卡, or the whole branch's (one subject per page section); ``track``
    picks whose cards (a village's 户积分卡), else the subject's own, else the party members'."""
    check_branch(store, branch_code, scope)
    check_period(period)
    if subject is not None:
        if store.scalar("SELECT 1 FROM members WHERE id = ?", [subject]) is None:
            raise ExportError(f"未找到成员 {subject}")
        if scope is not None:
            scope.check_member(store, subject)
    return card_pdf(cards_module.cards(store, branch_code, cycle, period, subject, today, track))


def publicity_pdf(store: Store, branch_code: str, cycle: int, period: str = "cycle",
                  scope: Scope | None = None) -> bytes:
    """The 公示 of the branch's period as published (open or finalised)."""
    check_branch(store, branch_code, scope)
    check_period(period)
    pub = current_publicity(store, branch_code, cycle, period)
    if pub is None:
        scheme, _ = scheme_for_cycle(store, branch_code, cycle)
        raise ExportError(f"{ledger.branch_name(store, branch_code)}{period_label(scheme, cycle, period)}尚未发起公示")
    return notice_pdf(notice(store, pub))


def file_name(store: Store, kind: str, org_code: str, cycle: int, period: str | None = None,
              subject: str | None = None) -> str:
    """'梁寨村党支部_2025_台账.xlsx': what a download is saved as (no path characters)."""
    name = store.scalar("SELECT name FROM orgs WHERE code = ?", [org_code]) or org_code
    parts = [name, str(cycle)] + ([period] if period and period != "cycle" else [])
    if subject:
        parts.append(store.scalar("SELECT name FROM members WHERE id = ?", [subject]) or subject)
    return clean_file_name("_".join(parts + [KINDS[kind]])) + SUFFIXES[kind][0]


def clean_file_name(stem: str) -> str:
    """``stem`` with the characters a file name may not hold (on Windows too) made '_'."""
    return "".join("_" if c in '\\/:*?"<>|' else c for c in stem)
