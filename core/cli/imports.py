"""`template` and `import`: Excel templates, and imports from Excel/CSV (preview, then all or nothing).

    python -m core template members --out 花名册模板.xlsx [--org C01T01B01]
    python -m core import members 花名册.xlsx --org C01T01B01 [--dry-run] --as shuji01

Exit 0 when imported (or a clean dry run); exit 2 on any error, with the error report's path
and a summary on stderr, and nothing written.
"""

from __future__ import annotations

import sys
from pathlib import Path

from core.auth import get_user
from core.cli import BAD_INPUT, db_option, fail, open_db, progress

KINDS = ("orgs", "members", "volunteers", "households", "events", "scores", "history")


def register(sub) -> None:
    p = sub.add_parser("template", help="生成导入模板（Excel）")
    p.add_argument("kind", choices=KINDS, help="模板类型")
    p.add_argument("--out", type=Path, required=True, help="输出文件（.xlsx）")
    p.add_argument("--org", default=None, help="支部编码：下拉列表带出该支部方案的项目和类别")
    db_option(p)
    p.set_defaults(func=template)
    p = sub.add_parser("import", help="从 Excel/CSV 导入（先检查，全部无误才写入）")
    p.add_argument("kind", choices=KINDS, help="导入类型")
    p.add_argument("file", type=Path, help=".xlsx、.xls 或 .csv 文件")
    p.add_argument("--org", default=None, help="导入到的组织编码（单个支部的名册可不含支部列）")
    p.add_argument("--dry-run", action="store_true", help="只检查，不写入")
    p.add_argument("--as", dest="username", required=True, help="以哪个用户的身份导入")
    p.add_argument("--report", type=Path, default=None, help="错误清单的保存位置（默认在文件旁）")
    db_option(p)
    p.set_defaults(func=run_import)


def template(args) -> int:
    from core.imports.templates import template_bytes

    store = open_db(args) if args.org else None
    try:
        # an unknown code would give a template without the branch's drop-downs, and no word why
        if store is not None and store.scalar("SELECT count(*) FROM orgs WHERE code = ?", [args.org]) == 0:
            return fail(ValueError(f"--org：未知组织编码 {args.org}"))
        data = template_bytes(args.kind, store, args.org)
    finally:
        if store is not None:
            store.close()
    if args.out.is_dir() or not args.out.parent.is_dir():
        return fail(ValueError(f"--out 应为一个文件，且所在目录已存在：{args.out}"))
    args.out.write_bytes(data)
    print(f"已生成模板：{args.out.resolve()}")
    return 0


def run_import(args) -> int:
    from core import imports
    from core.auth.permissions import PermissionDenied
    from core.auth.scope import ScopeError
    from core.imports.resolve import NO_BRANCH
    from core.services.entry_rules import EntryError

    if not args.file.is_file():
        return fail(FileNotFoundError(f"找不到文件 {args.file}"))
    if args.report is not None and (args.report.is_dir() or not args.report.parent.is_dir()):
        return fail(ValueError(f"--report 应为一个文件，且所在目录已存在：{args.report}"))
    store = open_db(args)
    try:
        user = get_user(store, args.username)
        if user is None:
            return fail(ValueError(f"--as：没有启用的用户 {args.username}"))
        progress(f"读取并检查 {args.file.name}")
        try:
            preview = imports.preview(store, user, args.kind, args.file.read_bytes(), args.file.name, args.org)
        except (EntryError, PermissionDenied, ScopeError) as exc:
            return fail(exc)
        if not preview.ok:
            report = args.report or args.file.with_name(f"{args.file.stem}-错误清单.xlsx")
            report.write_bytes(preview.error_report())
            print(f"错误：{preview.summary()}", file=sys.stderr)
            for row, column, problem in preview.errors.head(20).iter_rows():
                print(f"  第 {row} 行「{column}」：{problem}", file=sys.stderr)
            if preview.errors.height > 20:
                print(f"  …… 共 {preview.errors.height} 处", file=sys.stderr)
            print(f"错误清单：{report.resolve()}", file=sys.stderr)
            if args.org is None and preview.errors["问题"].str.ends_with(NO_BRANCH).any():
                print("提示：支部自己的花名册没有「所在支部」列时，用 --org 支部编码 指定导入到哪个支部",
                      file=sys.stderr)
            return BAD_INPUT
        if preview.extra_columns:
            print(f"未使用的列（已忽略）：{'、'.join(preview.extra_columns)}")
        if args.dry_run:
            print(f"检查通过（未写入）：{preview.summary()}")
            return 0
        progress("写入数据库")
        try:
            batch = imports.commit(store, user, preview)
        except EntryError as exc:
            return fail(exc)
        if batch is None:
            print(preview.summary())
        else:
            print(f"已导入（批次 {batch}）：{preview.summary()}")
        return 0
    finally:
        store.close()
