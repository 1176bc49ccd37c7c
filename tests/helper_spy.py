"""Test aids for the evaluation helper (``core/metrics/group_eval.py``): costs that split the
groups by their members alone, and a record of what the helper is asked."""

from __future__ import annotations

from core.metrics import group_eval


def costs_on_members(monkeypatch, cost: str = "COST") -> None:
    """Each group costs its members (1 each) to evaluate, or to simulate with ``cost``
    ``"SIMULATE_COST"``, and nothing to read, pickle or unpickle: the larger group stays here."""
    monkeypatch.setattr(group_eval, cost, {"subject": 1, "event": 0, "score": 0})
    for rates in ("PICKLE", "UNPICKLE", "READ"):
        monkeypatch.setattr(group_eval, rates, {"subject": 0, "event": 0, "score": 0})


def asked_kinds(monkeypatch) -> list[str]:
    """The kind of each request the helper is asked from now on: ``rows`` or ``simulate`` (the
    work sent), or ``read`` (it reads its own groups from a database server)."""
    asked: list[str] = []
    ask = group_eval._Helper.ask
    monkeypatch.setattr(group_eval._Helper, "ask", lambda self, box: asked.append(box[0][0]) or ask(self, box))
    return asked
