"""``tune``: 方案调整 from the command line, as the 积分方案 page does it (core/scheme_edit.py).

    python -m core tune --org C01T01 --set quotas.0.percent=15 --as zhen01 [--cycle 2025]
    python -m core tune --org C01T01 --set quotas.0.percent=15 --as zhen01 --adopt --from 2026-01-01 --reason 镇党委会议研究

Without ``--adopt`` it prints the simulation (JSON): the distribution against the quotas and
who changes, with the explanation lines removed and added. ``--fields`` lists what the scheme
in force lets the user change. Every refusal exits 2 with the Chinese message.
"""

from __future__ import annotations

import datetime as dt
import json

from core.cli import acting_user, db_option, fail, open_db
from core.decimals import json_number
from core.scheme_assignments import TRACKS, NoSchemeError
from core.scheme_edit import EditError, adopt, simulate_org, tuning


def _changes(pairs: list[str]) -> dict:
    out = {}
    for pair in pairs:
        path, sep, value = pair.partition("=")
        if not sep or not path.strip():
            raise EditError(f"--set 应写成 路径=数值，如 quotas.0.percent=15：{pair}")
        out[path.strip()] = value.strip()
    return out


def run(args) -> int:
    store = open_db(args, must_exist=True)
    try:
        user = acting_user(store, args.as_user)
        if args.fields:
            info = tuning(store, user, args.org, args.track)
            out = [{"path": f["path"], "label": f["label"], "value": json_number(f["value"]),
                    "bounds": [json_number(f["lo"]), json_number(f["hi"])]} for f in info["fields"]]
        elif args.adopt:
            if not args.from_date:
                raise EditError("采用调整须给出 --from 启用日期，如 2026-01-01")
            try:
                start = dt.date.fromisoformat(args.from_date)
            except ValueError:
                raise EditError(f"--from 应为日期，如 2026-01-01：{args.from_date}") from None
            new_id = adopt(store, user, args.org, _changes(args.set), start, args.reason, args.track)
            label = store.scalar("SELECT version_label FROM scheme_assignments WHERE id = ?", [new_id])
            out = {"adopted": new_id, "version_label": label}
        else:
            sim = simulate_org(store, user, args.org, _changes(args.set), args.track, cycle=args.cycle)
            out = {"org": sim["org"], "cycle": sim["cycle"], "branches": sim["branches"], "subjects": sim["subjects"],
                   "overrides": sim["overrides"], "distribution": sim["distribution"],
                   "changes": [{"branch": c["branch_name"], "subject": c["subject"], "name": c["name"],
                                "old": c["old"], "new": c["new"], "removed": c["removed"], "added": c["added"]}
                               for c in sim["changes"]]}
    except (EditError, NoSchemeError, PermissionError, ValueError) as exc:
        return fail(exc)
    finally:
        store.close()
    print(json.dumps(out, ensure_ascii=False, indent=2, default=str))
    return 0


def register(sub) -> None:
    p = sub.add_parser("tune", help="调整积分方案：先模拟谁的结果会变化，再作为新版本采用")
    db_option(p)
    p.add_argument("--org", required=True, help="调整的组织（乡镇或支部）编码")
    p.add_argument("--as", dest="as_user", required=True, metavar="USER", help="以该用户（乡镇组织委员或县级管理员）办理")
    p.add_argument("--track", choices=list(TRACKS), default="party", help="积分类别（默认 party 党员）")
    p.add_argument("--set", action="append", default=[], metavar="路径=数值",
                   help="调整的一项，可写多次，如 quotas.0.percent=15（--fields 列出可调的路径）")
    p.add_argument("--cycle", type=int, default=None, help="模拟所用的积分周期（默认本周期）")
    p.add_argument("--fields", action="store_true", help="只列出现行方案可调整的内容和范围")
    p.add_argument("--adopt", action="store_true", help="采用：生成新版本（须同时给出 --from 和 --reason）")
    p.add_argument("--from", dest="from_date", default=None, metavar="YYYY-MM-DD", help="新版本的启用日期")
    p.add_argument("--reason", default="", help="调整理由")
    p.set_defaults(func=run)
