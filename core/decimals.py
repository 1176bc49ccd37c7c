"""Exact decimal helpers shared by the scheme loader and the engine.

Points are stored as integers scaled by ``SCALE`` inside the hot paths (Polars
sums integers exactly) and as ``Decimal`` everywhere else; floats never enter
the arithmetic. The pure helpers below are memoised: a county evaluation
calls them for every subject with a few hundred distinct values (equal
Decimals such as 1.0 and 1 give equal results, so sharing an entry is exact).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

SCALE = 100
ONE_PLACE = Decimal("0.1")
CACHE_SIZE = 1 << 16


def to_decimal(value) -> Decimal:
    """Convert a JSON/TOML number or numeric string to Decimal via its text.

    Going through ``str`` keeps 0.1 as 0.1 instead of the binary float value.
    """
    if isinstance(value, bool):
        raise ValueError("布尔值不是数字")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, (int, float, str)):
        try:
            result = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError(f"不是数字: {value!r}") from None
        if not result.is_finite():
            raise ValueError(f"不是有限数字: {value!r}")
        return result
    raise ValueError(f"不是数字: {value!r}")


def scaled(value: Decimal) -> int:
    """Decimal → integer hundredths; refuses values finer than 0.01."""
    result = value * SCALE
    if result != result.to_integral_value():
        raise ValueError(f"最多两位小数: {value}")
    return int(result)


@lru_cache(maxsize=CACHE_SIZE)
def unscaled(value: int) -> Decimal:
    return Decimal(value) / SCALE


@lru_cache(maxsize=CACHE_SIZE)
def round1(value: Decimal) -> Decimal:
    """Half-up to one decimal place: 71.25 → 71.3, 89.95 → 90.0."""
    return value.quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def json_number(value: Decimal | None):
    """Rounded one-place Decimal as a JSON number: 20 stays 20, 72.75 → 72.8."""
    if value is None:
        return None
    rounded = round1(value)
    if rounded == rounded.to_integral_value():
        return int(rounded)
    return float(rounded)


@lru_cache(maxsize=CACHE_SIZE)
def fmt(value: Decimal | int) -> str:
    """Human text for explain lines: no trailing zeros, true minus sign."""
    if isinstance(value, int):
        value = Decimal(value)
    text = format(value.normalize(), "f") if value != 0 else "0"
    return text.replace("-", "−")


def signed(value: Decimal | int) -> str:
    text = fmt(value)
    return text if text.startswith("−") else "+" + text
