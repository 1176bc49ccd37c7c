"""Reading a parsed scheme dict with checks: every rejection is a ``SchemeError`` whose
Chinese message names the file and the key path, so whoever edits a template sees exactly
what to fix. Also the two shapes several sections share: grade/star bands and conditions."""

from __future__ import annotations

from decimal import Decimal

from core.conditions import CONDITION_TYPES
from core.decimals import scaled, to_decimal
from core.scheme.model import Band


class SchemeError(ValueError):
    """A broken scheme; the message says which file and which key."""

    def __init__(self, source: str, key: str, message: str):
        self.source, self.key = source, key
        super().__init__(f"方案文件 {source} 的 {key}: {message}")


def key_path(key: str, name: str) -> str:
    return f"{key}.{name}" if key else name


class Reader:
    def __init__(self, source: str):
        self.source = source

    def fail(self, key: str, message: str):
        raise SchemeError(self.source, key, message)

    def table(self, data, key: str, required=False) -> dict:
        value = data.get(key.rsplit(".", 1)[-1]) if isinstance(data, dict) else None
        if value is None:
            if required:
                self.fail(key, "缺少此项")
            return {}
        if not isinstance(value, dict):
            self.fail(key, "应为表（table）")
        return value

    def text(self, data: dict, name: str, key: str, default=None, choices=None) -> str:
        value = data.get(name, default)
        if value is None:
            self.fail(key_path(key, name), "缺少此项")
        if not isinstance(value, str) or not value:
            self.fail(key_path(key, name), "应为非空文本")
        if choices is not None and value not in choices:
            self.fail(key_path(key, name), f"未知取值 {value}，可选: {', '.join(choices)}")
        return value

    def number(self, data: dict, name: str, key: str, default=None, required=False) -> Decimal | None:
        value = data.get(name, default)
        if value is None:
            if required:
                self.fail(key_path(key, name), "缺少此项")
            return None
        try:
            result = to_decimal(value)
            scaled(result)
        except ValueError as exc:
            self.fail(key_path(key, name), f"应为数字（最多两位小数）: {exc}")
        return result

    def integer(self, data: dict, name: str, key: str, default=None) -> int:
        value = data.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.fail(key_path(key, name), "应为非负整数")
        return value

    def strings(self, data: dict, name: str, key: str, default=None) -> list[str] | None:
        value = data.get(name, default)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            self.fail(key_path(key, name), "应为文本列表")
        return list(value)

    def number_map(self, data: dict, name: str, key: str) -> dict[str, Decimal]:
        table = self.table(data, key_path(key, name))
        return {k: self.number(table, k, key_path(key, name), required=True) for k in table}


def bands(r: Reader, rows, key: str, label_key: str) -> tuple[Band, ...]:
    """Ordered best→worst; each band's ``below`` (if given) must meet the
    previous band's ``min`` exactly, otherwise there is a gap or an overlap."""
    if rows is None:
        return ()
    if not isinstance(rows, list) or not rows:
        r.fail(key, "应为非空的分档列表")
    bands: list[Band] = []
    for i, row in enumerate(rows):
        at = f"{key}[{i}]"
        if not isinstance(row, dict):
            r.fail(at, "应为表")
        if row.get("none"):
            label = None
        elif label_key == "stars":
            label = r.integer(row, "stars", at)
        else:
            label = r.text(row, label_key, at)
        low = r.number(row, "min", at)
        below = r.number(row, "below", at)
        if low is None and i != len(rows) - 1:
            r.fail(f"{at}.min", "只有最后一档可以不设下限")
        if low is not None and below is not None and low >= below:
            r.fail(at, f"下限 {low} 不小于上限 {below}（最小值大于最大值）")
        if bands:
            prev = bands[-1]
            if low is not None and low >= prev.min:
                r.fail(f"{at}.min", f"与上一档重叠：下限 {low} 不低于上一档下限 {prev.min}")
            if below is not None and below < prev.min:
                r.fail(f"{at}.below", f"分档有缺口：{below} 到 {prev.min} 之间没有归属")
            if below is not None and below > prev.min:
                r.fail(f"{at}.below", f"分档重叠：上限 {below} 高于上一档下限 {prev.min}")
        elif below is not None:
            r.fail(f"{at}.below", "第一档（最高档）不应设上限")
        bands.append(Band(label, low, below))
    labels = [b.label for b in bands if b.label is not None]
    if len(set(labels)) != len(labels):
        r.fail(key, "档名重复")
    return tuple(bands)


def when_table(r: Reader, when, key: str, grade_names: set[str]) -> dict:
    if not isinstance(when, dict) or not when:
        r.fail(key, "应为非空条件表")
    for name, arg in when.items():
        kind = CONDITION_TYPES.get(name)
        at = key_path(key, name)
        if kind is None:
            r.fail(at, f"未知条件 {name}，可选: {', '.join(CONDITION_TYPES)}")
        if kind == "int" and (isinstance(arg, bool) or not isinstance(arg, int)):
            r.fail(at, "应为整数")
        if kind == "number":
            r.number(when, name, key)
        if kind == "bool" and not isinstance(arg, bool):
            r.fail(at, "应为 true 或 false")
        if kind == "grades":
            r.strings(when, name, key)
            unknown = [g for g in arg if g not in grade_names]
            if unknown:
                r.fail(at, f"未知等次: {', '.join(unknown)}")
        if kind == "text" and (not isinstance(arg, str) or not arg):
            r.fail(at, "应为非空文本")
        if kind == "table" and set(arg) != {"stars", "at_least"}:
            r.fail(at, "应为 { stars = n, at_least = m }")
    return dict(when)


