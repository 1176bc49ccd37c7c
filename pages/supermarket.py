"""积分超市: exchange at the counter (find the household, pick goods, see the balance before
and after, confirm), the exchange records with undo, the goods catalogue with restocking and
stock-taking, and the reports (发放台账, 月度补助, 兑换率, 参与率)."""

import datetime as dt

import polars as pl
import streamlit as st

from core.auth import can
from core.decimals import fmt
from core.scheme_assignments import NoSchemeError
from core.services.entry_rules import EntryError
from core.supermarket import goods as goods_service
from core.supermarket import reports
from core.supermarket.balance import balance
from core.supermarket.exchange import exchange, quote, recent, undo
from core.supermarket.households import find
from core.supermarket.rules import MarketRuleError
from ui.charts import number_text, table
from ui.entry_widgets import drop_stale, flash, form_key, pick_branch, renew_form_key, show_flash
from ui.session import guard
from ui.widgets import md

REFUSED = (EntryError, NoSchemeError, MarketRuleError, PermissionError, LookupError)

user, scope, store = guard("supermarket")
st.title("积分超市")
st.caption("每1积分按方案折算人民币（默认1元）兑换日常用品；兑换只减少可用余额，不减少当年积分和累计积分，不影响排名。")
show_flash("sm")

branch = pick_branch(store, scope, "sm_branch", clears=("sm_subject", "sm_subject_query"))
today = dt.date.today()
manage = can(user.role, "manage_goods")
names = ["兑换", "兑换记录", "报表"] + (["商品与库存"] if manage else [])
tabs = dict(zip(names, st.tabs(names)))


def act(label: str, key: str, do, done, **button) -> None:
    """A button that runs ``do()``; a refusal is shown, a success flashed as ``done(result)``."""
    if st.button(label, key=key, **button):
        try:
            result = do()
        except REFUSED as exc:
            st.error(md(exc))
        else:
            flash("sm", done(result))
            st.rerun()


with tabs["兑换"]:
    query = st.text_input("查找户（对象）", key="sm_subject_query", placeholder="姓名、拼音首字母或门牌号，如 zdh 或 12号")
    found = find(store, scope, branch, query)
    if not found:
        st.caption("没有找到匹配的户")
        subject = None
    else:
        drop_stale("sm_subject", found)
        subject = st.selectbox("户（对象）", list(found), format_func=found.get, key="sm_subject")
    held = None
    if subject:
        try:
            held = balance(store, user, subject, today)
        except REFUSED as exc:
            st.error(md(exc))
    if held is not None:
        c1, c2, c3 = st.columns(3)
        c1.metric("可用余额（分）", number_text(held.balance))
        c2.metric("本年积分（分）", number_text(held.total))
        if held.scheme.cumulative:  # 累计积分不清零: the points since joining, never lowered by an exchange
            c3.metric("累计积分（分）", number_text(held.cumulative))
        if not held.redeemable:
            st.warning("该户有一票否决事项：积分照常累计，但不参与积分兑换")
        on_shelf = goods_service.list_goods(store, branch, active_only=True)
        if not on_shelf:
            st.info("本村还没有可兑换的商品，请先在「商品与库存」中添加")
        else:
            key = form_key("sm")
            st.write("选择商品和数量：")
            cols = st.columns(3)
            lines = []
            for i, g in enumerate(on_shelf):
                unit = g["unit"] or "件"
                qty = cols[i % 3].number_input(
                    md(f"{g['name']}（{fmt(g['price'])}分/{unit}，库存{g['stock']}）"), min_value=0,
                    max_value=max(g["stock"], 0), step=1, value=0, key=f"sm_qty_{g['id']}_{key}")
                if qty:
                    lines.append((g["id"], int(qty)))
            if lines:
                try:
                    q = quote(store, user, subject, lines, today)
                except REFUSED as exc:
                    st.error(md(exc))
                else:
                    st.info(f"本次兑换 {fmt(q.points)} 分：兑换前余额 {fmt(q.before)} 分，兑换后余额 {fmt(q.after)} 分")
                    if st.button(f"确认兑换（{md(found[subject])}，{fmt(q.points)} 分）", type="primary",
                                 key=f"sm_confirm_{key}"):
                        try:
                            done = exchange(store, user, subject, lines, today, request_key=key)
                        except REFUSED as exc:
                            st.error(md(exc))
                        else:
                            renew_form_key("sm")
                            flash("sm", f"已兑换 {fmt(done.points)} 分，{found[subject]} 兑换后余额 {fmt(done.after)} 分")
                            st.rerun()
            else:
                st.caption("填写数量后显示本次兑换积分和兑换后余额")

with tabs["兑换记录"]:
    rows = recent(store, branch, limit=50)
    table(pl.DataFrame([{"编号": r["id"], "日期": r["date"], "户（对象）": r["subject"], "商品": r["goods"],
                         "数量": f"{r['qty']}{r['unit']}", "积分": float(r["points"]), "经办人": r["made_by"],
                         "状态": "已撤销" if r["undone"] else "有效"} for r in rows],
                       schema={"编号": pl.Int64, "日期": pl.Date, "户（对象）": pl.String, "商品": pl.String,
                               "数量": pl.String, "积分": pl.Float64, "经办人": pl.String, "状态": pl.String}),
          empty="还没有兑换记录")
    live = {r["id"]: f"{r['date']:%Y-%m-%d} {r['subject']} {r['goods']} {r['qty']}{r['unit']}（{fmt(r['points'])}分，编号{r['id']}）"
            for r in rows if not r["undone"]}
    if live:
        st.subheader("撤销兑换")
        st.caption("柜台办错时撤销：积分退回可用余额，商品退回库存；每笔兑换只能撤销一次，撤销记入操作日志。")
        drop_stale("sm_undo_pick", live, None)  # nothing preselected: an undo is chosen, never defaulted
        picked = st.selectbox("要撤销的兑换", list(live), format_func=live.get, key="sm_undo_pick", index=None,
                              placeholder="请选择")
        reason = st.text_input("撤销理由", key="sm_undo_reason", placeholder="如：数量点错")
        act("撤销这笔兑换", "sm_undo", lambda: undo(store, user, picked, reason, today),
            lambda _: f"已撤销兑换（编号 {picked}），积分和库存已退回", disabled=picked is None)

with tabs["报表"]:
    year = st.selectbox("年度", list(range(today.year, today.year - 5, -1)), format_func=lambda y: f"{y}年",
                        key="sm_year")
    months = {0: "全年", **{m: f"{m}月" for m in range(1, 13)}}
    month = st.selectbox("月份", list(months), format_func=months.get, key="sm_month")
    if month:
        start = dt.date(year, month, 1)
        end = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1))
    else:
        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    r = reports.rates(store, branch, start, end)
    st.subheader("兑换率与参与率")
    st.caption("依据：村民积分兑换人数占本村总人数比例原则应达到30%以上；试点村户参与率不低于常住户70%，其他村不低于50%。")
    table(pl.DataFrame(reports.rate_rows(r)))
    st.subheader(f"发放台账（{months[month]}）")
    table(pl.DataFrame(reports.ledger_rows(store, branch, start, end)), empty="本期没有兑换记录")
    st.subheader("月度补助（衔接资金按商品单价的比例补助）")
    table(pl.DataFrame(reports.by_month(store, branch, start, end)), empty="本期没有兑换记录")
    st.download_button("导出 Excel（发放台账、月度补助、兑换率与参与率）", reports.workbook(store, branch, start, end),
                       file_name=f"积分超市_{branch}_{year}{'' if not month else f'-{month:02d}'}.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="sm_xlsx",
                       icon=":material/download:")

if manage:
    with tabs["商品与库存"]:
        catalogue = goods_service.list_goods(store, branch)
        table(pl.DataFrame([{"编码": g["code"], "名称": g["name"], "单位": g["unit"] or "", "兑换积分": float(g["price"]),
                             "单价（元）": float(g["unit_price"]), "补助比例": f"{float(g['subsidy_rate']) * 100:g}%",
                             "库存": g["stock"], "状态": "在售" if g["active"] else "已停用"} for g in catalogue],
                           schema={"编码": pl.String, "名称": pl.String, "单位": pl.String, "兑换积分": pl.Float64,
                                   "单价（元）": pl.Float64, "补助比例": pl.String, "库存": pl.Int64,
                                   "状态": pl.String}),
              empty="本村还没有商品")
        by_id = {g["id"]: f"{g['name']}（{g['code']}，库存{g['stock']}）" for g in catalogue}
        if by_id:
            st.subheader("入库与盘点")
            drop_stale("sm_stock_pick", by_id)
            gid = st.selectbox("商品", list(by_id), format_func=by_id.get, key="sm_stock_pick")
            c1, c2 = st.columns(2)
            with c1:
                qty = st.number_input("入库数量", min_value=1, step=1, value=1, key="sm_restock_qty")
                note = st.text_input("入库备注", key="sm_restock_note", placeholder="如：镇里统一配送")
                act("入库", "sm_restock", lambda: goods_service.restock(store, user, gid, qty, note, today),
                    lambda now: f"已入库 {qty}，现有库存 {now}")
            with c2:
                counted = st.number_input("盘点实存数量", min_value=0, step=1, value=None, key="sm_count")
                why = st.text_input("盘点说明", key="sm_count_reason", placeholder="如：受潮损耗")
                act("按盘点数量更正库存", "sm_stocktake",
                    lambda: goods_service.stocktake(store, user, gid, counted, why, today),
                    lambda diff: f"已按盘点更正库存（{'+' if diff > 0 else ''}{diff}）")
            st.subheader("修改、停用商品")
            chosen = next(g for g in catalogue if g["id"] == gid)
            c1, c2, c3 = st.columns(3)
            new_name = c1.text_input("名称", value=chosen["name"], key=f"sm_edit_name_{gid}")
            new_price = c2.number_input("兑换积分", min_value=0.01, value=float(chosen["price"]), step=1.0,
                                        key=f"sm_edit_price_{gid}")
            new_yuan = c3.number_input("单价（元）", min_value=0.01, value=float(chosen["unit_price"]), step=1.0,
                                       key=f"sm_edit_yuan_{gid}")
            b1, b2 = st.columns(2)
            with b1:
                act("保存修改", "sm_edit_save",
                    lambda: goods_service.edit_goods(store, user, gid, {"name": new_name, "price": str(new_price),
                                                                        "unit_price": str(new_yuan)}),
                    lambda _: "已保存商品修改")
            with b2:
                act("停用" if chosen["active"] else "重新启用", "sm_toggle",
                    lambda: goods_service.set_active(store, user, gid, not chosen["active"]),
                    lambda _: f"已{'停用' if chosen['active'] else '启用'}「{chosen['name']}」")
        st.subheader("新增商品")
        with st.form("sm_add", clear_on_submit=True):
            c1, c2, c3 = st.columns(3)
            code = c1.text_input("编码", placeholder="如 RICE 或 001")
            name = c2.text_input("名称", placeholder="如 大米（10斤）")
            unit = c3.text_input("单位", placeholder="袋")
            c1, c2, c3, c4 = st.columns(4)
            price = c1.number_input("兑换积分", min_value=0.0, value=None, step=1.0)
            yuan = c2.number_input("单价（元，不填按积分折算）", min_value=0.0, value=None, step=1.0)
            rate = c3.number_input("补助比例（%，不填按方案）", min_value=0.0, max_value=100.0, value=None, step=5.0)
            opening = c4.number_input("期初库存", min_value=0, value=0, step=1)
            if st.form_submit_button("新增商品", type="primary"):
                try:
                    goods_service.add_goods(store, user, branch, {
                        "code": code, "name": name, "unit": unit,
                        "price": None if price is None else str(price),
                        "unit_price": None if yuan is None else str(yuan),
                        "subsidy_rate": None if rate is None else str(rate / 100), "stock": opening}, today)
                except REFUSED as exc:
                    st.error(md(exc))
                else:
                    flash("sm", f"已新增商品「{name}」")
                    st.rerun()
