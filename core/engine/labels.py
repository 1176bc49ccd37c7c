"""Chinese names of what the engine marks, for explanations, tables, PDFs and exports:
a user reads 上报上级, never ``report_up``."""

from __future__ import annotations

from core.cycles import PERIODS, period_short

FLAG_NAMES = {
    "quota_capped": "受比例限制降档", "veto": "一票否决", "handle": "需组织处置", "report_up": "上报上级",
    "probation_extend": "延长预备期", "probation_cancel": "取消预备资格",
    "probation_extend_or_cancel": "延长或取消预备期", "not_award_eligible": "不具备评优资格",
    "township_recheck": "报乡镇复核", "priority_service": "优先享受服务", "monthly_home_service": "每月上门服务",
    "above_average": "高于平均分", "award": "年终表彰", "education": "反面教育", "warning": "预警",
}
STREAK_PREFIX = "streak:"
RANK_KEY_NAMES = {"total": "总分", "stars": "星级", "dimension_sum": "各维度得分合计"}


def flag_label(flag: str, cycle_start: str = "01-01") -> str:
    """'report_up' → 上报上级; 'streak:处置' → 连续预警：处置; '明星党员:Q2' → 明星党员（第2季度）."""
    if flag.startswith(STREAK_PREFIX):
        return f"连续预警：{flag[len(STREAK_PREFIX):]}"
    name, _, period = flag.partition(":")
    text = FLAG_NAMES.get(name, name)
    return f"{text}（{period_short(cycle_start, period)}）" if period in PERIODS else text


def rank_key_label(scheme, key: str) -> str:
    component = scheme.components.get(key)
    return component.name if component is not None else RANK_KEY_NAMES.get(key, key)
