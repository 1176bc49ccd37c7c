"""Demo 结果运用, through the real services: the 处置 cases of the last finalised cycle.

The township (孙丽, zhen01) opens the cases the archived cycle results call for in every
finalised branch (low grades, a 处置 streak, ``handle``, probation flags). In
C01T01B02 (secretary shuji02) one case has been through 谈心谈话 and its 整改计划
200 days ago, so its six-month 转化期 has ended with no decision (overdue on the demo's
today, on 总览 and 首页), and another is decided: the branch recommended 限期改正 and the
township agreed.
"""

from __future__ import annotations

import datetime as dt

from core.auth.users import get_user
from core.results_use import cases
from core.store import Store

BRANCH = "C01T01B02"  # shuji02's branch


def generate(store: Store, seed: int, size: str, today: dt.date, say) -> dict[str, int]:
    say("结果运用：处置案件")
    township, secretary = get_user(store, "zhen01"), get_user(store, "shuji02")
    row = store.one("SELECT max(cycle) FROM period_locks WHERE period = 'cycle' AND reopened_at IS NULL"
                    " AND coalesce(track, 'party') = 'party'")
    if township is None or row is None or row[0] is None:
        return {"disposal_cases": 0}
    cycle = row[0]
    branches = [r[0] for r in store.all(
        "SELECT branch_code FROM period_locks WHERE period = 'cycle' AND cycle = ? AND reopened_at IS NULL"
        " AND coalesce(track, 'party') = 'party' ORDER BY branch_code", [cycle])]
    def ago(n: int) -> dt.date:
        return today - dt.timedelta(days=n)

    opened = sum(cases.open_cases(store, township, code, cycle, today) for code in branches)
    if secretary is not None:
        mine = [c for c in cases.list_cases(store, secretary, BRANCH, today, cycle=cycle) if c.kind == cases.DISPOSAL]
        if mine:  # 200 days ago: six months (at most 184 days) have passed, with no decision
            cases.record_talk(store, secretary, mine[0].id, ago(207), "指出积分偏低的原因，听取本人想法", today=today)
            cases.record_plan(store, secretary, mine[0].id, "每月按时参加组织生活和主题党日，按时足额交纳党费",
                              ago(200), today=today)
        if len(mine) > 1:
            cases.record_talk(store, secretary, mine[1].id, ago(280), "谈心谈话，本人表示接受", today=today)
            cases.record_plan(store, secretary, mine[1].id, "参加村里公益劳动，每季度向支部书面汇报一次", ago(270),
                              today=today)
            cases.recommend(store, secretary, mine[1].id, "限期改正")
            cases.decide(store, township, mine[1].id, "限期改正", "党委会研究同意支部建议")
    return {"disposal_cases": opened}
