"""Small builders for engine test cases (shared by the tests/test_engine*.py modules)."""

from __future__ import annotations

from core.engine import evaluate
from core.scheme import load_scheme


def member(sid="A", branch="B1", **extra) -> dict:
    return {"id": sid, "branch": branch, "kind": extra.pop("kind", "member"), **extra}


def ev(sid, item, date, **extra) -> dict:
    return {"subject": sid, "item": item, "date": date, **extra}


def sc(sid, component, period="cycle", **extra) -> dict:
    return {"subject": sid, "component": component, "period": period, **extra}


def run(scheme_id, subjects, events=(), scores=(), vetoes=(), history=(), cycle=2025, **extra) -> dict:
    case = {"cycle": cycle, "subjects": list(subjects), "events": list(events), "scores": list(scores),
            "vetoes": list(vetoes), "history": list(history), **extra}
    return evaluate(load_scheme(scheme_id), case)


def result(output: dict, sid="A") -> dict:
    return next(r for r in output["results"] if r["subject"] == sid)


def filler(n, branch="B1", prefix="F") -> list[dict]:
    """Extra members so that a 20% quota does not bind on the subject under test."""
    return [member(f"{prefix}{i:02d}", branch) for i in range(n)]


def codes(output: dict) -> list[str]:
    return [w["code"] for w in output["warnings"]]


def veto(sid, item, date):
    return {"subject": sid, "item": item, "date": date}


def hist(sid, cycle, grade=None, stars=None):
    return {"subject": sid, "cycle": cycle, "grade": grade, "stars": stars}
