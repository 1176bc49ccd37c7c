"""``case``: a branch's case JSON from the store, naming the scheme it uses. Support staff
reproduce a branch's scores with

    python -m core case --org C01T01B01 --cycle 2025 > case.json
    python -m core evaluate --scheme party-q100-3to1 --case case.json

which prints the same JSON as ``python -m core results --org C01T01B01 --cycle 2025``.
"""

from __future__ import annotations

import json

from core import bounds
from core.cli import db_option, fail
from core.cli import open_db as _open
from core.cycles import PERIODS
from core.scheme_assignments import NoSchemeError, scheme_for_cycle
from core.services.case import build_case
from core.services.results import check_period
from core.services.entry_rules import EntryError
from core.store import Store


def open_db(args) -> Store:
    """A read-only verb's store: a missing file is refused, not created empty."""
    return _open(args, must_exist=True)


def check_branch(store: Store, code: str) -> None:
    level = store.scalar("SELECT level FROM orgs WHERE code = ?", [code])
    if level is None:
        raise NoSchemeError(f"未知组织编码：{code}")
    if level != "branch":
        raise NoSchemeError(f"{code} 是{level}级组织，请给出党支部（村）的编码")


def on_branch(args, work):
    """``work(store)`` for ``--org`` in ``--db``; returns (exit code, result). Bad input
    (no database, unknown org, no scheme, bad period, a cycle outside 2000..next year) exits 2
    with the message on stderr."""
    try:
        bounds.cycle(args.cycle)
    except EntryError as exc:
        return fail(exc), None
    try:
        store = open_db(args)
    except NoSchemeError as exc:
        return fail(exc), None
    try:
        check_branch(store, args.org)
        return 0, work(store)
    except (NoSchemeError, EntryError) as exc:
        return fail(exc), None
    finally:
        store.close()


def _case_with_header(store: Store, args) -> dict:
    _, assignment = scheme_for_cycle(store, args.org, args.cycle)
    scheme, case = build_case(store, args.org, args.cycle)
    check_period(args.period)
    header = {"scheme": scheme.id, "scheme_version": scheme.version, "period": args.period}
    if assignment.overrides:
        # `evaluate --scheme ID` would use the template as shipped; the branch's adjustments
        # are listed so support staff can see why the results differ.
        header["scheme_overrides"] = assignment.overrides
    return header | case


def run_case(args) -> int:
    code, case = on_branch(args, lambda store: _case_with_header(store, args))
    if code == 0:
        print(json.dumps(case, ensure_ascii=False, indent=2))
    return code


def common_args(parser) -> None:
    parser.add_argument("--org", required=True, help="党支部（村）编码，如 C01T01B01")
    parser.add_argument("--cycle", required=True, type=int, help="积分周期（起始年份），如 2025")
    db_option(parser)


def period_arg(parser) -> None:
    parser.add_argument("--period", choices=PERIODS, default="cycle", metavar="PERIOD",
                        help="期间：cycle（全年）、Q1..Q4（季度）、H1/H2（半年）、M1..M12（月），均从周期起点算起")


def register(sub) -> None:
    p = sub.add_parser("case", help="导出支部某周期的案例 JSON（与 evaluate 的输入格式相同）")
    common_args(p)
    period_arg(p)
    p.set_defaults(func=run_case)
