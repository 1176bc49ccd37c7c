"""Scheme files: the data that makes one engine serve every template."""

from core.scheme.build import SchemeError
from core.scheme.loader import list_schemes, load_scheme, load_scheme_text, scheme_with_overrides, schemes_dir
from core.scheme.model import Component, EnteredInput, Item, Scheme, Veto

__all__ = [
    "Component",
    "EnteredInput",
    "Item",
    "Scheme",
    "SchemeError",
    "Veto",
    "list_schemes",
    "load_scheme",
    "load_scheme_text",
    "scheme_with_overrides",
    "schemes_dir",
]
