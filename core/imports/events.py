"""积分记录 import: a branch's past ledger (台账) brought in from Excel.

Imported events enter as 已通过 (approved), reviewed by the importing user, with the batch
as evidence: they come from a ledger the branch already kept and checked, so sending
thousands of old rows through 审核 again would only be clicked through. They still pass
every rule manual entry passes (``core.services.ledger.check_item`` per distinct item, value
and count; ``entry_rules.require_active``, ``check_date`` and ``check_unlocked``), and an
import can be undone with reversal events as long as its periods are open.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl

from core import audit
from core.imports.base import Column, Context, Plan, duplicates, errors_where, gather, one_error, required, row_errors
from core.imports.resolve import id_card_column, match_members, resolve_branch, scope_members
from core.imports.schemes import attach_schemes, item_key, item_table
from core.io.reader import ROW, SHEET, Table, clean_names, clean_numbers_text, clean_text, parse_dates
from core.services.entry_rules import EntryError, MemberRow, check_date, check_unlocked, require_active
from core.scheme_assignments import TRACKS, track_of_kind
from core.services.ledger import RATINGS, check_item
from core.services.rollups import ROLLUPS, count_new_batch, refresh_effective_batch
from core.services.village import decision_note, needs_decision
from core.store.bulk import large

KIND = "events"
NAME = "积分记录"
TABLES = ("events", "event_reviews", *ROLLUPS)  # what ``write`` fills
EARLIEST = dt.date(2000, 1, 1)
COLUMNS = [
    Column("name", "姓名", ("党员姓名", "成员姓名", "户主姓名", "户主", "义工姓名"), True, "张三"),
    Column("id_card", "身份证号", ("公民身份号码", "身份证号码", "身份证"), False, "", width=22),
    Column("branch", "所在支部", ("党支部", "支部", "所在党支部", "支部名称", "所在村", "村（社区）"), False,
           "一村党支部", width=18),
    Column("item", "积分项目", ("项目", "项目名称", "积分事项", "事项", "项目编码", "加扣分项目", "加减分项目",
                                "积分内容", "考核项目", "考核内容"), True, "缺席三会一课", width=30),
    Column("date", "日期", ("发生日期", "记分日期", "时间", "日期（年月日）", "记分时间", "登记日期", "活动日期",
                          "记录日期"), True, "2025-07-15", width=12),
    Column("points", "分值", ("分数", "得分", "积分", "加减分", "加扣分", "加/扣分", "加减分值", "积分值"), False, "",
           width=8),
    Column("count", "次数", ("数量", "时长", "小时数", "次"), False, "1", width=8),
    Column("note", "备注", ("说明", "事由", "情况说明"), False, "7月主题党日无故缺席", width=24),
    # the household scheme's 处罚积分 rest on a 村集体决定; a volunteer's service carries the
    # served person's rating: columns a party branch's ledger leaves out
    Column("decision", "村集体决定", ("集体决定", "决定文号", "村民代表会议决定"), False, "", width=18),
    Column("rating", "服务评价", ("评价", "满意度", "群众评价"), False, "", choices=RATINGS, width=10),
]
KEY = ["member_id", "item_code", "date_v", "points_v", "count_v"]
NO_SCHEME_WORD = TRACKS | {"party": "积分"}  # 没有适用的积分方案 / 乡村治理积分方案 (as scheme_for says)


def validate(ctx: Context, table: Table) -> Plan:
    # A ledger dates a day's entries once: a date merged down the rows (the reader has copied
    # it into each merged cell), or '同上' under it, which takes the date above on the same
    # sheet. A blank date stays missing: guessing it from the row above would date a
    # forgotten entry silently, and the row is refused by name instead.
    ditto = clean_text(pl.col("date")).is_in(["同上", "〃", '"', "”", "“", "''"])
    above = pl.when(ditto).then(None).otherwise(pl.col("date")).forward_fill().over(SHEET)
    frame = table.frame.with_columns(pl.when(ditto).then(above).otherwise(pl.col("date")).alias("date"))
    frame = frame.with_columns(
        parse_dates(pl.col("date")).alias("date_v"), clean_text(pl.col("item")).alias("item_text"),
        clean_numbers_text(pl.col("points")).alias("points_t"),
        clean_text(pl.col("count")).fill_null("1").alias("count_t"),
        clean_text(pl.col("note")).alias("note_v"), clean_text(pl.col("decision")).alias("decision_v"),
        clean_text(pl.col("rating")).alias("rating_v"))
    errors = required(frame, ctx, ["name", "item", "date"])
    errors.append(errors_where(frame, pl.col("rating_v").is_not_null() & ~pl.col("rating_v").is_in(RATINGS),
                               ctx.header("rating"), pl.format(f"「{{}}」应为 {'/'.join(RATINGS)} 之一",
                                                               pl.col("rating_v"))))
    errors += [errors_where(frame, pl.col("date").is_not_null() & pl.col("date_v").is_null(), ctx.header("date"),
                            pl.format("「{}」不是日期（可写 2025-07-01、2025.7.1、2025年7月1日 或 20250701）",
                                      pl.col("date"))),
               errors_where(frame, pl.col("date_v") < EARLIEST, ctx.header("date"),
                            pl.format(f"日期 {{}} 早于 {EARLIEST:%Y-%m-%d}", pl.col("date_v").dt.strftime("%Y-%m-%d")))]
    # check_date: the rule manual entry applies (no future dates), once per distinct date.
    future = []
    for day in frame["date_v"].drop_nulls().unique().to_list():
        try:
            check_date(day, ctx.today)
        except EntryError as exc:
            future.append((day, str(exc)))
    if future:
        bad = pl.DataFrame(future, schema={"date_v": pl.Date, "_msg": pl.String}, orient="row")
        errors.append(errors_where(frame.join(bad, on="date_v", how="left", maintain_order="left"),
                                   pl.col("_msg").is_not_null(), ctx.header("date"), pl.col("_msg")))
        frame = frame.with_columns(pl.when(pl.col("date_v").is_in(bad["date_v"].implode())).then(None)
                                   .otherwise(pl.col("date_v")).alias("date_v"))
    frame = frame.with_columns(
        pl.when(pl.col("date_v") < EARLIEST).then(None).otherwise(pl.col("date_v")).alias("date_v"))
    frame, errs = resolve_branch(ctx, frame)
    errors += errs
    frame, errs = id_card_column(frame, "id_card" in table.numeric, ctx.header("id_card"))
    errors += errs
    frame, errs = match_members(ctx, frame, scope_members(ctx))
    errors += errs
    errors.append(_inactive(ctx, frame))
    # each subject's own track: a village's households are scored by its household scheme
    frame = frame.with_columns(pl.col("m_kind").fill_null("member").map_elements(
        track_of_kind, return_dtype=pl.String).alias("track"))
    frame, schemes = attach_schemes(ctx.store, frame.rename({"date_v": "day"}), day="day", track="track")
    frame = frame.rename({"day": "date_v"})
    errors.append(errors_where(frame, pl.col("scheme_key").is_null() & pl.col("branch_code").is_not_null()
                               & pl.col("date_v").is_not_null(), ctx.header("date"),
                               pl.format("{} 该支部没有适用的{}方案，请先在「积分方案」页面设置",
                                         pl.col("date_v").dt.strftime("%Y-%m-%d"),
                                         pl.col("track").replace_strict(NO_SCHEME_WORD, default="积分"))))
    frame = frame.with_columns(item_key(pl.col("item_text")).alias("_item_key")).join(
        item_table(schemes), left_on=["scheme_key", "_item_key"], right_on=["scheme_key", "_item_text"], how="left",
        maintain_order="left").drop("_item_key")
    names = {k: s.name for k, s in schemes.items()}
    errors.append(errors_where(
        frame, pl.col("scheme_key").is_not_null() & pl.col("item_text").is_not_null() & pl.col("item_code").is_null(),
        ctx.header("item"), pl.format("方案「{}」中没有项目「{}」",
                                      pl.col("scheme_key").replace_strict(names, default="", return_dtype=pl.String),
                                      pl.col("item_text"))))
    frame, errs = _check_items(ctx, frame, schemes)
    errors += errs
    frame, errs = _decisions(ctx, frame, schemes)
    errors += errs
    errors.append(duplicates(frame.filter(pl.col("member_id").is_not_null() & pl.col("item_code").is_not_null())
                             .with_columns(pl.col("points_v").cast(pl.String).fill_null(""),
                                           pl.col("note_v").fill_null("")),
                             KEY + ["note_v"], ctx.header("name"), "（同一人、同一项目、同一日期、同一分值）"))
    frame = frame.filter(pl.col("member_id").is_not_null() & pl.col("item_code").is_not_null()
                         & pl.col("date_v").is_not_null() & pl.col("count_v").is_not_null())
    errors += _locks(ctx, frame)
    errors = gather(errors)
    frame = _mark_existing(ctx, frame.filter(~pl.col(ROW).is_in(errors["行号"].implode())))
    add = frame.filter(~pl.col("_exists")).select(
        ROW, "member_id", "branch_code", pl.col("item_code").alias("item"), pl.col("date_v").alias("date"),
        pl.col("count_v").alias("count"), pl.col("points_v").alias("points"), pl.col("note_v").alias("note"),
        pl.col("rating_v").alias("rating"))
    shown = frame.filter(~pl.col("_exists")).select(
        pl.col(ROW).alias("行号"), pl.col("_name_shown").alias("姓名"), pl.col("item_name").alias("项目"),
        pl.col("date_v").alias("日期"), pl.col("points_shown").alias("分值"))
    return Plan(add, add.clear(), int(frame["_exists"].sum()), errors, shown, None)


def _inactive(ctx: Context, frame: pl.DataFrame) -> pl.DataFrame:
    """``require_active`` (transferred, exempt: no points), once per distinct member."""
    refused = []
    rows = frame.filter(pl.col("member_id").is_not_null()).select(
        "member_id", "m_kind", "m_category", "m_status", "branch_code").unique("member_id")
    for mid, kind, category, status, branch in rows.iter_rows():
        try:
            require_active(MemberRow(mid, "", branch, kind, category, status))
        except EntryError as exc:
            refused.append((mid, str(exc).strip()))
    if not refused:
        return frame.clear().select(pl.col(ROW).alias("行号"), pl.lit("").alias("列"), pl.lit("").alias("问题"))
    bad = pl.DataFrame(refused, schema={"member_id": pl.String, "_msg": pl.String}, orient="row")
    marked = frame.join(bad, on="member_id", how="left", maintain_order="left")
    return errors_where(marked, pl.col("_msg").is_not_null(), ctx.header("name"),
                        pl.col("_msg"))


def _check_items(ctx: Context, frame: pl.DataFrame, schemes) -> tuple[pl.DataFrame, list]:
    """``ledger.check_item`` once per distinct (scheme, kind, item, value, count). A fixed
    item's value written out in the ledger (−2 for 缺席三会一课) is accepted and dropped."""
    combos = frame.filter(pl.col("item_code").is_not_null()).select(
        "scheme_key", "m_kind", "item_code", "points_t", "count_t").unique()
    out = []
    for key, kind, code, points, count in combos.iter_rows():
        scheme = schemes[key]
        item = scheme.items[code]
        value = points
        if value is not None and not item.is_range:
            try:
                # a deduction column often drops the sign ('2' under 加扣分 for a −2 item); a
                # minus before a bonus item is no such habit and is checked as written
                written = Decimal(value)
                own = (item.points, item.points * Decimal(count or 1))
                if written in own or (item.points < 0 and -written in own):
                    value = None
            except ArithmeticError:
                pass
        member = MemberRow("", "", "", kind or "member", None, "active")
        try:
            _, points_v, count_v = check_item(scheme, member, code, value, count)
            shown = points_v if points_v is not None else item.points * count_v
            out.append((key, kind, code, points, count, points_v, count_v, item.name, str(shown.normalize()), None))
        except EntryError as exc:
            out.append((key, kind, code, points, count, None, None, item.name, None, str(exc)))
    checked = pl.DataFrame(out, schema={"scheme_key": pl.Int64, "m_kind": pl.String, "item_code": pl.String,
                                        "points_t": pl.String, "count_t": pl.String,
                                        "points_v": pl.Decimal(12, 2), "count_v": pl.Decimal(12, 2),
                                        "item_name": pl.String, "points_shown": pl.String, "_msg": pl.String},
                           orient="row")
    frame = frame.join(checked, on=["scheme_key", "m_kind", "item_code", "points_t", "count_t"], how="left",
                       maintain_order="left", nulls_equal=True)
    header = ctx.header("points")
    errors = [errors_where(frame, pl.col("_msg").is_not_null(), header, pl.col("_msg"))]
    frame = frame.with_columns(clean_names(pl.col("name")).alias("_name_shown"),
                               pl.when(pl.col("_msg").is_null()).then(pl.col("count_v")).alias("count_v"))
    return frame.drop("_msg"), errors


def _decisions(ctx: Context, frame: pl.DataFrame, schemes) -> tuple[pl.DataFrame, list]:
    """A 处罚积分 row needs its 村集体决定, as on 积分录入 (``village.decision_note``): the
    stored note leads with it. Other rows keep their note."""
    penalties = {(key, code) for key, scheme in schemes.items() for code, item in scheme.items.items()
                 if needs_decision(scheme, item)}
    if not penalties:
        return frame, []
    marked = pl.struct("scheme_key", "item_code").map_elements(
        lambda r: (r["scheme_key"], r["item_code"]) in penalties, return_dtype=pl.Boolean).fill_null(False)
    combos = frame.filter(marked).select("scheme_key", "item_code", "decision_v", "note_v").unique()
    out = []
    for key, code, decision, note in combos.iter_rows():
        try:
            out.append((key, code, decision, note, decision_note(schemes[key], schemes[key].items[code], decision,
                                                                 note), None))
        except EntryError as exc:
            out.append((key, code, decision, note, None, str(exc)))
    checked = pl.DataFrame(out, schema={"scheme_key": pl.Int64, "item_code": pl.String, "decision_v": pl.String,
                                        "note_v": pl.String, "_decided": pl.String, "_msg": pl.String}, orient="row")
    frame = frame.join(checked, on=["scheme_key", "item_code", "decision_v", "note_v"], how="left",
                       maintain_order="left", nulls_equal=True)
    errors = [errors_where(frame, pl.col("_msg").is_not_null(), ctx.header("decision"), pl.col("_msg"))]
    frame = frame.with_columns(pl.coalesce("_decided", "note_v").alias("note_v"),
                               pl.when(pl.col("_msg").is_null()).then(pl.col("count_v")).alias("count_v"))
    return frame.drop("_decided", "_msg"), errors


def _locks(ctx: Context, frame: pl.DataFrame) -> list[pl.DataFrame]:
    """``check_unlocked`` once per branch over its date range, then per date where it refuses."""
    out = []
    with ctx.store.cursor() as cur:
        spans = frame.group_by("branch_code").agg(pl.col("date_v").min().alias("a"), pl.col("date_v").max().alias("b"))
        for branch, first, last in spans.iter_rows():
            try:
                check_unlocked(cur, branch, first, last)
                continue
            except EntryError:
                pass
            for day in frame.filter(pl.col("branch_code") == branch)["date_v"].unique().to_list():
                try:
                    check_unlocked(cur, branch, day)
                except EntryError as exc:
                    rows = frame.filter((pl.col("branch_code") == branch) & (pl.col("date_v") == day))[ROW]
                    out.append(row_errors([(r, ctx.header("date"), str(exc)) for r in rows]))
    return out


# The file's rows (``import_keys``) equal to an event in force, by the file's members over its
# dates (PostgreSQL reads those members' events by index, not every county's). Marked large:
# on PostgreSQL it joins about a million of the ledger's rows to the file's, and a merge join
# sorted them on disk (1.8 s at M for a county-wide file of 100k rows, 0.6 s by a hash join).
_IN_FORCE_SQL = large(
    "SELECT DISTINCT k._at FROM import_keys k JOIN events e ON e.member_id = k.member_id"
    " AND e.item = k.item_code AND e.date = k.date_v"
    " AND e.points IS NOT DISTINCT FROM k.points_v AND e.count IS NOT DISTINCT FROM k.count_v"
    " LEFT JOIN event_reviews r ON r.event_id = e.id"
    " WHERE e.date BETWEEN ? AND ? AND e.member_id = ANY(?) AND e.reverses IS NULL"
    " AND NOT EXISTS (SELECT 1 FROM events x WHERE x.reverses = e.id)"
    " AND coalesce(r.decision, '') <> 'rejected'")


def _mark_existing(ctx: Context, frame: pl.DataFrame) -> pl.DataFrame:
    """A row equal to an event already in force (not reversed, not rejected) is unchanged:
    the same file imported twice, or a ledger overlapping what was typed in by hand.

    The file's keys go to the database, which returns the rows that match: reading the
    events of the file's members instead held ~700k rows for a county-wide file of 100k (the
    import's peak memory at M: 977 MB, +425 MB in this step)."""
    frame = frame.with_row_index("_at")  # a row's place: Excel row numbers repeat across sheets
    keys = frame.select("_at", *KEY).filter(pl.col("member_id").is_not_null())
    if keys.is_empty():
        return frame.drop("_at").with_columns(pl.lit(False).alias("_exists"))
    # the file's date span first: a county holds millions of events, a file a year of them
    first, last = keys["date_v"].min(), keys["date_v"].max()
    with ctx.store.cursor() as cur:
        cur.register("import_keys", keys)
        found = cur.sql(_IN_FORCE_SQL, params=[first, last, keys["member_id"].unique().sort().to_list()]).pl()
        cur.unregister("import_keys")
    return frame.with_columns(pl.col("_at").is_in(found["_at"].implode()).alias("_exists")).drop("_at")


def write(cur, ctx: Context, plan: Plan, batch_id: int, file_name: str) -> dict:
    add = plan.add
    spans = add.group_by("branch_code").agg(pl.col("date").min().alias("a"), pl.col("date").max().alias("b"))
    for branch, first, last in spans.iter_rows():
        check_unlocked(cur, branch, first, last)  # a period finalised since the preview
    # in by branch, member and date (the ids in that order), so the ledger's indexes and its
    # rollup's are written in runs rather than at random places (PostgreSQL at M, a county's
    # 100k rows in a file's random order: the ledger's insert 2.2 → 1.3-1.7 s, the effective
    # events' 0.8-1.0 → 0.7-0.9 s)
    rows = (add.select("member_id", "branch_code", "item", "date", "count", "points", "note", "rating")
            .sort("branch_code", "member_id", "date", maintain_order=True).to_arrow())
    cur.register("import_events", rows)
    try:
        cur.execute(
            "INSERT INTO events(member_id, branch_code, item, date, count, points, note, rating, evidence, source,"
            " entered_by, import_batch) SELECT member_id, branch_code, item, date, count, points, note, rating, ?,"
            " 'import', ?, ? FROM import_events", [f"导入批次 {batch_id}：{file_name}", ctx.user.username, batch_id]
        ).fetchall()
    finally:
        cur.unregister("import_events")
    cur.execute("INSERT INTO event_reviews(event_id, decision, reason, reviewed_by)"
                " SELECT id, 'approved', ?, ? FROM events WHERE import_batch = ? AND source = 'import'",
                [f"导入已审核台账（批次 {batch_id}）", ctx.user.username, batch_id]).fetchall()
    count_new_batch(cur, batch_id)  # imported as approved: they count from this transaction
    for branch, count in add.group_by("branch_code").len().iter_rows():
        audit.record(cur, ctx.user.username, "event.import", entity="import_batch", entity_id=batch_id,
                     org_code=branch, after={"events": count, "file": file_name, "status": "approved"})
    return {"added": add.height}


def undo(cur, ctx: Context, batch_id: int) -> dict:
    """Reverse every event of the batch still in force; refused when a period is locked."""
    spans = cur.execute(
        "SELECT branch_code, min(date), max(date) FROM events WHERE import_batch = ? AND source = 'import'"
        " GROUP BY branch_code", [batch_id]).fetchall()
    for branch, first, last in spans:
        check_unlocked(cur, branch, first, last)
    reason = f"撤销导入批次 {batch_id}"
    cur.execute(
        "INSERT INTO events(member_id, branch_code, item, date, count, points, note, reverses, source, entered_by)"
        " SELECT e.member_id, e.branch_code, e.item, e.date, e.count, e.points, ?, e.id, 'reversal', ?"
        " FROM events e WHERE e.import_batch = ? AND e.source = 'import'"
        " AND NOT EXISTS (SELECT 1 FROM events x WHERE x.reverses = e.id) ORDER BY e.id",
        [reason, ctx.user.username, batch_id]).fetchall()
    refresh_effective_batch(cur, batch_id)  # the reversed rows stop counting in this transaction
    counts = cur.execute(
        "SELECT r.branch_code, count(*) FROM events r JOIN events e ON e.id = r.reverses"
        " WHERE e.import_batch = ? AND r.source = 'reversal' AND r.entered_by = ? AND r.note = ?"
        " GROUP BY r.branch_code", [batch_id, ctx.user.username, reason]).fetchall()
    for branch, count in counts:
        audit.record(cur, ctx.user.username, "event.reverse", entity="import_batch", entity_id=batch_id,
                     org_code=branch, before={"status": "approved", "events": count},
                     after={"status": "reversed"}, reason=reason)
    return {"reversed": sum(c for _, c in counts)}


__all__ = ["KIND", "NAME", "COLUMNS", "validate", "write", "undo", "one_error"]
