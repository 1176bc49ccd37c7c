"""Excel templates for each import: Chinese headers, an example in the second row, drop-downs
for enumerations (and, for a given branch, its scheme's items and categories).

The example row is recognised on import and skipped when it is left unchanged, so a filled-in
template can be uploaded as it is. ID-number and phone columns are formatted as text, so a
number typed into them keeps every digit.
"""

from __future__ import annotations

import datetime as dt
import io

import polars as pl
import xlsxwriter

from core.imports import importer
from core.io.reader import ROW
from core.scheme_assignments import TRACKS, NoSchemeError, scheme_for
from core.services.ledger import items_for

MAX_ROWS = 5000  # how far down the drop-downs and text formats reach
TEXT_COLUMNS = ("id_card", "phone", "code", "house_no", "cycle")


# The track whose scheme fills a roster's drop-downs; a ledger lists the items of every track
# the branch runs (a village's party items, then its household items).
_ROSTER_TRACK = {"households": "village", "volunteers": "volunteer"}


# Ledger columns only a branch running that track needs: a party branch's template keeps its
# eight columns, a village's adds 村集体决定, a station's 服务评价.
TRACK_COLUMNS = {"decision": "village", "rating": "volunteer"}


def _schemes(store, org_code: str) -> dict:
    """The branch's scheme of each track in force today."""
    out = {}
    for track in TRACKS:
        try:
            out[track], _ = scheme_for(store, org_code, dt.date.today(), track)
        except NoSchemeError:
            continue
    return out


def _choices(store, kind: str, org_code: str | None) -> dict[str, list[str]]:
    """Drop-downs that depend on the branch's scheme: its items, categories and appraisal items."""
    if store is None or not org_code:
        return {}
    today = dt.date.today()
    if kind == "events":
        items = [i.name for scheme in _schemes(store, org_code).values() for k in scheme.subject_kinds
                 for i in items_for(scheme, k)]
        return {"item": list(dict.fromkeys(items))} if items else {}
    try:
        scheme, _ = scheme_for(store, org_code, today, _ROSTER_TRACK.get(kind, "party"))
    except NoSchemeError:
        return {}
    out: dict[str, list[str]] = {}
    if kind in ("members", "volunteers", "households") and scheme.subject_categories:
        out["category"] = list(scheme.subject_categories)
    if kind == "scores":
        entered = scheme.entered_components()
        out["component"] = list(dict.fromkeys(e.name for e in entered))
        out["grade"] = list(dict.fromkeys(g for e in entered for g in e.grades))
    if kind == "history":
        out["grade"] = list(scheme.grade_names)
    return out


def examples(kind: str) -> dict[str, str]:
    return {c.key: c.example for c in importer(kind).COLUMNS}


def template_bytes(kind: str, store=None, org_code: str | None = None) -> bytes:
    """The .xlsx template of ``kind``; with ``org_code``, drop-downs from that branch's scheme."""
    module = importer(kind)
    columns = module.COLUMNS
    if kind == "events" and store is not None and org_code:
        tracks = set(_schemes(store, org_code))
        columns = [c for c in columns if TRACK_COLUMNS.get(c.key, "party") in tracks | {"party"}]
    scheme_lists = _choices(store, kind, org_code)
    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer, {"in_memory": True}) as book:
        sheet = book.add_worksheet(module.NAME[:31])
        lists = book.add_worksheet("选项")
        lists.hide()
        head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        must = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "font_color": "#C00000"})
        text = book.add_format({"num_format": "@"})
        sample = book.add_format({"num_format": "@", "font_color": "#808080", "italic": True})
        for j, col in enumerate(columns):
            sheet.write_string(0, j, col.header, must if col.required else head)
            if col.required:
                sheet.write_comment(0, j, "必填")
            sheet.write_string(1, j, col.example, sample)
            sheet.set_column(j, j, col.width, text if col.key in TEXT_COLUMNS else None)
            values = scheme_lists.get(col.key) or list(col.choices)
            if values:
                lists.write_column(0, j, values)
                letter = xlsxwriter.utility.xl_col_to_name(j)
                sheet.data_validation(1, j, MAX_ROWS, j, {
                    "validate": "list", "source": f"=选项!${letter}$1:${letter}${len(values)}",
                    "error_type": "warning", "error_title": col.header,
                    "error_message": f"请从下拉列表中选择{col.header}"})
        sheet.freeze_panes(1, 0)
    return buffer.getvalue()


def drop_examples(kind: str, frame: pl.DataFrame) -> pl.DataFrame:
    """The rows that are not the template's unchanged example row."""
    shown = {k: v for k, v in examples(kind).items() if k in frame.columns}
    if not any(shown.values()):
        return frame
    same = pl.all_horizontal(
        (pl.col(k) == v).fill_null(False) if v else pl.col(k).is_null() for k, v in shown.items())
    return frame.filter(~same | (pl.col(ROW) > 2))
