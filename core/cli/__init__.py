"""The `python -m core` / `jifen` command line.

Each module in this package adds its own verbs through ``register(subparsers)``;
a verb's handler takes the parsed args and returns an exit code. Keeping one
module per verb family lets features land without editing a shared switchboard.

Every verb that reads or writes the store takes the same ``--db`` (``db_option``): a
DuckDB file or a ``postgresql://`` URL. A store that cannot be opened (the file held by
the running app, the server down) is a Chinese message and exit code 2, not a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import re
import sys
from pathlib import Path

from core import bounds
from core.store import Store, StoreUnavailable, default_db_path, is_server_url


BAD_INPUT = 2
DB_HELP = ("数据库：DuckDB 文件路径，或 PostgreSQL 服务器地址 postgresql://用户@主机:端口/库名"
           "（默认取环境变量 JIFEN_DB，未设置时为 data/jifen.duckdb）")


def fail(exc: Exception) -> int:
    """Bad input: a Chinese message on stderr (it names the field and row) and exit code 2."""
    print(f"错误：{exc}", file=sys.stderr)
    return BAD_INPUT


def progress(message: str) -> None:
    """A step of long work (a demo, a migration, an import) on stderr, as it starts."""
    print(f"… {message}", file=sys.stderr, flush=True)


def acting_user(store: Store, username: str):
    """``--as``: an active account (``get_user`` finds no other), else a Chinese refusal."""
    from core.auth import get_user
    from core.services.entry_rules import EntryError

    user = get_user(store, username)
    if user is None:
        raise EntryError(f"--as：未知或已停用的用户 {username}")
    return user


def db_target(text: str) -> str | Path:
    """``--db``'s type: a URL stays a string (``Path`` would fold ``//`` into ``/``)."""
    return text if is_server_url(text) else Path(text)


def db_option(parser: argparse.ArgumentParser, help: str = DB_HELP) -> None:
    parser.add_argument("--db", type=db_target, default=None, metavar="DB", help=help)


def db_of(args) -> str | Path:
    """The verb's store: ``--db``, else ``JIFEN_DB``, else data/jifen.duckdb."""
    return args.db if getattr(args, "db", None) is not None else default_db_path()


def open_db(args, *, must_exist: bool = False) -> Store:
    """Open ``--db``; raises ``StoreUnavailable`` (which ``main`` turns into exit 2).

    ``must_exist``: a verb that only reads refuses a missing file rather than creating an
    empty one. A server is tried once first: the pool would retry a refused connection for
    its whole timeout before giving up, which is right for the app and slow for a command.
    """
    target = db_of(args)
    if is_server_url(str(target)):
        probe_server(str(target))
    elif must_exist and not Path(target).exists():
        raise StoreUnavailable(f"数据库文件不存在：{target}")
    return Store(target)


def server_label(url: str) -> str:
    """The URL without its password, for messages."""
    import psycopg

    try:
        info = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "（地址格式有误）"
    return f"postgresql://{info.get('user', '')}@{info.get('host', '')}:{info.get('port', 5432)}/{info.get('dbname', '')}"


def probe_server(url: str) -> None:
    import psycopg

    try:
        psycopg.connect(url, connect_timeout=5).close()
    except psycopg.Error as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise StoreUnavailable(f"无法连接数据库服务器 {server_label(url)}，请检查服务器是否运行、地址与账号是否正确"
                               f"（{reason}）。") from None


# argparse's own refusals (a missing option, "abc" for a number, an unknown choice), said in
# Chinese: the pattern of each English message, and its Chinese form.
_ARGPARSE_CHINESE = [
    (r"the following arguments are required: (.*)", r"缺少必填参数：\1"),
    (r"unrecognized arguments: (.*)", r"无法识别的参数：\1"),
    (r"argument (\S+): invalid int value: (.*)", r"参数 \1 应为整数，不是 \2"),
    (r"argument (\S+): invalid (\S+) value: (.*)", r"参数 \1 的值有误：\3"),
    (r"argument (\S+): invalid choice: (.*?) \(choose from (.*)\)", r"参数 \1 不能取 \2，可选：\3"),
    (r"argument (\S+): expected one argument", r"参数 \1 后面应给出一个值"),
    (r"argument (\S+): expected (.*)", r"参数 \1 后面缺少值"),
    (r"argument (\S+): not allowed with argument (.*)", r"参数 \1 不能与 \2 同用"),
    (r"ambiguous option: (\S+) could match (.*)", r"参数 \1 不明确，可能是：\2"),
]


class ChineseParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose refusals are Chinese (exit code 2, as for every bad input);
    the verbs' sub-parsers are of this class too (``add_subparsers`` takes the parent's)."""

    def error(self, message: str):
        for pattern, chinese in _ARGPARSE_CHINESE:
            if re.fullmatch(pattern, message, flags=re.S):
                message = re.sub(pattern, chinese, message, flags=re.S)
                break
        else:
            message = f"参数有误：{message}"
        self.print_usage(sys.stderr)
        self.exit(BAD_INPUT, f"错误：{message}（用 {self.prog} -h 查看用法）\n")


def build_parser() -> argparse.ArgumentParser:
    parser = ChineseParser(prog="jifen", description="积分制管理 命令行工具")
    sub = parser.add_subparsers(dest="command", required=True, metavar="命令")
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # Bytes a terminal sent that are not UTF-8 arrive as lone surrogates ("\udcff"); neither
    # store can take them, in a lookup or a write, so they are refused here once for every verb.
    odd = next((a for a in argv if any(map(bounds.unencodable, a))), None)
    if odd is not None:
        return fail(ValueError(f"参数「{bounds.printable(odd)[:40]}」中有无法识别的字符（不是 UTF-8 编码的文字），请重新输入"))
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except StoreUnavailable as exc:
        return fail(exc)
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
