"""ID numbers: normalising, the GB 11643 check digit, digits lost in Excel, masking."""

import pytest

from core.idcard import IdCardError, check_digit, check_id, lost_digits, mask_id, normalise_id

# GB 11643's own example: weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2 over 11010519491231002
# give 7+9+0+0+40+4+18+4+54+9+14+18+10+0+0+0+4 = 191, 191 mod 11 = 4 → "10X98765432"[4] = X.
VALID = "11010519491231002X"


def test_check_digit_by_hand():
    assert check_digit("11010519491231002") == "X"
    assert check_id(VALID) == VALID


def test_normalise_full_width_spaces_and_lower_x():
    assert normalise_id(" １１０１０５ 1949 1231 002ｘ ") == VALID
    assert check_id("110105194912310 02x") == VALID


@pytest.mark.parametrize("text, message", [
    ("110105194912310021", "校验位"),          # X expected, 1 given
    ("11010519491231002", "应为18位"),
    ("1101051949123100AX", "只能含数字"),
    ("110105194913310025", "出生日期"),        # month 13
    ("", "不能为空"),
])
def test_bad_numbers_are_refused_naming_the_field(text, message):
    with pytest.raises(IdCardError, match=message) as info:
        check_id(text)
    assert "身份证号" in str(info.value)


def test_lost_digits():
    # 110105194912310000: what Excel keeps of an 18-digit number (15 significant digits, then 000);
    # its check digit would be check_digit("11010519491231000") ≠ 0, so digits were lost.
    assert check_digit("11010519491231000") != "0"
    assert lost_digits(110105194912310000)
    assert lost_digits("110105194912310000")
    assert lost_digits(1.1010519491231e17)
    assert lost_digits("1.1010519491231E+17")
    assert not lost_digits(VALID)
    assert not lost_digits(None)
    with pytest.raises(IdCardError, match="丢失"):
        check_id(110105194912310000)


def test_a_number_read_back_through_a_double_is_lost():
    # An ID typed into Excel as a number comes back from calamine as the double's digits,
    # int(float(id)): a rounded copy that still has 18 digits. When its check digit fails
    # (10 times in 11), it is reported as lost; the real number typed as text is not.
    for n in range(1000):
        seventeen = f"11010519491231{n:03d}"
        real = seventeen + check_digit(seventeen)
        back = str(int(float(real))) if real.isdigit() else real
        if back != real and check_digit(back[:17]) != back[17]:
            break
    assert lost_digits(back) and not lost_digits(real)


def test_a_real_number_ending_in_000_is_not_lost():
    # find a valid ID ending in 000: 15 digits + "00" + check digit "0"
    base = next(f"1101051949123{n:02d}00" for n in range(100) if check_digit(f"1101051949123{n:02d}00") == "0")
    assert not lost_digits(base + "0")
    assert check_id(base + "0") == base + "0"


def test_mask_keeps_first_and_last_four():
    assert mask_id(VALID) == "1101**********002X"
    assert mask_id("310101199001011234") == "3101**********1234"
    assert mask_id(None) == "" and mask_id("") == ""
