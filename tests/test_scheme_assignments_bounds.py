"""assign_scheme takes only a known scheme id from a sane date (issue 13: a file path and 1900
were accepted)."""

import datetime as dt

import pytest

from core.auth import User
from core.scheme_assignments import NoSchemeError, assign_scheme

ADMIN = User("admin", "县管理员", "admin", "C01")


@pytest.mark.parametrize("scheme_id", ["/etc/passwd", "data/schemes/party-q100-3to1.toml", "../x", "", None, "PARTY-Q100-3TO1"])
def test_only_a_known_scheme_id(with_orgs, scheme_id):
    before = with_orgs.scalar("SELECT count(*) FROM scheme_assignments")
    with pytest.raises(NoSchemeError, match="未知方案"):
        assign_scheme(with_orgs, ADMIN, "C01T01B01", scheme_id, dt.date(2025, 7, 1))
    assert with_orgs.scalar("SELECT count(*) FROM scheme_assignments") == before


@pytest.mark.parametrize("day", [dt.date(1900, 1, 1), dt.date(1999, 12, 31), dt.date(dt.date.today().year + 3, 1, 1)])
def test_a_start_date_outside_2000_to_two_years_ahead_is_refused(with_orgs, day):
    with pytest.raises(ValueError, match="启用日期"):
        assign_scheme(with_orgs, ADMIN, "C01T01B01", "party-q100-3to1", day)
    assert with_orgs.scalar("SELECT count(*) FROM scheme_assignments") == 0


def test_a_known_id_from_a_sane_date_is_kept(with_orgs):
    assign_scheme(with_orgs, ADMIN, "C01T01B01", "party-q100-3to1", dt.date(2025, 7, 1))
    assert with_orgs.all("SELECT scheme_id, from_date FROM scheme_assignments") == [
        ("party-q100-3to1", dt.date(2025, 7, 1))]
