"""The `python -m core` / `jifen` command line.

Each module in this package adds its own verbs through ``register(subparsers)``;
a verb's handler takes the parsed args and returns an exit code. Keeping one
module per verb family lets features land without editing a shared switchboard.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys


BAD_INPUT = 2


def fail(exc: Exception) -> int:
    """Bad input: a Chinese message on stderr (it names the field and row) and exit code 2."""
    print(f"错误：{exc}", file=sys.stderr)
    return BAD_INPUT


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jifen", description="积分制管理 命令行工具")
    sub = parser.add_subparsers(dest="command", required=True, metavar="命令")
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
