"""Cell parsers: unit tests and hypothesis properties."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from toolkit.inputs import cells


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (1234.5, 1234.5),
        ("£1,234.50", 1234.5),
        (" £ 12 ", 12.0),
        ("(12.00)", -12.0),
        ("-£5.25", -5.25),
        ("1,000.00 CR", -1000.0),
        (0, 0.0),
    ],
)
def test_money_reads_what_people_type(raw, expected):
    assert cells.parse_money(raw).value == expected


@pytest.mark.parametrize("raw", ["about £500", "12..5", "£", True, dt.date(2024, 1, 1), "5%"])
def test_money_rejects_what_is_not_an_amount(raw):
    parsed = cells.parse_money(raw)
    assert parsed.value is None and parsed.error


@pytest.mark.parametrize("raw", ["1.234,56", "12,50", "1,2345", "1.234", "1 2", "12,5%"])
def test_money_refuses_ambiguous_separators(raw):
    # read naively these would be £1.23, £1,250, £12,345 and £1.23
    parsed = cells.parse_money(raw)
    assert parsed.value is None and "read two ways" in parsed.error


@pytest.mark.parametrize("raw", ["$100", "€100", "100 USD", "EUR 100", "US$5"])
def test_money_in_another_currency_is_refused_not_taken_as_pounds(raw):
    parsed = cells.parse_money(raw)
    assert parsed.value is None and "another currency" in parsed.error


@pytest.mark.parametrize(("raw", "expected"), [("1,234,567.89", 1234567.89), ("1 234", 1234.0),
                                               ("12.50", 12.5), ("-1,000", -1000.0)])
def test_money_keeps_thousands_separators(raw, expected):
    assert cells.parse_money(raw).value == expected


@pytest.mark.parametrize("raw", [None, "", "  ", "n/a", float("nan"), "-"])
def test_blank_cells_are_blank_not_zero(raw):
    parsed = cells.parse_money(raw)
    assert parsed.value is None and parsed.ok


@given(st.decimals(min_value=-10**9, max_value=10**9, places=2, allow_nan=False))
def test_money_round_trips_formatted_text(amount):
    text = f"£{abs(amount):,.2f}"
    text = f"-{text}" if amount < 0 else text
    assert cells.parse_money(text).value == pytest.approx(float(amount), abs=0.001)


@given(st.text())
def test_parsers_never_raise(text):
    for parser in (cells.parse_money, cells.parse_number, cells.parse_yesno, cells.parse_district,
                   cells.parse_postcode, cells.parse_financial_year, cells.parse_year,
                   cells.parse_text, cells.parse_integer):
        parsed = parser(text)
        assert parsed.ok or parsed.value is None


def test_financial_year_forms():
    assert cells.parse_financial_year("2024/25").value == "2024-25"
    assert cells.parse_financial_year("2024-2025").value == "2024-25"
    as_number = cells.parse_financial_year(2024)
    assert as_number.value == "2024-25" and as_number.note
    assert cells.parse_financial_year("2024-26").error


def test_yes_no():
    assert cells.parse_yesno("Yes").value is True
    assert cells.parse_yesno("n").value is False
    assert cells.parse_yesno(1).value is True
    assert cells.parse_yesno("maybe").error


def test_choice_ignores_case_and_dashes():
    choices = ("public contract", "£10,000 to £19,999")
    assert cells.parse_choice(" Public  Contract ", choices).value == "public contract"
    assert cells.parse_choice("grant", choices).error


def test_district_cuts_full_postcode_with_a_note():
    parsed = cells.parse_district("bd8 7dp")
    assert parsed.value == "BD8" and parsed.note
    assert cells.parse_district("BD8").value == "BD8"
    assert cells.parse_district("Bradford").error


def test_postcode_normalises_uk_and_keeps_other_text():
    assert cells.parse_postcode("bd71dp").value == "BD7 1DP"
    eircode = cells.parse_postcode("D02 X285")
    assert eircode.value == "D02 X285" and eircode.note


def _column(values, formatted=False):
    return [(v, formatted) for v in values]


def test_percent_column_of_fractions():
    parsed, ambiguous = cells.parse_percent_column(_column([0.5, 0.25, 1]))
    assert [p.value for p in parsed] == [0.5, 0.25, 1.0]
    assert ambiguous == []


def test_percent_column_of_percents_flags_ambiguous_cells():
    parsed, ambiguous = cells.parse_percent_column(_column([45, 60, 0.5, 0]))
    assert [p.value for p in parsed] == [0.45, 0.6, 0.005, 0.0]
    assert ambiguous == [2]


def test_percent_text_and_formatted_cells_keep_their_meaning():
    cells_in = [("45%", False), (0.3, True), (80, False)]
    parsed, ambiguous = cells.parse_percent_column(cells_in)
    assert [p.value for p in parsed] == [0.45, 0.3, 0.8]
    assert ambiguous == []


def test_percent_column_reports_text():
    parsed, _ = cells.parse_percent_column(_column(["most of it", 0.5]))
    assert parsed[0].error and parsed[1].value == 0.5


@given(st.lists(st.floats(min_value=0, max_value=1, allow_nan=False), min_size=1, max_size=20))
def test_columns_of_fractions_are_read_unchanged(values):
    parsed, ambiguous = cells.parse_percent_column(_column(values))
    assert [p.value for p in parsed] == values
    assert ambiguous == []


@given(st.lists(st.integers(min_value=2, max_value=100), min_size=1, max_size=20))
def test_columns_of_whole_percents_are_divided_by_100(values):
    parsed, _ = cells.parse_percent_column(_column(values))
    assert [p.value for p in parsed] == pytest.approx([v / 100 for v in values])
