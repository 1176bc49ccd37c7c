"""``results``: the results the app shows for a branch and period, in the same JSON as
``evaluate`` (a finalised period prints its frozen snapshot)."""

from __future__ import annotations

from core.cli.case import common_args, on_branch, period_arg
from core.cli.evaluate import emit
from core.report import results_table
from core.scheme_assignments import TRACKS
from core.services.results import branch_results


def run(args) -> int:
    code, output = on_branch(args, lambda store: branch_results(store, args.org, args.cycle, args.period,
                                                                track=args.track).output)
    if code == 0:
        emit(output, args.format, results_table)
    return code


def register(sub) -> None:
    p = sub.add_parser("results", help="输出支部某周期的积分结果（与 evaluate 的输出格式相同）")
    common_args(p)
    period_arg(p)
    p.add_argument("--format", choices=("json", "table"), default="json", help="输出格式")
    p.add_argument("--track", choices=tuple(TRACKS), default="party",
                   help="积分对象：party 党员（默认）、village 农户（乡村治理）、volunteer 义工")
    p.set_defaults(func=run)
