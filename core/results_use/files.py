"""The 评先评优 and 星级挂牌 lists as printable PDF (the 公示's A4 layout, core.io.pdf) and as
Excel (core.io.tables, formula-safe), and their file names."""

from __future__ import annotations

import datetime as dt

from core.io.exports import clean_file_name
from core.io.pdf import notice_pdf
from core.io.tables import excel_bytes
from core.results_use.candidates import Candidate, candidate_rows
from core.results_use.stars import StarGroup, star_rows


def candidates_document(org_name: str, cycle_text: str, items: list[Candidate], today: dt.date) -> dict:
    return {"title": f"{org_name}{cycle_text}评先评优推荐名单", "sheet": "评先评优",
            "lines": [f"依据：{cycle_text}积分结果和积分方案的评先评优规则", f"共 {len(items)} 人"],
            "rows": candidate_rows(items) or [{"序号": "", "姓名": "（无符合条件的人选）"}],
            "footer": [f"打印日期：{today:%Y-%m-%d}"], "seal": [f"{org_name}（盖章）", "年　　月　　日"]}


def stars_document(org_name: str, period_text: str, groups: list[StarGroup], today: dt.date) -> dict:
    return {"title": f"{org_name}{period_text}星级党员挂牌名单", "sheet": "星级挂牌",
            "lines": [f"共 {sum(len(g.members) for g in groups)} 人"],
            "rows": star_rows(groups) or [{"星级": "", "姓名": "（本期没有星级评定结果）"}],
            "footer": [f"打印日期：{today:%Y-%m-%d}"], "seal": [f"{org_name}（盖章）", "年　　月　　日"]}


def pdf_bytes(document: dict) -> bytes:
    return notice_pdf(document)


def xlsx_bytes(document: dict) -> bytes:
    return excel_bytes({document["sheet"]: document["rows"]})


def file_stem(document: dict) -> str:
    return clean_file_name(document["title"])
