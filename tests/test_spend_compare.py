"""Council spending as an analyst needs it: years compared, every boundary, the top-N basis,
VCSE and SME shares, monthly and category tables, headers as councils write them, words."""

from __future__ import annotations

import csv
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import SAMPLES
from toolkit.cli import main
from toolkit.inputs.geography import Boundary, NestedBoundaries
from toolkit.spend.analysis import analyse_spending, share_range_words, unknown_words
from toolkit.spend.periods import Basis, combine_councils, parse_basis
from toolkit.spend.read import read_payments


def split_pence(total: int, parts: int) -> list[int]:
    """``parts`` near-equal whole-pence amounts adding up to ``total`` exactly."""
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def write_payments(path: Path, rows: list[tuple[str, str, int]]) -> Path:
    """Write a payments CSV of (date, supplier, pence) rows."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Payment Date", "Supplier Name", "Amount"])
        for date, supplier, pence in rows:
            writer.writerow([date, supplier, f"{Decimal(pence) / 100:.2f}"])
    return path


def write_list(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "postcode", "type"])
        writer.writerows(rows)
    return path


# ---- years compared: Preston, built to the published shares ------------------------------

#: CLES, Preston (METHODS §2, published case 4): £750m at 5% Preston and 39% Lancashire in
#: 2012/13; about £617m at 18.2% and 79.2% later.
PRESTON = {"2012-13": (750_000_000_00, 0.05, 0.39), "2016-17": (617_000_000_00, 0.182, 0.792)}


@pytest.fixture
def preston(tmp_path):
    rows = []
    for year, (total, preston_share, lancs_share) in PRESTON.items():
        start = int(year[:4])
        local = round(total * preston_share)
        lancs = round(total * lancs_share) - local
        rows += [(f"15/06/{start}", "Preston Builders Ltd", local),
                 (f"15/07/{start}", "Blackburn Care Ltd", lancs),
                 (f"15/01/{start + 1}", "National Services plc", total - local - lancs)]
    payments = write_payments(tmp_path / "anchors.csv", rows)
    suppliers = write_list(tmp_path / "suppliers.csv", [
        ("Preston Builders Ltd", "PR1 2HE", ""), ("Blackburn Care Ltd", "BB1 1AA", ""),
        ("National Services plc", "M1 1AE", "")])
    boundary = NestedBoundaries([Boundary.from_codes("Preston", "PR1 PR2"),
                                 Boundary.from_codes("Lancashire", "PR BB LA FY")])
    return payments, suppliers, boundary


def test_two_years_are_reported_apart_with_the_change_in_pounds_and_points(preston):
    payments, suppliers, boundary = preston
    s = analyse_spending([payments], boundary, suppliers).summary()
    assert [p["period"] for p in s["periods"]] == ["2012-13", "2016-17"]
    for period in s["periods"]:
        total, preston_share, lancs_share = PRESTON[period["period"]]
        assert period["total_pence"] == total
        shares = [b["share_low"] for b in period["boundaries"]]
        assert shares == pytest.approx([preston_share, lancs_share], abs=1e-9)
        assert [b["name"] for b in period["boundaries"]] == ["Preston", "Lancashire"]
    change = s["period_changes"][0]
    preston_change, lancs_change = change["boundaries"]
    expected_preston = (PRESTON["2016-17"][0] * 0.182 - PRESTON["2012-13"][0] * 0.05) / 100
    expected_lancs = (PRESTON["2016-17"][0] * 0.792 - PRESTON["2012-13"][0] * 0.39) / 100
    assert preston_change["inside_change"] == pytest.approx(expected_preston, abs=1)
    assert lancs_change["inside_change"] == pytest.approx(expected_lancs, abs=1)
    # as published: "+£74m" and "+£200m" (CLES), within rounding of the published shares
    assert round(preston_change["inside_change"] / 1e6, 1) == 74.8
    assert round(lancs_change["inside_change"] / 1e6, 1) == 196.2
    assert preston_change["points_low"] == pytest.approx(13.2)
    assert lancs_change["points_low"] == pytest.approx(40.2)


def test_the_command_prints_each_period_and_boundary(preston, capsys):
    payments, suppliers, _ = preston
    code = main(["spend", str(payments), "--suppliers", str(suppliers), "--local-postcodes",
                 "PR1 PR2", "--local-name", "Preston", "--wider-postcodes", "PR BB LA FY",
                 "--wider-name", "Lancashire"])
    assert code == 0
    text = capsys.readouterr().out
    # both years added: "11% local", which is why each period is shown beside it
    assert re.search(r"within Preston\s+£\s*149,794,000\.00\s+11\.0%", text)
    assert re.search(r"2012-13\s+3 month\(s\)\s+£\s*750,000,000\.00\s+Preston 5\.0%; "
                     r"Lancashire 39\.0%", text)
    assert re.search(r"within Lancashire\s+£", text)
    assert "2012-13 to 2016-17, within Preston: £+74,794,000.00 (+13.2 points)" in text
    assert "2012-13 to 2016-17, within Lancashire: £+196,164,000.00 (+40.2 points)" in text


def test_periods_of_different_lengths_and_overlaps_are_warned_about(tmp_path):
    year = write_payments(tmp_path / "year.csv", [(f"15/{m:02d}/2023", "A Ltd", 100_00)
                                                  for m in range(1, 13)])
    quarter = write_payments(tmp_path / "quarter.csv", [("15/05/2024", "A Ltd", 100_00),
                                                        ("15/06/2024", "A Ltd", 100_00)])
    s = analyse_spending([year, quarter], None).summary()
    assert [(p["period"], p["months"]) for p in s["periods"]] == [("2022-23", 3),
                                                                  ("2023-24", 9),
                                                                  ("2024-25", 2)]
    assert any("different lengths" in n for n in s["notes"])
    assert not any("overlap" in n for n in s["notes"])


def test_undated_files_are_periods_of_their_own(tmp_path):
    a = tmp_path / "a.csv"
    a.write_text("Supplier,Amount\nA Ltd,10.00\nB Ltd,20.00\n", encoding="utf-8")
    b = tmp_path / "b.csv"
    b.write_text("Supplier,Amount\nA Ltd,5.00\n", encoding="utf-8")
    s = analyse_spending([a, b], None).summary()
    assert [(p["period"], p["kind"], p["total_pence"]) for p in s["periods"]] == [
        ("file a.csv", "file", 3000), ("file b.csv", "file", 500)]


# ---- the top-N basis: CLES's Greater Manchester top-30 table ------------------------------

#: CLES benchmarking for AGMA, table 1: spend with the top 30 suppliers and with those based or
#: branched in the council's own boundary (£). Total £1,003,858,435.21 and £619,652,226.58
#: (61.7%); average of the ten shares 53.8%.
GM_TOP30 = {
    "Bolton": ("68330289.71", "31179554.05", 45.6),
    "Bury": ("38026372.58", "10810750.81", 28.4),
    "Manchester": ("235031744.89", "186687585.67", 79.4),
    "Oldham": ("133590437.30", "91644381.53", 68.6),
    "Rochdale": ("70793775.84", "30995001.50", 43.8),
    "Salford": ("143909248.95", "90276813.00", 62.7),
    "Stockport": ("126771768.29", "82563092.39", 65.1),
    "Tameside": ("45117493.41", "22863548.01", 50.7),
    "Trafford": ("41171484.94", "15062797.86", 36.6),
    "Wigan": ("101115819.30", "57568701.76", 56.9),
}


def gm_council(folder: Path, name: str) -> Path:
    """A council's payments: 15 local and 15 other top suppliers, then 5 small local ones."""
    total, local, _ = GM_TOP30[name]
    total, local = int(Decimal(total) * 100), int(Decimal(local) * 100)
    rows = [("15/06/2016", f"{name} Local {i}", p) for i, p in enumerate(split_pence(local, 15))]
    rows += [("15/07/2016", f"Elsewhere {i}", p)
             for i, p in enumerate(split_pence(total - local, 15))]
    rows += [("15/08/2016", f"{name} Small {i}", 50_000_00) for i in range(5)]
    return write_payments(folder / f"{name.lower()}.csv", rows)


def gm_suppliers(folder: Path, name: str) -> Path:
    rows = [(f"{name} Local {i}", "BL1 1AA", "") for i in range(15)]
    rows += [(f"{name} Small {i}", "BL1 1AA", "") for i in range(5)]
    rows += [(f"Elsewhere {i}", "LS1 1AA", "") for i in range(15)]
    return write_list(folder / f"{name.lower()}_suppliers.csv", rows)


def test_a_top_30_basis_reproduces_the_greater_manchester_table(tmp_path):
    headlines = {}
    for name, (_, _, published) in GM_TOP30.items():
        result = analyse_spending([gm_council(tmp_path, name)], Boundary.from_codes(name, "BL1"),
                                  gm_suppliers(tmp_path, name), basis="top:30")
        head = result.summary()["headline"]
        assert head["basis"] == "top:30" and "top 30" in head["basis_words"]
        assert head["suppliers"] == 30
        assert round(head["local_share_low"] * 100, 1) == published
        everything = result.summary()["local_share_low"]
        assert everything > head["local_share_low"]  # the five small local suppliers count
        headlines[name] = head
    combined = combine_councils(headlines)
    assert combined["total_pence"] == 1_003_858_435_21
    assert combined["local_pence"] == 619_652_226_58
    assert round(combined["share_weighted_low"] * 100, 1) == 61.7
    assert round(combined["share_average_low"] * 100, 1) == 53.8
    assert "spend-weighted" in combined["share_weighted_label"]
    assert "average of councils' shares" in combined["share_average_label"]


def test_the_basis_is_read_strictly():
    assert parse_basis("all") == Basis() and parse_basis(None) == Basis()
    assert parse_basis("top:300") == parse_basis("top 300") == Basis(300)
    for bad in ("top:0", "top:x", "most", "top:-3"):
        with pytest.raises(ValueError, match="top:N"):
            parse_basis(bad)


def test_a_bad_basis_is_a_plain_message(tmp_path, capsys):
    path = write_payments(tmp_path / "p.csv", [("01/05/2024", "A Ltd", 100)])
    assert main(["spend", str(path), "--basis", "top:none"]) == 2
    assert "--basis" in capsys.readouterr().err


# ---- VCSE from each source, SME from the supplier list -----------------------------------

LGA = (
    "Supplier Name,Supplier ID,Company Registration,Charity Registration,VCSE Grant,"
    "Payment Date,Net Amount,Expense Type\n"
    "Registered Charity Trust,1,,1012345,,01/05/2024,100.00,Services\n"
    "Not Yet Known Ltd,2,01234567,Not yet available,Not yet available,01/05/2024,200.00,Services\n"
    "Company Only Ltd,3,07654321,,,01/05/2024,400.00,Services\n"
    "Grant Receiver,4,,,Yes,01/05/2024,800.00,Grants\n"
    "Listed Friends,5,,,,01/05/2024,1600.00,Services\n"
    "Youth Club,6,,,,01/05/2024,3200.00,Voluntary Associations\n"
    "Hebden Bridge Community Association,7,,,,01/05/2024,6400.00,Services\n"
    "Calderdale and Huddersfield NHS Foundation Trust,8,,,,01/05/2024,12800.00,Services\n"
    "Woodkirk Academy Trust,9,,,,01/05/2024,25600.00,Services\n"
    "Together Housing Association,10,,,,01/05/2024,51200.00,Services\n"
    "Local Government Association,11,,,,01/05/2024,102400.00,Services\n"
)


def test_vcse_from_each_source_counted_apart_and_false_friends_left_out(tmp_path):
    path = tmp_path / "lga.csv"
    path.write_text(LGA, encoding="utf-8")
    suppliers = tmp_path / "list.csv"
    suppliers.write_text("name,postcode,type,size\nListed Friends,,charity,small\n"
                         "Company Only Ltd,,,large\nYouth Club,,,medium\n", encoding="utf-8")
    s = analyse_spending([path], None, suppliers).summary()
    sources = {k: v["total_pence"] for k, v in s["vcse_sources"].items()}
    assert sources == {"supplier_list_type": 1600_00, "file_columns": 100_00 + 800_00,
                       "expense_type": 3200_00, "name_signs_low_confidence": 6400_00}
    assert s["vcse_total_pence"] == 100_00 + 800_00 + 1600_00 + 3200_00
    assert s["vcse_probable_total_pence"] == 6400_00  # none of the four false friends
    sme = s["sme"]
    assert sme["sme_total_pence"] == 1600_00 + 3200_00 and sme["large_total_pence"] == 400_00
    assert sme["size_unknown_total_pence"] == s["total_pence"] - 5200_00
    assert sme["sme_share_of_known"] == pytest.approx(4800 / 5200)


# ---- monthly and category tables ---------------------------------------------------------

def test_monthly_and_category_rows_sum_to_the_total():
    folder = SAMPLES / "calderdale"
    result = analyse_spending([folder / "calderdale_payments_sample.csv"],
                              Boundary.from_codes("Calderdale", "HX"),
                              folder / "calderdale_suppliers_sample.csv")
    s = result.summary()
    for key in ("by_month", "by_category"):
        rows = s[key]
        assert len(rows) > 1
        assert sum(r["total_pence"] for r in rows) == s["total_pence"]
        assert sum(r["local_pence"] for r in rows) == s["local_pence"]
        assert sum(r["unknown_pence"] for r in rows) == s["unknown_pence"]
    assert [r["month"] for r in s["by_month"]] == sorted(r["month"] for r in s["by_month"])
    json.dumps(s, allow_nan=False)


# ---- headers as councils write them ------------------------------------------------------

@pytest.mark.parametrize(("supplier", "amount"), [
    ("Supplier Name:  ", "Amount Paid"), ("Name", "Value"), ("Payee", "Total"),
    ("Vendor", "Amount"), ("Beneficiary", "Amount Paid")])
def test_headers_as_councils_write_them(tmp_path, supplier, amount):
    path = tmp_path / "p.csv"
    path.write_text(f"Date,{supplier},{amount}\n01/05/2024,Acme Ltd,12.34\n02/05/2024,Beta,1.00\n",
                    encoding="utf-8")
    payments = read_payments(path)
    assert payments.files[0].columns.supplier == supplier.strip()
    assert payments.files[0].columns.amount == amount
    assert int(payments.frame["amount_pence"].sum()) == 1334


def test_the_supplier_column_is_chosen_by_content(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("Date,Supplier,Payee,Amount\n01/05/2024,S00123,Acme Ltd,10.00\n"
                    "02/05/2024,S00456,Beta Builders,5.00\n", encoding="utf-8")
    payments = read_payments(path)
    assert payments.files[0].columns.supplier == "Payee"
    assert set(payments.frame["supplier"]) == {"Acme Ltd", "Beta Builders"}
    notices = [p.text() for p in payments.report.problems]
    assert any("'Payee' was taken" in n for n in notices)


def readme_totals(folder: Path) -> dict[str, tuple[int, int | None]]:
    """File -> (rows, total pence or None) from the real-data README's table."""
    out = {}
    for line in (folder / "README.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 4 and cells[0].endswith(".csv"):
            total = re.search(r"total £([\d,]+\.\d\d)", cells[3])
            out[cells[0]] = (int(cells[2].replace(",", "")),
                             int(Decimal(total.group(1).replace(",", "")) * 100) if total
                             else None)
    return out


def test_every_real_file_reads_to_its_published_rows_and_total(real_data):
    expected = readme_totals(real_data)
    assert len(expected) == len(list(real_data.glob("*.csv"))) >= 10
    for name, (rows, total) in expected.items():
        payments = read_payments(real_data / name)
        assert payments.records == rows, name
        assert len(payments.rejected) == 0, name
        if total is not None:
            assert int(payments.frame["amount_pence"].sum()) == total, name


# ---- words -------------------------------------------------------------------------------

def test_a_tiny_unknown_share_is_said_as_less_than_a_tenth_of_a_point():
    assert unknown_words(7_012_00, 74_900_000_00).startswith(
        "Less than 0.1% of spending (£7,012.00)")
    assert unknown_words(10_000_00, 100_000_00).startswith("10.0% of spending")
    assert share_range_words(0.45503, 0.45512) == "45.5%"
    assert share_range_words(0.455, 0.5) == "45.5% to 50.0%"
    assert share_range_words(None, 0.5) == "n/a"


def test_the_periods_chart_names_each_share(preston):
    from toolkit.spend.charts import alt_text, chart_periods

    payments, suppliers, boundary = preston
    fig = chart_periods(analyse_spending([payments], boundary, suppliers))
    text = alt_text(fig)
    assert "within Preston: 2012-13 5.0%, 2016-17 18.2%" in text
    assert "within Lancashire: 2012-13 39.0%, 2016-17 79.2%" in text


def test_a_registry_names_the_spender_and_checks_the_basis(tmp_path):
    from toolkit.inputs.errors import InputError
    from toolkit.inputs.registry import load_registry

    path = tmp_path / "r.yml"
    path.write_text("authorities:\n- id: preston\n  name: Preston\n  ons_code: E07000123\n"
                    "  spender: Preston's anchor institutions\n  spending_basis: top:300\n",
                    encoding="utf-8")
    authority = load_registry(path).authorities[0]
    assert authority.spender_name == "Preston's anchor institutions"
    assert authority.spending_basis == "top:300"
    path.write_text("authorities:\n- id: preston\n  name: Preston\n  ons_code: E07000123\n"
                    "  spending_basis: most\n", encoding="utf-8")
    with pytest.raises(InputError, match="spending_basis"):
        load_registry(path)


# ---- the packs: every boundary, the basis, 0.1 point, £ per council, spender --------------

def area(name: str, excluded=()):
    from types import SimpleNamespace

    return SimpleNamespace(name=name, excluded=list(excluded))


def test_the_authority_pack_shows_each_boundary_and_period_and_names_the_spender(preston):
    from toolkit.packs.combined import boundaries_table, periods_table, spending_headline

    payments, suppliers, boundary = preston
    result = analyse_spending([payments], boundary, suppliers)
    result.spender = "Preston's anchor institutions"
    within = boundaries_table(result)
    assert list(within["Within"]) == ["Preston", "Lancashire"]
    assert within["Spending inside (£)"].tolist() == pytest.approx([149_794_000, 781_164_000])
    periods = periods_table(result)
    assert list(periods["Period"]) == ["2012-13", "2016-17"]
    assert periods["Within Lancashire, share"].tolist() == pytest.approx([0.39, 0.792])
    head = spending_headline(result, "Preston")
    assert head.label == ("Preston's anchor institutions spending with local suppliers, "
                          "within Preston")
    assert "council" not in head.label.lower()
    assert head.value_text == "11.0%" and "all spending" in head.note


def test_the_network_gives_pounds_per_council_and_labels_both_combinations(tmp_path):
    from toolkit.packs.combined import AreaFigures, council_spending_headlines, network_table

    network = []
    for name in ("Bolton", "Bury", "Manchester"):
        result = analyse_spending([gm_council(tmp_path, name)], Boundary.from_codes(name, "BL1"),
                                  gm_suppliers(tmp_path, name), basis="top:30")
        network.append(AreaFigures(area(name), [], result))
    table = network_table(network)
    assert "Organisations" not in table.columns  # councils alone: no empty organisation rows
    assert table["Council spending (£)"].tolist() == pytest.approx(
        [float(GM_TOP30[n][0]) for n in ("Bolton", "Bury", "Manchester")])
    assert table["Council spending, local (£)"].tolist() == pytest.approx(
        [float(GM_TOP30[n][1]) for n in ("Bolton", "Bury", "Manchester")])
    weighted, average = council_spending_headlines(network)
    total = sum(float(GM_TOP30[n][0]) for n in ("Bolton", "Bury", "Manchester"))
    local = sum(float(GM_TOP30[n][1]) for n in ("Bolton", "Bury", "Manchester"))
    assert weighted.value == pytest.approx(local / total)
    assert weighted.label.endswith("spend-weighted") and "top 30" in weighted.note
    assert weighted.value_text == f"{local / total:.1%}"
    assert "average of councils' shares" in average.label
    assert average.value == pytest.approx(sum(GM_TOP30[n][2] for n in ("Bolton", "Bury",
                                                                      "Manchester")) / 300,
                                          abs=0.001)
