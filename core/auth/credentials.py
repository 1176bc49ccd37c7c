"""What a username and a password may be: the one place setup, 添加用户, 重置密码 and 修改本人密码
(and login, for the username) apply the rules, so that no entry point is laxer than another."""

from __future__ import annotations

import unicodedata

from core import bounds

MIN_PASSWORD_LENGTH = 8
MAX_USERNAME_LENGTH = 32
MAX_PASSWORD_LENGTH = 128  # longer is no safer, and each login would hash megabytes

# The passwords every guessing list starts with. The demo's jifen2026 is printed in the README,
# so it is as good as public: the demo writes its hash directly and nothing else may choose it.
COMMON_PASSWORDS = frozenset({
    "123456", "1234567", "12345678", "123456789", "1234567890", "111111", "11111111", "000000",
    "00000000", "88888888", "66666666", "666666", "888888", "123123", "12341234", "11223344",
    "147258369", "987654321", "password", "password1", "password123", "passw0rd", "qwerty",
    "qwerty123", "qwertyuiop", "1qaz2wsx", "1q2w3e4r", "abc123", "abc12345", "abcd1234",
    "a1234567", "aa123456", "admin123", "admin888", "iloveyou", "woaini1314", "5201314520",
    "jifen2026",
})


# Said next to every password field, so that a refusal is no surprise.
PASSWORD_RULES = (f"至少{MIN_PASSWORD_LENGTH}位；不能全是空格，不能与用户名相同，"
                  "也不能是 123456、password、qwerty 这类常见密码")


class AuthError(ValueError):
    """A login, account or credential refused; the message is Chinese and fit to show."""


def _invisible(ch: str) -> bool:
    # Cc: control (NUL, tab, newline …); Cf: format (zero-width space/joiner, BOM, bidi marks);
    # Zl/Zp: line and paragraph separators; any space inside a name is refused as well.
    return unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Zs") or ch.isspace()


def clean_username(username: object) -> str:
    """The username as it is stored and matched: NFKC (full-width ＡＢＣ１ become ABC1), trimmed,
    with no invisible character inside. Uniqueness ignores case (see ``schema_v5``)."""
    if not isinstance(username, str):
        raise AuthError("用户名不能为空")
    name = unicodedata.normalize("NFKC", username).strip()
    if not name:
        raise AuthError("用户名不能为空")
    if any(map(bounds.unencodable, name)):
        raise AuthError("用户名含有无法识别的字符，请重新输入")
    if any(_invisible(ch) for ch in name):
        raise AuthError("用户名不能含空格、换行或看不见的字符")
    if len(name) > MAX_USERNAME_LENGTH:
        raise AuthError(f"用户名最多{MAX_USERNAME_LENGTH}个字符")
    return name


def login_name(username: object) -> str:
    """The form login looks a typed name up by (same normalisation, never refuses)."""
    return unicodedata.normalize("NFKC", username).strip() if isinstance(username, str) else ""


def check_password(password: object, username: str | None = None) -> str:
    """The password if the policy accepts it; else AuthError saying why."""
    if not isinstance(password, str) or not password:
        raise AuthError("密码不能为空")
    if not password.strip():
        raise AuthError("密码不能全是空格")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AuthError(f"密码至少{MIN_PASSWORD_LENGTH}位")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AuthError(f"密码最多{MAX_PASSWORD_LENGTH}位")
    if any(bounds.unencodable(ch) or ch == "\0" for ch in password):
        raise AuthError("密码含有无法识别的字符，请重新输入")
    if username and password.strip().casefold() == login_name(username).casefold():
        raise AuthError("密码不能与用户名相同")
    if password.strip().casefold() in COMMON_PASSWORDS:
        raise AuthError("密码过于常见，容易被猜到，请换一个")
    return password
