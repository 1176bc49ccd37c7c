"""Resident ID numbers (公民身份号码, GB 11643-1999): normalise, check, detect lost digits, mask.

The full number is stored (a household's people are matched by it); every view and export
shows ``mask_id``'s form. Messages are Chinese and name the field, as entry errors do.
"""

from __future__ import annotations

import datetime as dt
import re

FIELD = "身份证号"
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"  # check character for sum mod 11 = 0, 1, 2, …
_FULL_WIDTH = {ord(c): ord(c) - 0xFEE0 for c in "０１２３４５６７８９ＸｘＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＹＺ"}
_SPACES = re.compile(r"[\s\u3000\u00a0'‘’`]+")


class IdCardError(ValueError):
    """An ID number that cannot be right; the message is shown as is."""


def normalise_id(text) -> str:
    """Strip spaces (half- and full-width) and a leading apostrophe Excel users type, turn
    full-width digits into half-width and the check letter into upper-case X."""
    if text is None:
        return ""
    value = str(text).translate(_FULL_WIDTH)
    return _SPACES.sub("", value).upper()


def check_digit(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS)) % 11]


def check_id(text) -> str:
    """The normalised number if it is a valid 18-character ID, else ``IdCardError``."""
    value = normalise_id(text)
    if not value:
        raise IdCardError(f"{FIELD}不能为空")
    if lost_digits(text):
        raise IdCardError(f"{FIELD}「{value}」的末几位已丢失（Excel 把它存成了数字），请把该列设为文本后重新填写")
    if len(value) != 18:
        raise IdCardError(f"{FIELD}应为18位，「{value}」是{len(value)}位")
    if not re.fullmatch(r"\d{17}[\dX]", value):
        raise IdCardError(f"{FIELD}「{value}」只能含数字，最后一位可以是 X")
    try:
        born = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise IdCardError(f"{FIELD}「{value}」中的出生日期 {value[6:14]} 不存在") from None
    if born.year < 1900 or born > dt.date.today():
        raise IdCardError(f"{FIELD}「{value}」中的出生日期 {born:%Y-%m-%d} 不合理")
    if check_digit(value[:17]) != value[17]:
        raise IdCardError(f"{FIELD}「{value}」校验位不对，请核对")
    return value


def birth_date(value: str) -> dt.date:
    """The birth date a valid ID number carries."""
    return dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


def gender(value: str) -> str:
    """男 or 女, from the 17th digit of a valid ID number (odd: male)."""
    return "男" if int(value[16]) % 2 else "女"


def lost_digits(value) -> bool:
    """True when an ID number went through Excel as a number: a float, scientific notation,
    or 15+ significant digits followed by zeros whose check digit fails (Excel keeps 15
    significant digits, so the last three come back as 0)."""
    if value is None or isinstance(value, bool):
        return False
    if isinstance(value, float):
        return True  # a double holds 15–17 digits: an 18-digit number cannot survive it
    text = normalise_id(value)
    if re.fullmatch(r"\d+(\.\d+)?E\+?\d+", text) or re.fullmatch(r"\d{15,}\.0+", text):
        return True
    digits = str(value) if isinstance(value, int) else text
    # Excel keeps 15 significant digits, so an 18-digit number comes back ending in 000;
    # a real ID may end in 000 too, and then its check digit still holds.
    if re.fullmatch(r"\d{15}000", digits):
        return check_digit(digits[:17]) != digits[17]
    # A reader that kept all 17 significant digits of the double (calamine) gives back a
    # rounded copy (…071008): it survives the double unchanged, and its check digit fails.
    return (len(digits) == 18 and digits.isdigit() and int(float(digits)) == int(digits)
            and check_digit(digits[:17]) != digits[17])


def mask_id(value) -> str:
    """3101**********1234: the first 4 and last 4 kept; blank for no number."""
    text = normalise_id(value)
    if not text:
        return ""
    if len(text) <= 8:
        return "*" * len(text)
    return text[:4] + "*" * (len(text) - 8) + text[-4:]
