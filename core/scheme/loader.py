"""Finding, parsing and overriding scheme files."""

from __future__ import annotations

import copy
import os
import tomllib
from pathlib import Path

from core.scheme.build import SchemeError, build_scheme
from core.scheme.model import Scheme


def schemes_dir() -> Path:
    override = os.environ.get("JIFEN_SCHEMES_DIR")
    folder = Path(override) if override else Path(__file__).resolve().parents[2] / "data" / "schemes"
    if not folder.is_dir():
        # ``pip install .`` (not ``-e``) copies ``core`` into the virtualenv without ``data/``:
        # every scheme would be "unknown", which names the wrong cause
        raise ValueError(f"找不到积分方案目录 {folder}：程序应在其目录中以 pip install -e . 安装（见 README「服务器部署」）")
    return folder


def load_scheme_text(text: str, source: str) -> Scheme:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SchemeError(source, "(TOML)", f"格式错误: {exc}") from None
    return build_scheme(raw, source)


def load_scheme(id_or_path: str) -> Scheme:
    path = Path(id_or_path)
    if path.suffix != ".toml" or not path.exists():
        candidate = schemes_dir() / f"{id_or_path}.toml"
        if not candidate.exists():
            raise SchemeError(str(id_or_path), "id", f"未知方案: {id_or_path}")
        path = candidate
    return load_scheme_text(path.read_text(encoding="utf-8"), path.name)


def list_schemes() -> list[Scheme]:
    return sorted(
        (load_scheme(str(p)) for p in schemes_dir().glob("*.toml")), key=lambda s: s.id
    )


def merge_overrides(base, patch):
    """``patch`` deep-merged into ``base`` (a scheme's raw dict, or an assignment's overrides)."""
    if isinstance(base, dict) and isinstance(patch, dict):
        out = dict(base)
        for key, value in patch.items():
            out[key] = merge_overrides(base.get(key), value) if key in base else copy.deepcopy(value)
        return out
    if isinstance(base, list) and isinstance(patch, dict) and all(k.isdigit() for k in patch):
        # {"0": {...}} patches one row of an array of tables, e.g. one quota.
        out = list(base)
        for index, value in patch.items():
            out[int(index)] = merge_overrides(out[int(index)], value)
        return out
    return copy.deepcopy(patch)


def scheme_with_overrides(scheme: Scheme, overrides: dict) -> Scheme:
    """A new scheme with ``overrides`` (a TOML-shaped partial dict) deep-merged
    into the original and validated again. Lists are replaced whole, unless
    the override addresses rows by index as string keys ({"0": {...}})."""
    raw = merge_overrides(scheme.raw, overrides)
    return build_scheme(raw, f"{scheme.path}（已调整）")
