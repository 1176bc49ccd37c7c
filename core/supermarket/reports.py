"""积分超市 reports: the 发放台账 by month, the subsidy owed by month, and the two rates the
seeds set bars for.

- 兑换率: 村民积分兑换人数占本村总人数比例原则应达到30%以上 (seed 001): subjects who
  exchanged at least once in the period ÷ all the village's subjects that may spend.
- 参与率: 10个试点村（社区）户参与率不低于常住户70%，其他村（社区）户参与率不低于50%
  (seed 001): subjects with any counted points record in the period ÷ all.

Only live exchanges count (an undone exchange gave nothing out). Amounts are the exchange
rows' own (the price and subsidy share at the time of the exchange).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from core.io.tables import excel_bytes
from core.scheme_assignments import track_of_kind
from core.services.case import plain_number
from core.services.rollups import EFFECTIVE_ROLLUP_SQL
from core.store import Store
from core.subjects import ID_PREFIX
from core.supermarket.rules import LIVE_EXCHANGES_SQL, SPENDING_TRACKS

REDEMPTION_BAR = 30  # %, seed 001 (兑换人数占比 30%以上)
PARTICIPATION_BARS = {"试点村": 70, "其他村": 50}  # %, seed 001 (户参与率)

# The subject kinds that may spend: those of the tracks that spend.
SPENDING_KINDS = [kind for kind in ID_PREFIX if track_of_kind(kind) in SPENDING_TRACKS]
_SUBJECTS_SQL = "SELECT m.id FROM members m WHERE m.branch_code = ? AND m.status = 'active' AND m.kind = ANY(?)"


def _num(value) -> float | int:
    return plain_number(value or 0)


def ledger_rows(store: Store, org_code: str, start: dt.date, end: dt.date) -> list[dict]:
    """发放台账: every live exchange of the village from ``start`` to ``end``, by date."""
    rows = store.all(
        f"SELECT x.date, m.name, m.house_no, g.name, x.qty, g.unit, x.points, x.amount, x.subsidy,"
        f" coalesce(u.display_name, x.made_by), x.id FROM ({LIVE_EXCHANGES_SQL}) x"
        " JOIN members m ON m.id = x.subject_id JOIN goods g ON g.id = x.goods_id"
        " LEFT JOIN users u ON u.username = x.made_by"
        " WHERE x.org_code = ? AND x.date BETWEEN ? AND ? ORDER BY x.date, x.id", [org_code, start, end])
    return [{"日期": d.isoformat(), "户（对象）": name, "门牌号": house or "", "商品": goods, "数量": qty,
             "单位": unit or "", "积分": _num(points), "金额（元）": _num(amount), "补助（元）": _num(subsidy),
             "经办人": by} for d, name, house, goods, qty, unit, points, amount, subsidy, by, _ in rows]


def by_month(store: Store, org_code: str, start: dt.date, end: dt.date) -> list[dict]:
    """Per month: exchanges, households served, points, yuan, and the subsidy owed (衔接资金)."""
    rows = store.all(
        f"SELECT extract(year FROM x.date) AS y, extract(month FROM x.date) AS mo, count(*),"
        f" count(DISTINCT x.subject_id), sum(x.points), sum(x.amount), sum(x.subsidy)"
        f" FROM ({LIVE_EXCHANGES_SQL}) x WHERE x.org_code = ? AND x.date BETWEEN ? AND ?"
        " GROUP BY extract(year FROM x.date), extract(month FROM x.date) ORDER BY 1, 2", [org_code, start, end])
    return [{"月份": f"{int(y)}-{int(mo):02d}", "兑换笔数": n, "兑换户数": people, "积分": _num(points),
             "金额（元）": _num(amount), "应补助（元）": _num(subsidy)}
            for y, mo, n, people, points, amount, subsidy in rows]


def rates(store: Store, org_code: str, start: dt.date, end: dt.date) -> dict:
    """兑换率 and 参与率 of the village's subjects over ``start``..``end`` (percent, one decimal)."""
    total, exchanged, active = store.one(
        f"SELECT count(*),"
        f" count(*) FILTER (WHERE s.id IN (SELECT subject_id FROM ({LIVE_EXCHANGES_SQL}) x"
        f"   WHERE x.org_code = ? AND x.date BETWEEN ? AND ?)),"
        f" count(*) FILTER (WHERE s.id IN (SELECT member_id FROM ({EFFECTIVE_ROLLUP_SQL}) f"
        f"   WHERE f.branch_code = ? AND f.date BETWEEN ? AND ?))"
        f" FROM ({_SUBJECTS_SQL}) s", [org_code, start, end, org_code, start, end, org_code, SPENDING_KINDS])

    def pct(n):
        return None if not total else float((Decimal(n) * 100 / total).quantize(Decimal("0.1")))

    redemption, participation = pct(exchanged), pct(active)
    return {
        "subjects": total, "exchanged": exchanged, "participating": active,
        "redemption": redemption, "redemption_bar": REDEMPTION_BAR,
        "redemption_met": redemption is not None and redemption >= REDEMPTION_BAR,
        "participation": participation,
        "participation_met": {name: participation is not None and participation >= bar
                              for name, bar in PARTICIPATION_BARS.items()},
    }


def rate_rows(r: dict) -> list[dict]:
    """The rates as the page and the workbook show them."""
    def shown(v):
        return "—" if v is None else f"{v}%"
    rows = [{"指标": "兑换率（至少兑换一次的户数 ÷ 总户数）", "数值": shown(r["redemption"]),
             "计算": f"{r['exchanged']} ÷ {r['subjects']}", "要求": f"≥{REDEMPTION_BAR}%",
             "是否达到": "达到" if r["redemption_met"] else "未达到"}]
    for name, bar in PARTICIPATION_BARS.items():
        rows.append({"指标": f"参与率（有积分记录的户数 ÷ 总户数，{name}）", "数值": shown(r["participation"]),
                     "计算": f"{r['participating']} ÷ {r['subjects']}", "要求": f"≥{bar}%",
                     "是否达到": "达到" if r["participation_met"][name] else "未达到"})
    return rows


def workbook(store: Store, org_code: str, start: dt.date, end: dt.date) -> bytes:
    """The Excel export: 发放台账, 月度补助, 兑换率与参与率."""
    return excel_bytes({
        "发放台账": ledger_rows(store, org_code, start, end) or [{"说明": "本期没有兑换记录"}],
        "月度补助": by_month(store, org_code, start, end) or [{"说明": "本期没有兑换记录"}],
        "兑换率与参与率": rate_rows(rates(store, org_code, start, end)),
    })

