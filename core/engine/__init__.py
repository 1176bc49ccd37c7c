"""The scoring engine: one general evaluator driven by scheme files."""

from core.engine.case import CaseError, validate_case
from core.engine.evaluate import evaluate

__all__ = ["CaseError", "evaluate", "validate_case"]
