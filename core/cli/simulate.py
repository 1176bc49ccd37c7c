"""``python -m core simulate --scheme A --new-scheme B --case CASE.json``."""

from __future__ import annotations

import argparse
import tomllib

from core.cli import fail
from core.cli.evaluate import emit, read_case
from core.engine import CaseError
from core.report import changes_table
from core.scheme import SchemeError, load_scheme
from core.simulate import simulate


def run(args: argparse.Namespace) -> int:
    try:
        scheme = load_scheme(args.scheme)
        new = load_scheme(args.new_scheme) if args.new_scheme else None
        try:
            overrides = tomllib.loads(args.set) if args.set else None
        except tomllib.TOMLDecodeError as exc:
            raise SchemeError("--set", "(TOML)", f"格式错误: {exc}") from None
        if new is None and overrides is None:
            raise SchemeError("--new-scheme", "(参数)", "请给出 --new-scheme 或 --set")
        report = simulate(scheme, read_case(args.case), new_scheme=new, overrides=overrides)
    except (SchemeError, CaseError) as exc:
        return fail(exc)
    emit(report, args.format, changes_table)
    return 0


def register(subparsers) -> None:
    parser = subparsers.add_parser("simulate", help="比较两个方案在同一数据上的结果：谁的等次/星级/总分变化、为什么")
    parser.add_argument("--scheme", required=True, help="现行方案 id 或 .toml 路径")
    parser.add_argument("--new-scheme", help="新方案 id 或 .toml 路径")
    parser.add_argument("--set", help='对现行方案的调整（TOML 片段），如 \'quotas."0".percent = 30\'')
    parser.add_argument("--case", required=True, help="案例 JSON 文件")
    parser.add_argument("--format", choices=("json", "table"), default="json", help="输出格式")
    parser.set_defaults(func=run)
