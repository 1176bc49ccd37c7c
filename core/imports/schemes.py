"""The scheme in force for many (branch, date) rows at once, picked as ``scheme_for`` picks it.

The scheme a branch uses can only change on the ``from_date`` of an assignment to the branch
or one of its ancestors, so each row's date is rounded down to that date (one as-of join)
and the scheme is looked up once per distinct (branch, rounded date), among the branches'
assignments read in one query (``Assignments``, which picks as ``scheme_for`` does).
"""

from __future__ import annotations

import unicodedata

import polars as pl

from core.scheme import Scheme
from core.scheme_assignments import Assignments


def attach_schemes(store, frame: pl.DataFrame, branch: str = "branch_code", day: str = "date",
                   track: str | None = None
                   ) -> tuple[pl.DataFrame, dict[int, Scheme]]:
    """Adds ``scheme_key`` (an int; null when no scheme is in force) to each row with a branch
    and a date. With ``track`` (a column naming each row's track, ``core.scheme_assignments``),
    a village's household rows get its household scheme and its members the party scheme;
    without, every row gets the party scheme. Returns (frame, key -> scheme)."""
    if track is None:
        frame = frame.with_columns(pl.lit("party").alias("_track"))
        track = "_track"
    pairs = frame.select(branch, track, day).drop_nulls().unique()
    codes = pairs[branch].unique().to_list()
    starts = store.frame(
        "SELECT b.code AS branch, a.from_date AS start FROM orgs b JOIN orgs o ON starts_with(b.path, o.path)"
        " JOIN scheme_assignments a ON a.org_code = o.code WHERE b.code = ANY(?)", [codes]
    ).unique().sort("start")
    keyed = pairs.sort(day).join_asof(starts, left_on=day, right_on="start", by_left=branch, by_right="branch",
                                         check_sortedness=False)
    schemes: dict[int, Scheme] = {}
    ids: dict[tuple[str, str], int] = {}
    rows = []
    found = keyed.select(branch, track, "start").unique()
    # every branch's assignments up the tree in one query (a county-wide file: 276 (branch,
    # start)s, one query each cost PostgreSQL's preview 0.3 s)
    assignments = Assignments.of_tracks(store, codes, found[track].unique().to_list())
    for code, row_track, start in found.iter_rows():
        if start is None:
            continue
        in_force = assignments[row_track].on(code, start)
        if in_force is None:  # another track's scheme only: the row gets no key
            continue
        scheme, assignment = in_force
        ident = assignment.scheme_key(scheme)
        key = ids.setdefault(ident, len(ids))
        schemes[key] = scheme
        rows.append((code, row_track, start, key))
    table = pl.DataFrame(rows, schema={branch: pl.String, track: pl.String, "start": pl.Date, "scheme_key": pl.Int64},
                         orient="row")
    keyed = keyed.join(table, on=[branch, track, "start"], how="left").select(branch, track, day, "scheme_key")
    out = frame.join(keyed, on=[branch, track, day], how="left", maintain_order="left")
    return out.drop("_track", strict=False), schemes


# A ledger's item name differs from the scheme's in ways that change nothing: spaces,
# full-width or half-width brackets and commas, a trailing points note ('（分）', '(-2分)').
_POINTS_NOTE = r"[(（][+\-−－]?\d*(?:\.\d+)?分?[)）]$"
_NOISE = r"[\s\p{P}\p{S}]"


def item_key(expr: pl.Expr) -> pl.Expr:
    """The comparable form of an item's name (or code) as written in a cell."""
    text = expr.cast(pl.String).str.normalize("NFKC").str.replace_all(r"\s+", "")
    return text.str.replace(_POINTS_NOTE, "").str.replace_all(_NOISE, "").str.to_lowercase()


def item_table(schemes: dict[int, Scheme]) -> pl.DataFrame:
    """(scheme_key, ``item_key`` text, item code) for matching a cell by the item's code or
    Chinese name, written loosely (see ``item_key``)."""
    rows = []
    for key, scheme in schemes.items():
        for item in scheme.items.values():
            rows.append((key, item.code, item.code))
            rows.append((key, item.name, item.code))
            rows.append((key, unicodedata.normalize("NFKC", item.name), item.code))
    table = pl.DataFrame(rows, schema={"scheme_key": pl.Int64, "_item_text": pl.String, "item_code": pl.String},
                         orient="row")
    return table.with_columns(item_key(pl.col("_item_text")).alias("_item_text")).unique(
        ["scheme_key", "_item_text"], keep="first")
