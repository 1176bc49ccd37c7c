"""Photos that prove a self-declared deed (自我申报的影像证据).

A photo is checked by its content, never by its file name: a JPEG or PNG that Pillow can
open, at most ``MAX_BYTES``. It is stored once per sha256 in ``evidence_files`` (base64 text:
the same on both engines, in backups and through ``migrate``); the event's ``evidence``
holds the hash, so the same photo sent twice is one row.
"""

from __future__ import annotations

import base64
import hashlib
import io

from core.auth import require, scope_for
from core.services.entry_rules import EntryError
from core.store import Store

MAX_BYTES = 5 * 1024 * 1024
MAX_MB = MAX_BYTES // (1024 * 1024)
# The first bytes of each accepted format, and the format's name as Pillow reports it.
SIGNATURES = {b"\xff\xd8\xff": ("image/jpeg", "JPEG"), b"\x89PNG\r\n\x1a\n": ("image/png", "PNG")}


def check_photo(data) -> tuple[str, str]:
    """(sha256, mime) of an acceptable photo, or EntryError saying why it is refused."""
    if not isinstance(data, (bytes, bytearray)) or not data:
        raise EntryError("请上传一张照片（jpg 或 png）")
    data = bytes(data)
    if len(data) > MAX_BYTES:
        raise EntryError(f"照片过大（{len(data) / 1024 / 1024:.1f} MB），最大 {MAX_MB} MB；请压缩后再上传")
    kind = next((v for sig, v in SIGNATURES.items() if data.startswith(sig)), None)
    if kind is None:
        raise EntryError("文件不是 jpg 或 png 照片，请重新选择")
    mime, pil_format = kind
    from PIL import Image  # fpdf2's dependency; imported here so a page without photos pays nothing

    try:
        with Image.open(io.BytesIO(data)) as image:
            opened = image.format
            image.verify()  # reads the structure through, without decoding every pixel
    except Exception:  # noqa: BLE001 - any decoder error means the same to the user
        raise EntryError("照片已损坏或不完整，无法打开，请重新拍摄或选择") from None
    if opened != pil_format:
        raise EntryError("文件不是 jpg 或 png 照片，请重新选择")
    return hashlib.sha256(data).hexdigest(), mime


def save_photo(cur, data: bytes, digest: str, mime: str, username: str) -> None:
    """Inside the caller's write: the photo's row, unless the same photo is already stored."""
    cur.execute(
        "INSERT INTO evidence_files(hash, mime, size, data, uploaded_by) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (hash) DO NOTHING",
        [digest, mime, len(data), base64.b64encode(data).decode("ascii"), username]).fetchall()


def read_photo(store: Store, digest: str | None) -> tuple[bytes, str] | None:
    """The stored photo and its mime type (unscoped: callers check who may see it)."""
    if not digest:
        return None
    row = store.one("SELECT data, mime FROM evidence_files WHERE hash = ?", [digest])
    return (base64.b64decode(row[0]), row[1]) if row else None


def event_photo(store: Store, user, event_id: int) -> tuple[bytes, str] | None:
    """A reviewer's view of an event's photo: the event's branch must be in scope."""
    require(user, "review")
    row = store.one("SELECT branch_code, evidence FROM events WHERE id = ?", [int(event_id)])
    if row is None:
        raise EntryError(f"未找到积分记录 {event_id}")
    scope_for(store, user).check_org(store, row[0])
    return read_photo(store, row[1])
