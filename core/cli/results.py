"""``results``: the results the app shows for a branch and period, in the same JSON as
``evaluate`` (a finalised period prints its frozen snapshot)."""

from __future__ import annotations

from core.cli.case import check_branch, common_args, open_db
from core.cli.evaluate import emit, fail
from core.cycles import PERIODS
from core.report import results_table
from core.scheme_assignments import NoSchemeError
from core.services.entry_rules import EntryError
from core.services.results import branch_results


def run(args) -> int:
    try:
        store = open_db(args)
    except NoSchemeError as exc:
        return fail(exc)
    try:
        check_branch(store, args.org)
        output = branch_results(store, args.org, args.cycle, args.period).output
    except (NoSchemeError, EntryError) as exc:
        return fail(exc)
    finally:
        store.close()
    emit(output, args.format, results_table)
    return 0


def register(sub) -> None:
    p = sub.add_parser("results", help="输出支部某周期的积分结果（与 evaluate 的输出格式相同）")
    common_args(p)
    p.add_argument("--period", choices=PERIODS, default="cycle", help="期间：cycle（全年）或 Q1..Q4、H1/H2")
    p.add_argument("--format", choices=("json", "table"), default="json", help="输出格式")
    p.set_defaults(func=run)
