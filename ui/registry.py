"""Every page of the app: its file, Chinese title, section and the action it needs.

app.py builds the navigation from this list for the logged-in role, and each page calls
``ui.session.guard(KEY)`` so a hidden page stays refused when reached directly.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageSpec:
    key: str
    path: str
    title: str
    icon: str
    section: str
    action: str


PAGES: list[PageSpec] = [
    PageSpec("home", "pages/home.py", "首页", ":material/home:", "工作台", "view"),
    PageSpec("my_points", "pages/my_points.py", "我的积分", ":material/star:", "我的", "self"),
    PageSpec("declare", "pages/declare.py", "自我申报", ":material/add_a_photo:", "我的", "declare"),
    PageSpec("quick_entry", "pages/quick_entry.py", "积分录入", ":material/edit_note:", "日常记分", "enter"),
    PageSpec("attendance", "pages/attendance.py", "活动签到", ":material/how_to_reg:", "日常记分", "enter"),
    PageSpec("appraisal", "pages/appraisal.py", "民主评议", ":material/how_to_vote:", "日常记分", "appraise"),
    PageSpec("review", "pages/review.py", "审核", ":material/fact_check:", "日常记分", "review"),
    PageSpec("supermarket", "pages/supermarket.py", "积分超市", ":material/storefront:", "日常记分", "exchange"),
    PageSpec("report_in", "pages/report_in.py", "社区报到", ":material/volunteer_activism:", "日常记分", "report_in"),
    PageSpec("volunteers", "pages/volunteers.py", "志愿服务", ":material/handshake:", "日常记分", "view"),
    PageSpec("results", "pages/results.py", "积分结果", ":material/leaderboard:", "结果与公示", "view"),
    PageSpec("publicity", "pages/publicity.py", "公示与异议", ":material/campaign:", "结果与公示", "dashboards"),
    PageSpec("township_review", "pages/township_review.py", "上级审核", ":material/approval:", "结果与公示",
             "township_review"),
    PageSpec("results_use", "pages/results_use.py", "结果运用", ":material/workspace_premium:", "结果与公示",
             "results_use"),
    PageSpec("overview", "pages/overview.py", "总览", ":material/dashboard:", "统计分析", "dashboards"),
    PageSpec("compare", "pages/compare.py", "支部对比", ":material/compare_arrows:", "统计分析", "dashboards"),
    PageSpec("distribution", "pages/distribution.py", "积分分布", ":material/bar_chart:", "统计分析", "dashboards"),
    PageSpec("coverage", "pages/coverage.py", "覆盖情况", ":material/grid_on:", "统计分析", "dashboards"),
    PageSpec("monthly", "pages/monthly.py", "月报与目标", ":material/calendar_month:", "统计分析", "dashboards"),
    PageSpec("trends", "pages/trends.py", "趋势", ":material/trending_up:", "统计分析", "dashboards"),
    PageSpec("member_file", "pages/member_file.py", "成员档案", ":material/badge:", "统计分析", "view"),
    PageSpec("schemes", "pages/schemes.py", "积分方案", ":material/rule:", "系统", "view"),
    PageSpec("org_people", "pages/org_people.py", "组织与人员", ":material/account_tree:", "系统", "manage_orgs"),
    PageSpec("import_export", "pages/import_export.py", "导入导出", ":material/upload_file:", "系统", "import"),
    PageSpec("audit_log", "pages/audit_log.py", "操作日志", ":material/history:", "系统", "audit"),
    PageSpec("admin", "pages/admin.py", "系统管理", ":material/settings:", "系统", "manage_users"),
    PageSpec("subject_accounts", "pages/subject_accounts.py", "本人账号", ":material/person_add:", "系统",
             "subject_accounts"),
    PageSpec("account", "pages/account.py", "我的账号", ":material/account_circle:", "系统", "account"),
]

BY_KEY = {p.key: p for p in PAGES}
