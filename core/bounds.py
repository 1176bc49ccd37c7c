"""The limits on what a user may type, in one place, so that no entry path is laxer than another.

Every check raises the caller's own Chinese exception type (``error=``; services pass
``EntryError``, accounts ``AuthError``), so a page that already shows those messages shows
these too, and a refusal comes before any write.

The bounds, and why:

- **Text** (``text``): stripped; a NUL or other control character (tab and newlines allowed
  in long text), or a lone surrogate (``\\ud800``, which neither store can encode), is
  refused; text made only of spaces and zero-width characters (U+200B–U+200D, U+2060,
  U+FEFF) counts as empty, so a required field is not "filled in" by it. Lengths:
  ``NOTE_MAX`` 500 characters for a note, reason, evidence, objection or answer (a paragraph;
  the 公示 PDF and the review list show them whole), ``NAME_MAX`` 50 for a person's name
  (异议人, 经办人, a display name), ``TITLE_MAX`` 100 for an activity's title.
- **Counts** (``count``): more than 0 and at most ``COUNT_MAX`` = 1000 per event (a thousand
  meetings or hours in one record is a typo, not a record); per-event items take whole numbers.
- **Points** (``points``): finite, at most two decimals, within ±``POINTS_MAX`` = 1 000 000
  (Infinity, NaN and sNaN are refused before any comparison can raise).
- **Dates** (``day``): 2000-01-01 (``EARLIEST``) up to today: no scheme here starts earlier.
- **Months** (``month``, a 月报's): from 2000-01 up to this month.
- **Cycles** (``cycle``): a whole year from 2000 to next year (a cycle starting in July of this
  year ends next year, so next year's cycle may already be asked about).
- **公示 window** (``window``): at most ``WINDOW_MAX_DAYS`` = 60 days, both ends included (the
  rules ask for 5–7; two months is the most any branch would mean).
- **Codes** (``code``): a required single line of at most ``NAME_MAX`` characters.
- **Record ids** (``record_id``): whole numbers 1..2^63−1 (a BIGINT on both stores).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from core.services.entry_rules import EntryError

NOTE_MAX = 500
NAME_MAX = 50
TITLE_MAX = 100
COUNT_MAX = 1000
POINTS_MAX = Decimal(1_000_000)
EARLIEST = dt.date(2000, 1, 1)
FIRST_CYCLE = 2000
WINDOW_MAX_DAYS = 60
ID_MAX = 2**63 - 1

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
_LINE_BREAKS = "\t\n\r"


def unencodable(ch: str) -> bool:
    """A lone surrogate (``\ud800``, how Python keeps bytes that were not UTF-8): neither
    store can encode it, in a write or in a lookup."""
    return 0xD800 <= ord(ch) <= 0xDFFF


def printable(value) -> str:
    """``value`` as a message can print it: its unencodable characters as escapes (\\udcff)."""
    return str(value).encode("utf-8", "backslashreplace").decode("utf-8")


def text(value, what: str, *, required: bool = False, max_len: int = NOTE_MAX, multiline: bool = True,
         error: type[Exception] = EntryError) -> str:
    """``value`` stripped, or ``error`` saying what is wrong with it; "" for an empty optional field."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise error(f"{what}应为文字")
    if any(map(unencodable, value)):
        raise error(f"{what}含有无法识别的字符，请重新输入")
    allowed = _LINE_BREAKS if multiline else ""
    if any((ord(ch) < 32 and ch not in allowed) or ord(ch) == 127 for ch in value):
        raise error(f"{what}含有控制字符（如空字符），请重新输入")
    value = value.strip()
    if not value.strip(ZERO_WIDTH + " \t\n\r\u3000").strip():
        if required:
            raise error(f"请填写{what}")
        return ""
    if len(value) > max_len:
        raise error(f"{what}最多{max_len}个字，填写了{len(value)}个")
    return value


def code(value, what: str, *, error: type[Exception] = EntryError) -> str:
    """A code or id typed or picked (成员编号, 社区编码 …): one line of text, at most NAME_MAX
    (a number or a list here would make the store cast the column and fail)."""
    return text(value, what, required=True, max_len=NAME_MAX, multiline=False, error=error)


def number(value, what: str, *, error: type[Exception] = EntryError) -> Decimal:
    """A finite Decimal with at most two decimals within ±POINTS_MAX."""
    if isinstance(value, bool):
        raise error(f"{what}应为数字，填写的是 {value!r}")
    try:
        if isinstance(value, Decimal):
            result = value
        elif isinstance(value, (int, float, str)):
            if isinstance(value, str) and len(value) > 40:
                raise InvalidOperation
            result = Decimal(value) if isinstance(value, int) else Decimal(str(value).strip())
        else:
            raise InvalidOperation
        if not result.is_finite():
            raise InvalidOperation
        if abs(result) > POINTS_MAX:
            raise error(f"{what}超出范围（绝对值不超过 {POINTS_MAX:,}），填写的是 {_short(value)}")
        if result * 100 != (result * 100).to_integral_value():
            raise InvalidOperation
    except (InvalidOperation, ValueError, OverflowError) as exc:
        if isinstance(exc, error):
            raise
        raise error(f"{what}应为数字（最多两位小数），填写的是 {_short(value)}") from None
    return result


def count(value, what: str = "数量", *, whole: bool = True, maximum: int = COUNT_MAX,
          error: type[Exception] = EntryError) -> Decimal:
    """A count per event: 0 < count ≤ ``maximum``; a whole number when ``whole``."""
    amount = number(value, what, error=error)
    if amount <= 0:
        raise error(f"{what}应大于 0")
    if amount > maximum:
        raise error(f"{what}最多 {maximum}，填写的是 {_short(value)}")
    if whole and amount != amount.to_integral_value():
        raise error(f"{what}应为整数")
    return amount


def day(value, what: str = "日期", *, today: dt.date | None = None, earliest: dt.date = EARLIEST,
        error: type[Exception] = EntryError) -> dt.date:
    """A date from ``earliest`` to ``today``."""
    if not isinstance(value, dt.date):
        raise error(f"请选择{what}")
    if isinstance(value, dt.datetime):
        value = value.date()
    today = today or dt.date.today()
    if value > today:
        raise error(f"{what} {value:%Y-%m-%d} 在今天之后，不能预先录入")
    if value < earliest:
        raise error(f"{what} {value:%Y-%m-%d} 早于 {earliest:%Y-%m-%d}，请检查年份")
    return value


def month(value, what: str = "月份", *, today: dt.date | None = None, error: type[Exception] = EntryError) -> dt.date:
    """The first day of a month from EARLIEST's to today's (a report of a month not yet begun
    is a typo)."""
    if not isinstance(value, dt.date):
        raise error(f"请选择{what}")
    if isinstance(value, dt.datetime):
        value = value.date()
    first, today = value.replace(day=1), today or dt.date.today()
    if first > today:
        raise error(f"{what} {first:%Y-%m} 尚未开始")
    if first < EARLIEST:
        raise error(f"{what} {first:%Y-%m} 早于 {EARLIEST:%Y-%m}，请检查年份")
    return first


def cycle(value, *, today: dt.date | None = None, error: type[Exception] = EntryError) -> int:
    """A cycle (its starting year) from FIRST_CYCLE to next year."""
    last = (today or dt.date.today()).year + 1
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(str(value).strip()) if isinstance(value, str) and len(value) < 12 else None
        except ValueError:
            value = None
        if value is None:
            raise error("积分周期应为年份，如 2025")
    if not FIRST_CYCLE <= value <= last:
        raise error(f"积分周期应在 {FIRST_CYCLE}～{last} 年之间，填写的是 {value}")
    return value


def window(start, end, *, error: type[Exception] = EntryError) -> tuple[dt.date, dt.date]:
    """(start, end) as dates: a 公示 window of at most WINDOW_MAX_DAYS days, both ends included."""
    if not isinstance(start, dt.date) or not isinstance(end, dt.date):
        raise error("请选择公示开始日期和结束日期")
    start, end = (d.date() if isinstance(d, dt.datetime) else d for d in (start, end))
    days = (end - start).days + 1
    if days > WINDOW_MAX_DAYS:
        raise error(f"公示期最长 {WINDOW_MAX_DAYS} 天，{start:%Y-%m-%d}至{end:%Y-%m-%d}共 {days} 天")
    return start, end


def record_id(value, what: str = "积分记录编号", *, error: type[Exception] = EntryError) -> int:
    """A stored row's id: a whole number 1..ID_MAX (an int, or digits as text)."""
    if isinstance(value, bool):
        raise error(f"{what}应为数字：{value!r}")
    if isinstance(value, int):
        result = value
    elif isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 20:
        result = int(value.strip())
    else:
        raise error(f"{what}应为数字：{_short(value)}")
    if not 1 <= result <= ID_MAX:
        raise error(f"未找到{what.removesuffix('编号')} {result}")
    return result


def _short(value) -> str:
    """A refused value as the message quotes it: at most 20 characters of its repr."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**20:
        return f"约 {len(str(abs(value))) if value.bit_length() < 10_000 else '上千'}位数"
    shown = str(value) if isinstance(value, (int, Decimal)) and not isinstance(value, bool) else repr(value[:40] if isinstance(value, str) else value)
    return shown if len(shown) <= 20 else shown[:20] + "…"
