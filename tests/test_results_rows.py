"""What 积分结果 shows of an engine output: grouped warnings and rows that never read None."""

from core.services.results import display_rows, result_rows, warning_lines


def _output(period="cycle"):
    results = [
        {"subject": s, "name": n, "rank": r, "total": t, "grade": g, "stars": None, "flags": [],
         "components": {"daily": 75, "appraisal": 0}, "period_components": {"daily": 75, "appraisal": None},
         "not_assessed": ["appraisal"], "subtotal": 75}
        for s, n, r, t, g in (("A", "张三", 1, 75, "基本合格"), ("B", "李四", 1, 75, "基本合格"))]
    results.append({"subject": "C", "name": "王五", "rank": None, "total": None, "grade": None, "stars": None,
                    "flags": [], "components": {}})  # exempt
    return {"period": period, "components": {"daily": "日常分", "appraisal": "评议分"}, "results": results,
            "warnings": [{"branch": "B1", "subject": s, "code": "missing_appraisal", "message": "评议分 未录入，按 0 计"}
                         for s in ("A", "B")] + [{"branch": "B1", "code": "quota_tie", "message": "名额线上出现并列"}]}


def test_the_same_warning_for_many_members_is_one_line_naming_them():
    assert warning_lines(_output()) == ["评议分 未录入，按 0 计：张三、李四（2 人）", "名额线上出现并列"]


def test_rows_have_every_column_and_show_no_none():
    rows = display_rows(result_rows(_output()))
    # the exempt member has blank components and — for the missing total, never "None"
    assert rows[2] == {"排名": "—", "编号": "C", "姓名": "王五", "日常分": "", "评议分": "", "总分": "—", "等次": "",
                       "标记": "免于评星"}
    assert all("None" not in str(v) for row in rows for v in row.values())


def test_a_period_row_shows_its_own_scores_with_未评():
    row = result_rows(_output("Q1"))[0]
    assert (row["日常分（本期）"], row["评议分（本期）"], row["截至本期得分"], row["未计入（未评）"]) == ("75", "未评", 75, "评议分")
