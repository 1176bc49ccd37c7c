"""Demo logins of subjects: a party member of the demo branch (dangyuan01) and the head of a
household of the first demo village (nonghu01), whose pending 自我申报 with a photo waits
in the village's 审核. Same rows on both engines (the photo is drawn, not random)."""

from __future__ import annotations

import datetime as dt
import io

from core.auth import User
from core.auth.users import hash_password
from core.services.entry_rules import EntryError
from core.services.rollups import refresh_effective
from core.store import Store

BRANCH = "C01T01B01"
DEMO_ITEM = "help_vulnerable"  # village-4class: 帮助孤寡老人、“三留守”人员等


def _photo() -> bytes:
    """A small drawn picture (a sun over a field), the same bytes on every run."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (240, 160), (150, 200, 240))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 110, 240, 160), fill=(110, 170, 80))
    draw.ellipse((170, 20, 210, 60), fill=(250, 210, 60))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def generate(store: Store, seed: int, size: str, today: dt.date, say) -> dict[str, int]:
    from core.demo import DEMO_PASSWORD
    from core.self_service import declare

    say("积分对象本人账号")
    member = store.one("SELECT id, name FROM members WHERE branch_code = ? AND kind = 'member' AND status = 'active'"
                       " ORDER BY id LIMIT 1", [BRANCH])
    household = store.one("SELECT id, coalesce(head_name, name), branch_code FROM members WHERE kind = 'household'"
                          " AND status = 'active' ORDER BY branch_code, id LIMIT 1")
    logins = [("dangyuan01", member[1], BRANCH, member[0])] if member else []
    if household:
        logins.append(("nonghu01", household[1], household[2], household[0]))
    hashed = hash_password(DEMO_PASSWORD)  # the demo's printed password: written as a hash, like the staff's
    store.write(lambda cur: cur.executemany(
        "INSERT INTO users(username, display_name, password_hash, role, org_code, subject_id)"
        " VALUES (?, ?, ?, 'subject', ?, ?)", [[u, n, hashed, o, s] for u, n, o, s in logins]))
    declared = 0
    if household:
        head = User("nonghu01", household[1], "subject", household[2])
        # two days ago (today's queue stays the staff's own), within the village's calendar-year cycle
        day = today - dt.timedelta(days=2) if (today - dt.timedelta(days=2)).year == today.year else today
        try:
            event_id = declare(store, head, DEMO_ITEM, day, note="帮村里独居的李奶奶收玉米、打扫院子", photo=_photo(),
                               request_key=f"demo-declaration-{seed}", today=today)
        except (EntryError, LookupError):  # a village without the household scheme: the login alone
            pass
        else:
            # the clock's columns set from the demo's day, so both engines hold the same rows
            at = dt.datetime.combine(today, dt.time(9, 30))
            # (and its month counted again: event_months counts the entries made late or in
            # the month's last days by their entry time)
            store.write(lambda cur: (
                cur.execute("UPDATE events SET entered_at = ? WHERE id = ?", [at, event_id]).fetchall(),
                cur.execute("UPDATE evidence_files SET created_at = ?", [at]).fetchall(),
                cur.execute("UPDATE pending_events SET entered_at = ? WHERE event_id = ?", [at, event_id]).fetchall(),
                refresh_effective(cur, [event_id])))
            declared = 1
    return {"subject_logins": len(logins), "declarations": declared}
