"""成员档案's timeline names things as the scheme does: items, components and vetoes by name,
a score's period with its dates, raters in Chinese."""

import re

from core.metrics import member_file
from tests.conftest import DEMO_TODAY
from tests.test_metrics_scores import ADMIN


def test_timeline_has_names_not_codes(demo_store):
    member_id = demo_store.scalar(
        "SELECT s.member_id FROM scores s JOIN events e ON e.member_id = s.member_id"
        " WHERE s.branch_code = 'C01T01B01' AND s.period = 'H1' ORDER BY 1 LIMIT 1")
    member = member_file.profile(demo_store, ADMIN, member_id)
    page, total = member_file.timeline(demo_store, member, 0, 500, DEMO_TODAY)
    assert total == page.height > 0
    assert not [w for w in page["what"] if re.fullmatch(r"[A-Za-z0-9_]+", w)]  # no item/component code
    scored = page.filter(page["kind"] == "评议/评分")
    # C01T01B01 runs party-q100-3to1 (七一): the last H1 ended is that of the cycle starting
    # 07-01 of the year before today's (on 2026-12-01: cycle 2025, 2025-07..12), named by its dates
    c = DEMO_TODAY.year - 1
    assert "评议分" in set(scored["what"])
    assert any(n.startswith(f"{c}—{c + 1}年度（{c}-07-01至{c + 1}-06-30）前半年（7—12月）") for n in scored["note"])
    assert not any(re.search(r"\b(H1|H2|Q[1-4]|cycle)\b", n) for n in scored["note"])
