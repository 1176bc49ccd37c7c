"""Deterministic demo data: the same seed and date give the same database."""

from __future__ import annotations

import datetime as dt
import random

import polars as pl

from core import audit
from core.auth.users import hash_password
from core.demo import members as demo_members
from core.demo import workflow
from core.demo.activity import generate_activity
from core.demo.frames import insert_frame
from core.demo.plan import category_vocabularies
from core.demo import orgs as demo_orgs
from core.demo import village as demo_village
from core.demo import supermarket as demo_supermarket
from core.demo import report_in as demo_report_in
from core.demo import volunteers as demo_volunteers
from core.demo import subjects as demo_subjects
from core.demo import review_chain as demo_review_chain
from core.demo import results_use as demo_results_use
from core.demo import targets as demo_targets
from core.store import Store

SIZES = tuple(demo_orgs.SIZES)
DEMO_PASSWORD = "jifen2026"
DEMO_USERS = [
    # username, display name, role, org code
    ("admin", "赵立新", "admin", "C01"),
    ("zhen01", "孙丽", "township", "C01T01"),
    ("shuji01", "王建国", "secretary", "C01T01B01"),
    ("jilu01", "刘芳", "recorder", "C01T01B01"),
]


def check_size(size: str) -> None:
    if size not in demo_orgs.SIZES:
        raise ValueError(f"未知规模：{size}（可选 {'/'.join(SIZES)}）")


def generate(store: Store, size: str = "S", seed: int = 2026, today: dt.date | None = None,
             progress=None) -> dict[str, int]:
    """Fill an empty store with the demo organisation, members and users."""
    check_size(size)
    if store.scalar("SELECT count(*) FROM orgs"):
        raise ValueError("数据库中已有组织数据，演示数据只能写入空数据库")
    today = today or dt.date.today()
    rng = random.Random(f"{seed}-{size}")
    say = progress or (lambda message: None)
    say("生成组织架构")
    orgs = demo_orgs.build(rng, size)
    say("生成党员名册")
    members, history = demo_members.build(rng, orgs, demo_orgs.SIZES[size][3], today,
                                          category_vocabularies(orgs))
    password_hash = hash_password(DEMO_PASSWORD)
    say("写入数据库")

    def work(cur):
        for table, rows in (("orgs", orgs), ("members", members), ("member_branch_history", history)):
            insert_frame(cur, table, pl.DataFrame(rows, infer_schema_length=None), "demo_rows")
        for username, display, role, org in DEMO_USERS:
            cur.execute("INSERT INTO users(username, display_name, password_hash, role, org_code) VALUES (?, ?, ?, ?, ?)",
                        [username, display, password_hash, role, org]).fetchall()
        audit.record(cur, "system", "demo.generate", reason=f"演示数据 规模{size} 种子{seed}",
                     after={"orgs": len(orgs), "members": len(members)})

    store.write(work)
    counts = {"orgs": len(orgs), "members": len(members), "users": len(DEMO_USERS),
              **generate_activity(store, seed, size, today, say)}
    say("公示、异议与归档")
    counts.update(workflow.apply(store, today, random.Random(f"{seed}-{size}-workflow")))
    counts.update(demo_village.generate(store, seed, size, today, say))  # households of two villages
    counts.update(demo_supermarket.generate(store, seed, size, today, say))  # after the village part
    counts.update(demo_volunteers.generate(store, seed, size, today, say))  # a 党员义工工作站 in the first street
    counts.update(demo_report_in.generate(store, seed, size, today, say))  # reads the communities and users
    counts.update(demo_subjects.generate(store, seed, size, today, say))  # after the village: a household's login
    counts.update(demo_review_chain.generate(store, seed, size, today, say))  # 催办 of the workflow's overdue objection
    counts.update(demo_results_use.generate(store, seed, size, today, say))  # 处置 cases of the finalised cycle
    counts.update(demo_targets.generate(store, seed, size, today, say))  # 参与率目标: 党员 100%, 户 50%, 示范村 户 70%
    # the later parts add organisations, subjects and logins: the totals are the store's
    counts.update({table: store.scalar(f"SELECT count(*) FROM {table}") for table in ("orgs", "members", "users")})
    return counts


# What each figure of ``generate``'s counts is, as the CLI tells a user.
COUNT_NAMES = {
    "orgs": "组织", "members": "积分对象", "users": "登录账号", "events": "积分记录", "activities": "活动",
    "attendance": "签到", "scores": "评议得分", "vetoes": "一票否决", "finalised": "已归档", "publicity_open": "公示中",
    "objections": "异议", "households": "农户", "household_events": "农户积分记录", "grids": "网格",
    "household_publicity": "农户公示", "goods": "超市商品", "exchanges": "积分兑换", "volunteers": "义工",
    "services": "义工服务记录", "trainings": "义工培训", "departments": "机关党支部", "department_members": "机关党员",
    "report_ins": "社区报到", "report_in_activities": "社区报到活动", "community_evaluations": "社区测评",
    "subject_logins": "本人账号", "declarations": "自我申报",
    "review_submitted": "报送乡镇审核", "reminders": "催办", "disposal_cases": "处置案件", "targets": "参与率目标",
}
