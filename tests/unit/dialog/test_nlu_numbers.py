"""Numbers in recogniser output: normalisation, digit strings, amounts, integers, terms."""

from __future__ import annotations

import sys
from decimal import Decimal

import pytest

from lendline.dialog.nlu import text as nlu_text
from lendline.dialog.nlu.digit_strings import parse_digit_string
from lendline.dialog.nlu.numbers import parse_amount, parse_integer, parse_term_months
from lendline.dialog.nlu.text import normalize, strip_punct

# --- normalisation -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("１３８００１３８０００", "13800138000"),
        ("我的身份證號碼是", "我的身份证号码是"),
        ("還款五萬元", "还款五万元"),
        ("請再說一遍", "请再说一遍"),
        ("轉人工", "转人工"),
        ("Yes, That's RIGHT", "yes, that's right"),
        ("  I   agree \n ", "i agree"),
        ("ＯＫ", "ok"),
        ("that’s right", "that's right"),
        ("五万，十二个月", "五万,十二个月"),
    ],
)
def test_normalize_folds_width_script_case_and_spacing(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    "raw", ["我的身份證號碼是１３８", "Yes,  I AGREE。", "還款 ５萬", "that’s right"]
)
def test_normalizing_twice_changes_nothing(raw: str) -> None:
    assert normalize(normalize(raw)) == normalize(raw)


def test_without_the_converter_traditional_text_passes_through_unchanged(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "opencc_purepy", None)  # makes the import fail
    nlu_text._traditional_to_simplified.cache_clear()
    try:
        assert normalize("還款１３８") == "還款138"
    finally:
        nlu_text._traditional_to_simplified.cache_clear()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("是的。", "是的"),
        ("Yes.", "Yes"),
        ("I don't know!", "I don't know"),
        ("1.5万，好吗？", "1.5万 好吗"),
        ("15,000元。", "15,000元"),
        ("不对，是三万", "不对 是三万"),
    ],
)
def test_strip_punct_drops_marks_but_keeps_apostrophes_and_number_separators(
    raw: str, expected: str
) -> None:
    assert strip_punct(raw) == expected


# --- digit strings -----------------------------------------------------------------------

MOBILE = "13800138000"
ID_X = "11010519491231002X"


@pytest.mark.parametrize(
    "said",
    [
        "13800138000",
        "138 0013 8000",
        "138-0013-8000",
        "138，0013，8000。",
        "１３８００１３８０００",
        "我的手机号是13800138000。",
        "手机号码是：138 0013 8000",
        "嗯，我的号码是幺三八，零零幺三，八零零零。",
        "一三八零零一三八零零零",
        "一 三 八 零 零 一 三 八 零 零 零",
        "幺三八洞洞幺三八洞洞洞",
        "一三八，〇〇一三，八〇〇〇",
        "138零零一三8000",
        "1 3 8 0 0 1 3 8 0 0 0",
        "My number is 138 0013 8000.",
        "one three eight, zero zero one three, eight zero zero zero",
        "One three eight, oh oh one three, eight oh oh oh.",
        "one three eight double zero one three eight triple zero",
        "uh, one three eight, double oh, one three, eight triple oh",
        "It's 1 3 8, 0 0 1 3, 8 0 0 0.",
    ],
)
def test_a_mobile_number_is_read_from_any_mix_of_scripts(said: str) -> None:
    assert parse_digit_string(said, "zh") == MOBILE
    assert parse_digit_string(said, "en") == MOBILE


@pytest.mark.parametrize(
    "said",
    [
        "11010519491231002X",
        "11010519491231002x",
        "我的身份证号是1101051949123100２X。",
        "身份證號碼是110105 1949 1231 002X",
        "一一零一零五，一九四九，一二三一，零零二叉",
        "幺幺洞幺洞五幺九四九幺二三幺洞洞二叉",
        "一一零一零五一九四九一二三一零零二艾克斯",
        "110105，19491231，002，艾克斯。",
        "one one zero one zero five, one nine four nine, one two three one, zero zero two X",
        "one one oh one oh five one nine four nine one two three one oh oh two ex",
        "My ID number is 110105 1949 1231 002 X.",
    ],
)
def test_an_id_number_keeps_its_check_character_x(said: str) -> None:
    assert parse_digit_string(said, "zh") == ID_X


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("验证码是六五四三二一", "654321"),
        ("验证码 654321", "654321"),
        ("六五四，三二一。", "654321"),
        ("The code is six five four three two one.", "654321"),
        ("six five four, three two one", "654321"),
        ("double five, triple three, one", "553331"),
        ("triple 3 double 5", "33355"),
        ("five oh five", "505"),
        ("twenty five forty one", "2541"),
        ("five hundred twelve", "512"),
        ("one hundred five", "105"),
        ("两两零", "220"),
        ("尾号五六七八", "5678"),
        ("二零一八年", "2018"),
        ("嗯，一三八酒零零", "138900"),
        ("一三八要零零", "138100"),
        ("one two to three", "1223"),
        ("X1234", "1234"),
        ("12X34", "1234"),
        ("一一零一零五差", "110105X"),
        ("一一零一零五查", "110105X"),
    ],
)
def test_digit_strings_handle_codes_repeats_and_homophones(said: str, expected: str) -> None:
    assert parse_digit_string(said, "zh") == expected


@pytest.mark.parametrize(
    "said",
    [
        "",
        "我的号码是",
        "嗯嗯嗯",
        "不知道",
        "啊",
        "my number is",
        "uh, hold on",
        "Oh, sorry.",
        "我要去学校",
        "叉",
        "I'll go for it",
    ],
)
def test_text_without_digits_gives_none(said: str) -> None:
    assert parse_digit_string(said, "zh") is None


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("要三八要七二六四五九零", "13817264590"),  # 幺 heard as 要 where the number starts
        ("手机号是1866550二二三腰", "18665502231"),  # ... and where it ends
        ("又又八八三零", "118830"),  # a run of them
        ("等九零四四要要。", "904411"),
        ("我的号码是有三八零零一三八零零零", MOBILE),
        ("五零零三有八", "500318"),
    ],
)
def test_words_heard_for_yao_are_one_at_either_end_of_the_digits(said: str, expected: str) -> None:
    assert parse_digit_string(said, "zh") == expected


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("我要说一下，一三八零零一三八零零零", MOBILE),  # 要 touches no digit
        ("还有，一三八零零一三八零零零", MOBILE),  # a pause between 有 and the digits
        ("是七二五三八六吧", "725386"),  # 吧 sounds like 八 but ends sentences: not at the edge
        ("我有两个号码", None),
    ],
)
def test_yao_homophones_that_touch_no_digit_stay_words(said: str, expected: str | None) -> None:
    assert parse_digit_string(said, "zh") == expected


@pytest.mark.parametrize("said", ["我是说一下", "要是", "期待"])
def test_a_homophone_on_its_own_is_no_digit(said: str) -> None:
    # 一 is a digit, but 要 and 期 next to nothing numeric stay words.
    result = parse_digit_string(said, "zh")
    assert result in (None, "1")


# --- amounts -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("五万", "50000"),
        ("5万", "50000"),
        ("５万元", "50000"),
        ("三万五", "35000"),
        ("三万五千", "35000"),
        ("两千五百", "2500"),
        ("两千五", "2500"),
        ("一百五", "150"),
        ("一万二", "12000"),
        ("十万", "100000"),
        ("二十万", "200000"),
        ("五十万", "500000"),
        ("1.5万", "15000"),
        ("一点五万", "15000"),
        ("十二点五万", "125000"),
        ("15000", "15000"),
        ("15,000", "15000"),
        ("15,000元。", "15000"),
        ("一万五千元", "15000"),
        ("一万零五十元", "10050"),
        ("三万零五百", "30500"),
        ("3万5", "35000"),
        ("3万500", "30500"),
        ("5万2千5", "52500"),
        ("二百万", "2000000"),
        ("一亿零一万", "100010000"),
        ("九亿九千九百九十九万九千九百九十九元", "999999999"),
        ("伍万元整", "50000"),
        ("壹万贰仟元", "12000"),
        ("我想借五万元", "50000"),
        ("我想借五萬塊錢。", "50000"),
        ("嗯，借个三万块吧", "30000"),
        ("每个月一万五千元", "15000"),
        ("月收入大概八千多", "8000"),
        ("人民币五万元", "50000"),
        ("四千四百四十二元四角四分", "4442.44"),
        ("四千四百四十二块四毛四", "4442.44"),
        ("三块五", "3.5"),
        ("三块五毛五", "3.55"),
        ("十元零五分", "10.05"),
        ("五角", "0.5"),
        ("四十四分", "0.44"),
        ("零元", "0"),
        ("5w", "50000"),
        ("fifty thousand", "50000"),
        ("Fifty thousand yuan.", "50000"),
        ("twenty five thousand yuan", "25000"),
        ("twenty-five thousand", "25000"),
        ("50k", "50000"),
        ("50 k", "50000"),
        ("50,000", "50000"),
        ("RMB 50,000", "50000"),
        ("thirty-five thousand five hundred", "35500"),
        ("one hundred thousand", "100000"),
        ("a hundred thousand", "100000"),
        ("one hundred and fifty thousand", "150000"),
        ("fifteen hundred", "1500"),
        ("2.5 thousand", "2500"),
        ("1.5 million", "1500000"),
        ("I would like to borrow thirty thousand yuan.", "30000"),
        ("About twenty thousand yuan a month.", "20000"),
        ("I'd like 30,000 please", "30000"),
        ("forty-two yuan and forty-four fen", "42.44"),
        ("ten yuan fifty", "10"),
        ("zero yuan", "0"),
    ],
)
def test_amounts_are_read_in_both_languages(said: str, expected: str) -> None:
    assert parse_amount(said, "zh") == Decimal(expected)
    assert parse_amount(said, "en") == Decimal(expected)


@pytest.mark.parametrize(
    "said",
    [
        "",
        "我想借钱",
        "十二个月",
        "两年",
        "百分之五",
        "利率是10%",
        "twelve months",
        "two years",
        "I don't know",
        "两三万",
        "I'd like to borrow some money",
    ],
)
def test_terms_rates_ranges_and_wordy_answers_are_no_amount(said: str) -> None:
    assert parse_amount(said, "zh") is None


def test_whole_amounts_come_back_without_a_fraction_part() -> None:
    assert str(parse_amount("1.5万", "zh")) == "15000"
    assert str(parse_amount("三块五", "zh")) == "3.50"


# --- integers and terms --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("十二", 12),
        ("二十四", 24),
        ("两", 2),
        ("十", 10),
        ("一百零八", 108),
        ("twelve", 12),
        ("twenty-four", 24),
        ("24", 24),
        ("我有两个孩子", 2),
        ("three kids", 3),
        ("零", 0),
    ],
)
def test_small_integers_are_read(said: str, expected: int) -> None:
    assert parse_integer(said, "zh") == expected


@pytest.mark.parametrize("said", ["", "没有", "none", "1.5", "一点五"])
def test_no_whole_number_gives_none(said: str) -> None:
    assert parse_integer(said, "zh") is None


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("12个月", 12),
        ("十二个月", 12),
        ("十二個月。", 12),
        ("分十二期", 12),
        ("我想分二十四期还", 24),
        ("三十六个月吧", 36),
        ("一年", 12),
        ("一年期", 12),
        ("两年", 24),
        ("三年", 36),
        ("半年", 6),
        ("一年半", 18),
        ("两年半", 30),
        ("一年零六个月", 18),
        ("1.5年", 18),
        ("6个月", 6),
        ("十八个月", 18),
        ("twelve months", 12),
        ("Twelve months.", 12),
        ("18 months", 18),
        ("1 year", 12),
        ("a year", 12),
        ("two years", 24),
        ("a year and a half", 18),
        ("one and a half years", 18),
        ("half a year", 6),
        ("36 monthly installments", 36),
        ("12", 12),
        ("十二", 12),
        ("twenty four", 24),
        ("no, it's twenty four months", 24),
        # A whole year is a year; "a" before "year and a half" may go unsaid.
        ("一整年就行", 12),
        ("整整两年", 24),
        ("一年整", 12),
        ("Year and a half, please.", 18),
    ],
)
def test_loan_terms_are_read_in_months(said: str, expected: int) -> None:
    assert parse_term_months(said, "zh") == expected
    assert parse_term_months(said, "en") == expected


@pytest.mark.parametrize("said", ["", "越长越好", "as long as possible", "零个月", "两三年"])
def test_no_usable_term_gives_none(said: str) -> None:
    assert parse_term_months(said, "zh") is None


# --- everyday words that contain numerals ------------------------------------------------


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("我说一下我的号码，一三八零零一三八零零零", MOBILE),
        ("前三位是138，中间是0013，后四位是8000", MOBILE),
        ("我再说一遍：幺三八，零零幺三，八零零零", MOBILE),
        ("第一个是一，然后三八零零一三八零零零", MOBILE),
    ],
)
def test_numerals_inside_everyday_words_are_not_digits(said: str, expected: str) -> None:
    assert parse_digit_string(said, "zh") == expected


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("我想咨询一下，借五万", "50000"),
        ("我有三个孩子，月收入一万", "10000"),
        ("三十岁，月入八千", "8000"),
        ("万一不够，就借五万", "50000"),
        ("一共五万", "50000"),
        ("五十七万一千元", "571000"),
        ("20000 per month", "20000"),
        ("一五零零零", "15000"),
    ],
)
def test_counts_ages_and_idioms_are_not_taken_for_the_amount(said: str, expected: str) -> None:
    assert parse_amount(said, "zh") == Decimal(expected)


@pytest.mark.parametrize(
    "said", ["三万五六", "三四千", "5 per cent", "five percent", "百分之十点八"]
)
def test_ranges_and_percentages_are_no_amount(said: str) -> None:
    assert parse_amount(said, "zh") is None
