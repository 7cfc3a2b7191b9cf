"""Leakage: largest non-local spending by supplier and category, and pence lost per round.

The hand-worked case (no surveys, so the assumed rates apply: staff 50%, suppliers 40%,
take-home 80%):

    R1 = £100,000. Spending £50,000 + staff pay £50,000 = £100,000 in all.
    Local: suppliers £12,000 (Local Bakery £10,000, Town Printers £2,000), staff £30,000.
    Round 2 kept 42p; lost 58p: non-local suppliers 33p (National Foods £20,000 less a £2,000
    refund = 18p, Big IT 15p), supplier of unknown location 5p, staff living outside 15p,
    staff home unknown 5p.
    Round 3 of the 42p: re-spent 12p (staff 30,000 x 0.8 x 0.5) + 4.8p (suppliers 12,000 x 0.4)
    = 16.8p; lost 25.2p: tax and NI 6p, staff spending outside 12p, suppliers outside 7.2p.
    LM3 = 1 + 0.42 + 0.168 = 1.588.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from toolkit.inputs.errors import InputError
from toolkit.inputs.settings import load_settings
from toolkit.measures.leakage import (
    UNKNOWN,
    leakage,
    leakage_by_category,
    leakage_by_supplier,
    leakage_chart,
    leakage_table,
    pence_by_round,
    rounds_chart,
)
from toolkit.measures.lm3 import Lm3Inputs, compute_lm3

SPENDING = [
    ("Local Bakery", "food and catering", 10_000.0, True),
    ("National Foods", "food and catering", 20_000.0, False),
    ("National Foods", "food and catering", -2_000.0, False),
    ("Big IT plc", "IT and telecoms", 15_000.0, False),
    ("Mystery Supplies", "equipment and supplies", 5_000.0, None),
    ("Town Printers", "marketing and printing", 2_000.0, True),
]
STAFF = [
    ("Manager", 1.0, 20_000.0, True),
    ("Worker", 0.5, 10_000.0, True),
    ("Cook", 1.0, 15_000.0, False),
    ("Cleaner", 0.5, 5_000.0, None),
]


def hand_inputs(spending=SPENDING, staff=STAFF, r1=100_000.0) -> Lm3Inputs:
    spend = pd.DataFrame(spending, columns=["supplier", "category", "amount", "local"])
    spend["local"] = spend["local"].astype(object)
    spend["row"] = range(2, len(spend) + 2)
    people = pd.DataFrame(staff, columns=["role", "fte", "gross_pay", "local"])
    people["local"] = people["local"].astype(object)
    people["row"] = range(2, len(people) + 2)
    return Lm3Inputs(
        r1=r1, spending=spend, staff=people,
        staff_survey=pd.DataFrame(columns=["pay_band", "local_share", "row"]),
        supplier_survey=pd.DataFrame(columns=["supplier", "local_share", "row"]),
        boundary_name="Testtown",
        employer_costs=0.0,  # the hand case counts gross pay only, as nef's examples do
    )


@pytest.fixture(scope="module")
def settings():
    return load_settings(overrides={"lm3": {"bootstrap_samples": 200}})


@pytest.fixture(scope="module")
def result(settings):
    return leakage(hand_inputs(), settings)


def test_lm3_of_the_hand_case(result):
    assert result.lm3.lm3 == pytest.approx(1.588)


def test_suppliers_ranked_by_money_leaving(result):
    table = result.by_supplier
    assert list(table["supplier"]) == ["National Foods", "Big IT plc", "Mystery Supplies"]
    assert list(table["amount"]) == pytest.approx([18_000.0, 15_000.0, 5_000.0])
    assert list(table["pence_per_pound"]) == pytest.approx([18.0, 15.0, 5.0])
    assert table["rows"][0] == "3, 4"  # the refund row is netted and traced
    assert table["status"][2] == UNKNOWN
    assert list(table["rank"]) == [1, 2, 3]


def test_categories_ranked_with_staff_pay_suppressed_in_pounds(result):
    table = result.by_category
    assert list(table["category"]) == ["staff pay", "food and catering", "IT and telecoms",
                                       "equipment and supplies"]
    assert list(table["pence_per_pound"]) == pytest.approx([20.0, 18.0, 15.0, 5.0])
    staff = table.iloc[0]
    assert staff["amount"] is None  # two people: their pay is not shown in pounds
    assert "fewer than 5 people" in staff["note"]
    food = table.iloc[1]
    assert food["amount"] == pytest.approx(18_000.0)
    assert food["local_share"] == pytest.approx(10_000 / 28_000)
    assert "marketing and printing" not in set(table["category"])  # nothing leaves


def test_staff_pay_shown_in_pounds_for_a_large_enough_group():
    staff = [("Post", 1.0, 10_000.0, False)] * 5
    table = leakage_by_category(hand_inputs(staff=staff), small_group=5)
    row = table[table["kind"] == "staff"].iloc[0]
    assert row["amount"] == pytest.approx(50_000.0) and row["people"] == 5


def test_pence_per_pound_in_each_round(result):
    rounds = result.rounds.set_index("line")["pence"]
    assert rounds["local suppliers"] == pytest.approx(12.0)
    assert rounds["staff living locally"] == pytest.approx(30.0)
    assert rounds["non-local suppliers"] == pytest.approx(33.0)
    assert rounds[f"suppliers, {UNKNOWN}"] == pytest.approx(5.0)
    assert rounds["staff living outside the area"] == pytest.approx(15.0)
    assert rounds["tax and National Insurance on local staff pay"] == pytest.approx(6.0)
    assert rounds["spent outside the area by local staff"] == pytest.approx(12.0)
    assert rounds["spent outside the area by local suppliers"] == pytest.approx(7.2)
    summary = result.summary.set_index("round")
    assert summary.loc[2].to_dict() == pytest.approx({"entering": 100, "kept": 42, "lost": 58})
    assert summary.loc[3].to_dict() == pytest.approx({"entering": 42, "kept": 16.8,
                                                      "lost": 25.2})


def test_round_lines_are_labelled_assumed_where_assumed(result):
    basis = result.rounds.set_index("line")["basis"]
    assert basis["non-local suppliers"] == "evidenced"
    assert basis["re-spent locally by local suppliers"] == "assumed"
    assert basis["tax and National Insurance on local staff pay"] == "assumed"


def test_rounds_must_come_from_the_same_inputs(settings):
    other = compute_lm3(hand_inputs(staff=[("Post", 1.0, 50_000.0, True)]), settings)
    with pytest.raises(InputError, match="same inputs"):
        pence_by_round(hand_inputs(), other)


def test_leakage_table_top_n_with_readable_headers(result):
    table = leakage_table(result, n=2)
    assert len(table) == 2
    assert list(table.columns)[:2] == ["Rank", "Supplier"]
    assert "Pence of each £1 lost" in table.columns
    by_category = leakage_table(hand_inputs(), n=10, by="category")
    assert by_category["Category"][0] == "staff pay"
    with pytest.raises(InputError, match="'supplier' or 'category'"):
        leakage_table(result, by="payer")


def test_charts_have_titles_units_and_alt_text(result):
    figure = leakage_chart(result, n=10)
    axes = figure.axes[0]
    assert "Largest non-local spending by supplier" in axes.get_title()
    assert "(p)" in axes.get_xlabel()
    assert "National Foods 18.0p" in figure.alt_text
    assert len(axes.patches) == 3
    figure = leakage_chart(result, by="category")
    assert "staff pay 20.0p" in figure.alt_text
    figure = rounds_chart(result)
    assert "Round 2: of 100p, 42.0p is spent locally" in figure.alt_text
    assert "(p)" in figure.axes[0].get_xlabel()


def test_nothing_leaking_gives_an_empty_list_and_a_labelled_chart(settings):
    inputs = hand_inputs(spending=[("Local Bakery", "food and catering", 10_000.0, True)],
                         staff=[("Post", 1.0, 10_000.0, True)])
    result = leakage(inputs, settings)
    assert result.by_supplier.empty
    assert result.summary["lost"][0] == pytest.approx(0.0)
    assert "no spending leaves" in leakage_chart(result).alt_text


def test_no_spending_at_all_is_a_clear_error():
    inputs = hand_inputs(spending=[], staff=[])
    with pytest.raises(InputError, match="£0 or less"):
        leakage_by_supplier(inputs)


def test_to_dict_is_json_ready(result):
    data = result.to_dict(n=2)
    text = json.dumps(data, allow_nan=False)
    assert data["suppliers_listed"] == 2 and data["suppliers_leaking"] == 3
    assert "National Foods" in text


def write_hand_workbook(folder) -> str:
    """The hand-worked case as a real workbook; local means postcode district BD1."""
    from toolkit.inputs.workbook import write_workbook

    where = {True: "BD1 1AA", False: "LS1 1AA", None: None}
    home = {True: "BD1", False: "LS1", None: None}
    tables = {
        "about": [{"name": "Hand Trust", "org_id": "hand-trust", "la_code": "E08000032",
                   "financial_year": "2024-25"}],
        "income": [{"source": "Contract", "payer": "Council", "type": "public contract",
                    "amount": 100_000.0}],
        "spending": [{"supplier": s, "supplier_postcode": where[local], "category": c,
                      "amount": a} for s, c, a, local in SPENDING],
        "staff": [{"role": r, "fte": f, "gross_pay": p, "home_district": home[local]}
                  for r, f, p, local in STAFF],
        "balance": [{"total_income": 100_000.0, "total_expenditure": 100_000.0,
                     "staff_costs": 50_000.0, "unrestricted_funds": 0.0,
                     "designated_funds": 0.0, "fixed_assets_own_use": 0.0,
                     "restricted_funds": 0.0, "net_assets": 0.0}],
    }
    return str(write_workbook(folder / "hand.xlsx", tables))


def test_command_text_and_json(tmp_path, capsys):
    from toolkit.cli import main

    path = write_hand_workbook(tmp_path)
    assert main(["leakage", path, "--local-postcodes", "BD1"]) == 0
    out = capsys.readouterr().out
    assert "LM3 1.59" in out
    assert "Round 2: 100.0p in, 42.0p kept locally, 58.0p lost" in out
    assert "1. National Foods (food and catering): £18,000, 18.0p of each £1" in out
    assert "staff pay: £ not shown, 20.0p of each £1" in out
    assert main(["leakage", path, "--local-postcodes", "BD1", "--json", "--top", "1"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["lm3"]["value"] == pytest.approx(1.588)
    assert [s["supplier"] for s in data["by_supplier"]] == ["National Foods"]
