"""The entry world (tests/entry_world.py) with self-declaration open in 一村 and two subject
logins there: 张三 (M01) and 李四 (M02). 二村 keeps party-q100-3to1 as shipped (no
self-declaration)."""

from __future__ import annotations

import datetime as dt
import io

from functools import lru_cache

from core.auth import User
from core.auth.users import hash_password
from core.scheme_assignments import assign_scheme
from tests import entry_world
from tests.entry_world import TOWNSHIP

PASSWORD = "zhangsan-2025"
ZHANGSAN = User("zhangsan", "张三", "subject", "C01T01B01")
LISI = User("lisi", "李四", "subject", "C01T01B01")


def build(store) -> None:
    entry_world.build(store)
    # q100 with 自我申报 switched on for 一村 only, through the assignment's overrides
    assign_scheme(store, TOWNSHIP, "C01T01B01", "party-q100-3to1", dt.date(2024, 7, 1),
                  overrides={"self_declare": True}, reason="试行自我申报")
    # the logins as core.subject_accounts.open_account leaves them (tested on its own), written
    # directly so that each world does not pay two argon2 hashes
    store.write(lambda cur: cur.executemany(
        "INSERT INTO users(username, display_name, password_hash, role, org_code, subject_id)"
        " VALUES (?, ?, ?, 'subject', 'C01T01B01', ?)",
        [["zhangsan", "张三", password_hash(), "M01"], ["lisi", "李四", password_hash(), "M02"]]))


@lru_cache(maxsize=1)
def password_hash() -> str:
    return hash_password(PASSWORD)


def image(fmt: str = "PNG", size=(8, 8), color=(200, 30, 30)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, fmt)
    return out.getvalue()
