"""``python -m core evaluate --scheme ID_OR_PATH --case CASE.json``."""

from __future__ import annotations

import argparse
import json

from core.cli import fail
from core.cycles import PERIODS
from core.engine import CaseError, evaluate
from core.report import results_table
from core.scheme import SchemeError, load_scheme

def read_case(path: str) -> dict:
    """The case JSON; a missing or malformed file is bad input (exit 2)."""
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except OSError as exc:
        raise CaseError("case", None, f"无法读取案例文件 {path}: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise CaseError("case", None, f"案例文件不是合法 JSON（第 {exc.lineno} 行第 {exc.colno} 列）: {exc.msg}") from None


def emit(data: dict, fmt: str, table) -> None:
    if fmt == "table":
        print(table(data))
    else:
        print(json.dumps(data, ensure_ascii=False, indent=2))


def run(args: argparse.Namespace) -> int:
    try:
        scheme = load_scheme(args.scheme)
        output = evaluate(scheme, read_case(args.case), period=args.period)
    except (SchemeError, CaseError) as exc:
        return fail(exc)
    emit(output, args.format, results_table)
    return 0


def register(subparsers) -> None:
    parser = subparsers.add_parser("evaluate", help="按方案计算一个积分周期的结果（JSON 输出）")
    parser.add_argument("--scheme", required=True, help="方案 id（如 party-q100-3to1）或 .toml 路径")
    parser.add_argument("--case", required=True, help="案例 JSON 文件")
    parser.add_argument("--period", choices=PERIODS, default=None, metavar="PERIOD",
                        help="期间：cycle、Q1..Q4、H1/H2、M1..M12（默认取案例的 period，否则全年）")
    parser.add_argument("--format", choices=("json", "table"), default="json", help="输出格式")
    parser.set_defaults(func=run)
