"""`org add|rename|move|deactivate|merge`: change the organisation tree as a named user."""

from __future__ import annotations

from core import org_admin
from core.auth import PermissionDenied, ScopeError
from core.cli import acting_user, db_option, fail, open_db
from core.org_admin import OrgError
from core.services.entry_rules import EntryError

LEVELS = {"township": "township", "branch": "branch", "group": "group",
          "乡镇": "township", "街道": "township", "支部": "branch", "村": "branch", "党小组": "group", "网格": "group"}


def register(sub) -> None:
    p = sub.add_parser("org", help="组织架构：新增、改名、移动、停用、合并")
    verbs = p.add_subparsers(dest="org_command", required=True)

    def verb(name: str, help_text: str, func):
        v = verbs.add_parser(name, help=help_text)
        v.add_argument("--as", dest="as_user", required=True, help="以哪个用户的身份操作（记入操作日志）")
        db_option(v)
        v.set_defaults(func=func)
        return v

    v = verb("add", "新增乡镇、支部或党小组（编码可省略，自动生成）", org_add)
    v.add_argument("code", help="组织编码；写 auto 则按上级自动生成（如 C01T01B21）")
    v.add_argument("name", help="组织名称")
    v.add_argument("--parent", required=True, help="上级组织编码")
    v.add_argument("--level", required=True, help="township|branch|group")
    v.add_argument("--kind", default=None, help="支部类型：村|社区|机关|学校|企业")
    v = verb("rename", "组织改名", org_rename)
    v.add_argument("code")
    v.add_argument("name")
    v = verb("move", "移到另一个上级组织下", org_move)
    v.add_argument("code")
    v.add_argument("--parent", required=True, help="新上级组织编码")
    v = verb("deactivate", "停用组织（须先移走下级组织和人员）", org_deactivate)
    v.add_argument("code")
    v.add_argument("--reason", default=None)
    v = verb("merge", "把一个支部并入另一个支部（人员随迁，历史保留）", org_merge)
    v.add_argument("from_code", metavar="FROM")
    v.add_argument("into_code", metavar="INTO")


def _run(args, work) -> int:
    store = open_db(args)
    try:
        user = acting_user(store, args.as_user)
        message = work(store, user)
    except (OrgError, EntryError, PermissionDenied, ScopeError) as exc:
        return fail(exc)
    finally:
        store.close()
    print(message)
    return 0


def org_add(args) -> int:
    level = LEVELS.get(args.level)
    if level is None:
        return fail(ValueError(f"--level：应为 township、branch 或 group，不是「{args.level}」"))
    code = None if args.code.lower() == "auto" else args.code

    def work(store, user):
        new = org_admin.create_org(store, user, args.name, args.parent, level, args.kind, code)
        return f"已新增组织 {new}：{args.name.strip()}"
    return _run(args, work)


def org_rename(args) -> int:
    def work(store, user):
        org_admin.rename_org(store, user, args.code, args.name)
        return f"已改名：{args.code} → {args.name.strip()}"
    return _run(args, work)


def org_move(args) -> int:
    def work(store, user):
        org_admin.move_org(store, user, args.code, args.parent)
        return f"已移动：{args.code} 现属 {args.parent}"
    return _run(args, work)


def org_deactivate(args) -> int:
    def work(store, user):
        org_admin.deactivate_org(store, user, args.code, args.reason)
        return f"已停用组织 {args.code}"
    return _run(args, work)


def org_merge(args) -> int:
    def work(store, user):
        moved = org_admin.merge_branches(store, user, args.from_code, args.into_code)
        return (f"已把 {args.from_code} 并入 {args.into_code}：转入 {moved['members']} 人，"
                f"党小组（网格）{moved['groups']} 个；原支部已停用")
    return _run(args, work)
