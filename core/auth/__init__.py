"""Users, password hashing, roles and organisation scope."""

from core.auth.permissions import ROLES, ROLE_NAMES, PermissionDenied, can, require
from core.auth.scope import Scope, ScopeError, scope_for
from core.auth.users import AuthError, User, add_user, authenticate, get_user

__all__ = [
    "ROLES", "ROLE_NAMES", "PermissionDenied", "can", "require",
    "Scope", "ScopeError", "scope_for",
    "AuthError", "User", "add_user", "authenticate", "get_user",
]
