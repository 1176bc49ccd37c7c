"""户积分动态管理表 as PDF and Excel (``core.services.village.dynamic_table`` gives the rows):
the PDF through the 公示's printer (title, lines, a table whose header repeats), the
workbook through the 台账's (title row, frozen header, a 合计 row)."""

from __future__ import annotations

from core.io.ledger import totals_rows
from core.io.pdf import notice_pdf
from core.io.workbook import Sheet, Table, workbook_bytes


def dynamic_pdf(table: dict) -> bytes:
    rows = [{c: row.get(c) for c in table["columns"]} for row in table["rows"]]
    return notice_pdf({"title": table["title"], "lines": table["lines"], "rows": rows,
                       "footer": ["积分评定小组每月审核、每季度公示；有异议的请向村委会反映。"]})


def dynamic_xlsx(table: dict) -> bytes:
    columns, rows = table["columns"], table["rows"]
    numeric = [{c: float(v) if isinstance(v, int) and c != "排名" else v for c, v in row.items()} for row in rows]
    head = columns[2]
    sheet = Sheet("户积分动态管理表", table["title"], [Table(columns, numeric, totals_rows(numeric, columns, head))],
                  notes=table["lines"])
    return workbook_bytes([sheet])
