"""The spend analysis: placing suppliers, marks, VCSE, shares, the command and the samples."""

import csv
import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.cli import main
from toolkit.inputs.errors import InputError
from toolkit.inputs.geography import Boundary, NestedBoundaries
from toolkit.samples.payments import write_sample_payments
from toolkit.spend.analysis import analyse_spending, read_supplier_list, supplier_key
from toolkit.spend.charts import alt_text, chart_by_month, chart_locations, chart_top_suppliers

REAL = Path(__file__).resolve().parents[1].parent / "shared" / "real-data"
needs_real = pytest.mark.skipif(not REAL.exists(),
                                reason=f"real council files not found at {REAL}")
LOCAL = Boundary.from_codes("Halifax", "HX1 HX2")
WIDER = Boundary.from_codes("West Yorkshire", "HX BD LS")

PAYMENTS = (
    "Payments over £500 (test),,,,\n"
    "Supplier Name,Amount,Expense Type,Supplier Postcode,Date\n"
    "Acme Ltd,1000.00,Private Contractors,,01/04/2020\n"
    "ACME LIMITED,500.00,Private Contractors,,02/04/2020\n"
    "Beta Builders,2000.00,Private Contractors,BD1 1AA,03/04/2020\n"
    "Gamma Foods,300.00,Catering,,04/05/2020\n"
    "Halifax Carers Association,400.00,Voluntary Associations,HX1 2AB,05/05/2020\n"
    "Todmorden Community Trust,250.00,Services,,06/05/2020\n"
    "Calderdale NHS Foundation Trust,700.00,Services,,07/05/2020\n"
    "REDACTED PERSONAL DATA,600.00,Foster Payments,,08/05/2020\n"
    "HM Revenue & Customs,900.00,Tax,,09/05/2020\n"
    "West Yorkshire Pension Fund,800.00,Pensions,,10/05/2020\n"
    "Amazon,50.00,Purchase Cards,,11/05/2020\n"
    "Direct Payment Client,120.00,Personal Budgets,,12/05/2020\n"
    "Town Hall Cafe HX1 1UJ,100.00,Catering,,13/05/2020\n"
    "Dublin Software,230.00,Computers,D02 X285,14/05/2020\n"
    "Acme Ltd,-100.00,Private Contractors,,15/05/2020\n"
)
SUPPLIERS = ("name,postcode,type\nAcme Limited,HX2 3AB,SME\nGamma Foods Ltd,M1 1AE,large\n"
             "Todmorden Community Trust,,charity\n")


@pytest.fixture
def files(tmp_path):
    payments = tmp_path / "payments.csv"
    payments.write_text(PAYMENTS, encoding="utf-8")
    suppliers = tmp_path / "suppliers.csv"
    suppliers.write_text(SUPPLIERS, encoding="utf-8")
    return payments, suppliers


def test_supplier_key():
    assert supplier_key("Acme Ltd") == supplier_key("ACME LIMITED") == supplier_key("acme")
    assert supplier_key("The Acme Co. Limited") == "ACME CO"
    assert supplier_key("A & A Electrical") == supplier_key("A and A Electrical")
    assert supplier_key("Smith & Co") == "SMITH"
    assert supplier_key("Acme Services") != supplier_key("Acme")
    assert supplier_key("") == ""
    assert supplier_key(None) == ""
    assert supplier_key("Oak Lane Community Interest Company") == supplier_key("OAK LANE CIC")
    assert supplier_key("Ltd") == "LTD"


def test_analysis_places_and_reconciles(files):
    payments, suppliers = files
    result = analyse_spending([payments], LOCAL, supplier_list=suppliers)
    s = result.summary()
    assert s["rows"] == 15
    assert s["total_pence"] == 785000
    # Acme (list: HX2) 1000 + 500 - 100 local; carers association (column HX1) 400 local
    assert s["local_pence"] == 180000
    # Beta (column BD1) 2000, Gamma (list M1) 300, Dublin (Eircode) 230
    assert s["non_local_pence"] == 253000
    assert s["local_pence"] + s["non_local_pence"] + s["unknown_pence"] == s["total_pence"]
    assert s["local"] == 1800.00 and s["total"] == 7850.00
    assert s["local_share_low"] == pytest.approx(1800 / 7850)
    assert s["local_share_high"] == pytest.approx((7850 - 2530) / 7850)
    assert s["unknown_pence"] == 352000
    assert s["by_location"]["outside_uk"]["total_pence"] == 23000
    rules = result.suppliers.set_index("supplier")["rule"].to_dict()
    assert rules["Acme Ltd"] == "supplier list"
    assert rules["Beta Builders"] == "postcode column"
    assert rules["Todmorden Community Trust"] == "not placed"  # listed without a postcode
    assert rules["Town Hall Cafe HX1 1UJ"] == "not placed"  # name postcode is only a hint


def test_near_duplicate_names_are_one_supplier(files):
    result = analyse_spending([files[0]], LOCAL)
    acme = result.suppliers[result.suppliers["key"] == "ACME"]
    assert len(acme) == 1
    assert acme["rows"].iloc[0] == 3 and acme["total_pence"].iloc[0] == 140000


def test_marks_stay_in_total_and_procurement_share(files):
    payments, suppliers = files
    s = analyse_spending([payments], LOCAL, supplier_list=suppliers).summary()
    marks = {k: v["total_pence"] for k, v in s["marks"].items()}
    assert marks == {"redacted": 60000, "purchase_card": 5000, "personal_budget": 12000,
                     "public_body": 70000, "hmrc": 90000, "pension_fund": 80000}
    assert s["redacted_rows"] == 1 and s["redacted_total"] == 600.0
    assert s["procurement_total_pence"] == 785000 - sum(marks.values())
    assert s["procurement_local_share_low"] == pytest.approx(180000 / 468000)


def test_vcse(files):
    payments, suppliers = files
    s = analyse_spending([payments], LOCAL, supplier_list=suppliers).summary()
    # expense type "Voluntary Associations" (400) and list type "charity" (250)
    assert s["vcse_total_pence"] == 65000
    # name signs only: none left (the NHS trust is a public body, never VCSE)
    assert s["vcse_probable_total_pence"] == 0
    s2 = analyse_spending([payments], LOCAL).summary()
    assert s2["vcse_total_pence"] == 40000
    assert s2["vcse_probable_total_pence"] == 25000  # "Community Trust" by name


def test_name_postcodes_hint_or_low_confidence(files):
    payments, _ = files
    plain = analyse_spending([payments], LOCAL)
    assert plain.summary()["name_postcode_total_pence"] == 10000
    hint = plain.suppliers.set_index("supplier").loc["Town Hall Cafe HX1 1UJ"]
    assert hint["postcode_in_name"] == "HX1 1UJ" and hint["location"] == "unknown"
    used = analyse_spending([payments], LOCAL, use_name_postcodes=True)
    row = used.suppliers.set_index("supplier").loc["Town Hall Cafe HX1 1UJ"]
    assert row["location"] == "local"
    assert row["rule"] == "postcode in supplier name (low confidence)"
    assert used.summary()["local_pence"] == plain.summary()["local_pence"] + 10000
    assert any("low confidence" in n for n in used.summary()["notes"])


def test_no_boundary_everything_unknown(files):
    s = analyse_spending([files[0]], None, supplier_list=files[1]).summary()
    assert s["unknown_pence"] == s["total_pence"] == 785000
    assert s["local_pence"] == 0 and s["non_local_pence"] == 0
    assert s["boundary_given"] is False and s["boundary"] is None
    assert "every supplier is unknown" in s["notes"][0]
    assert s["local_share_low"] == 0 and s["local_share_high"] == 1


def test_nested_boundaries(files):
    payments, suppliers = files
    result = analyse_spending([payments], NestedBoundaries([LOCAL, WIDER]),
                              supplier_list=suppliers)
    s = result.summary()
    assert s["by_location"]["local"]["total_pence"] == 180000
    assert s["by_location"]["wider"]["total_pence"] == 200000  # Beta, BD1
    assert s["by_location"]["rest_of_uk"]["total_pence"] == 30000  # Gamma, M1
    assert s["non_local_pence"] == 253000
    assert s["cumulative_shares"]["wider"]["low"] == pytest.approx(380000 / 785000)


def test_unplaced_round_trip(files, tmp_path):
    payments, suppliers = files
    result = analyse_spending([payments], LOCAL, supplier_list=suppliers)
    out = result.write_unplaced(tmp_path / "unplaced.csv")
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    names = [r["name"] for r in rows]
    assert "REDACTED PERSONAL DATA" not in names and "HM Revenue & Customs" not in names
    totals = [float(r["total"]) for r in rows]
    assert totals == sorted(totals, reverse=True)
    assert rows[0]["name"] == "West Yorkshire Pension Fund"
    cafe = next(r for r in rows if r["name"].startswith("Town Hall"))
    assert cafe["postcode_in_name"] == "HX1 1UJ" and cafe["postcode"] == ""
    for r in rows:  # the user fills in postcodes and passes the file back
        r["postcode"] = "HX1 5ZZ"
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    again = analyse_spending([payments], LOCAL, supplier_list=out)
    placed = again.suppliers.set_index("supplier")
    assert placed.loc["West Yorkshire Pension Fund", "location"] == "local"
    assert placed.loc["West Yorkshire Pension Fund", "rule"] == "supplier list"


def test_supplier_list_by_id(tmp_path):
    pay = tmp_path / "p.csv"
    pay.write_text("Supplier Name,Supplier ID,Amount\nOdd Name Trading,S7,100\n")
    lst = tmp_path / "l.csv"
    lst.write_text("name,postcode,type,supplier id\nSomething Else,HX1 1AA,SME,S7\n")
    s = analyse_spending([pay], LOCAL, supplier_list=lst).summary()
    assert s["local_pence"] == 10000


def test_supplier_list_problems(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("who,where\nA,B\n")
    with pytest.raises(InputError, match="bad.csv.*name"):
        read_supplier_list(bad)
    twice = tmp_path / "twice.csv"
    twice.write_text("name,postcode\nAcme Ltd,HX1 1AA\nACME LIMITED,M1 1AE\n,\n")
    from toolkit.inputs.errors import Report
    report = Report()
    listed = read_supplier_list(twice, report)
    assert len(listed.frame) == 2
    assert any("different postcodes" in p.message for p in report.warnings)


def test_tables(files):
    payments, suppliers = files
    result = analyse_spending([payments], LOCAL, supplier_list=suppliers)
    months = result.by_month()
    assert list(months.index) == ["2020-04", "2020-05"]
    assert int(months["total_pence"].sum()) == 785000
    assert months.loc["2020-04", "local_pence"] == 150000
    assert "unweighted" in months.attrs["note"]
    cats = result.by_category()
    assert int(cats["total_pence"].sum()) == 785000
    assert cats.index[0] == "Private Contractors"
    top = result.top_suppliers(3)
    assert list(top["rank"]) == [1, 2, 3]
    assert top["supplier"].iloc[0] == "Beta Builders"
    assert top["total"].iloc[0] == 2000.0


def test_charts(files):
    payments, suppliers = files
    result = analyse_spending([payments], LOCAL, supplier_list=suppliers)
    for fig in (chart_locations(result), chart_by_month(result), chart_top_suppliers(result, 5)):
        ax = fig.axes[0]
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
        assert "£" in ax.get_xlabel() + ax.get_ylabel()
        assert len(alt_text(fig)) > 40
    assert "Unknown" in alt_text(chart_locations(result))
    charts = result.charts(top=3)
    assert set(charts) == {"locations", "by_month", "top_suppliers"}
    assert all(alt_text(fig) for fig in charts.values())


rows_strategy = st.lists(
    st.tuples(st.sampled_from(["Acme Ltd", "Beta", "Gamma CIC", "REDACTED PERSONAL DATA",
                               "VARIOUS", "Delta Council"]),
              st.integers(-10**8, 10**8),
              st.sampled_from(["", "HX1 1AA", "BD1 1AA", "D02 X285", "VARIOUS", "HX", "M1"])),
    min_size=1, max_size=30)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=rows_strategy)
def test_always_reconciles(tmp_path, rows):
    path = tmp_path / "h.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Supplier", "Amount", "Postcode"])
        for name, pence, postcode in rows:
            writer.writerow([name, f"{Decimal(pence) / 100:.2f}", postcode])
    s = analyse_spending([path], NestedBoundaries([LOCAL, WIDER])).summary()
    assert s["total_pence"] == sum(p for _, p, _ in rows)
    assert s["local_pence"] + s["non_local_pence"] + s["unknown_pence"] == s["total_pence"]
    assert sum(v["total_pence"] for v in s["by_location"].values()) == s["total_pence"]
    assert s["rows"] == len(rows)


@needs_real
def test_real_calderdale_analysis():
    result = analyse_spending([REAL / "calderdale_2014-10.csv"],
                              Boundary.from_codes("Calderdale", "HX OL14 HD6"))
    s = result.summary()
    assert s["rows"] == 4270 and s["rejected_rows"] == []
    assert s["total_pence"] == 2_028_572_741
    assert s["unknown_pence"] == s["total_pence"]  # no postcodes and no supplier list
    assert s["redacted_rows"] == 1372
    assert s["marks"]["personal_budget"]["rows"] >= 16
    voluntary = sum(1 for r in csv.DictReader((REAL / "calderdale_2014-10.csv").open())
                    if r["Expense Type"] == "Voluntary Associations")
    assert voluntary == 89
    assert s["vcse_total_pence"] > 0
    assert set(result.suppliers.loc[result.suppliers["vcse_probable"], "supplier"]).isdisjoint(
        set(result.suppliers.loc[result.suppliers["public_body"], "supplier"]))


@needs_real
def test_real_public_bodies_never_probable_vcse():
    # the three files these suppliers come from (more real files were added since)
    files = ["calderdale_2014-10.csv", "leeds_2010-12.csv", "manchester_2010-12.csv"]
    result = analyse_spending([REAL / name for name in files], None)
    sup = result.suppliers.set_index("supplier")
    for name in ("Calderdale & Huddersfield NHS Foundation Trust", "Leeds City Council",
                 "University Of Manchester", "Woodkirk Academy Trust"):
        assert sup.loc[name, "public_body"], name
        assert not sup.loc[name, "vcse_probable"], name
    for name in ("Canal & River Trust (British Waterways)", "Halle Concerts Society",
                 "Hebden Bridge Community Association"):
        assert sup.loc[name, "vcse_probable"], name
    s = result.summary()
    assert s["rows"] == 4270 + 10303 + 4096


# ---- the command --------------------------------------------------------------------------

def test_command_json(files, tmp_path, capsys):
    payments, suppliers = files
    unplaced = tmp_path / "out.csv"
    code = main(["spend", str(payments), "--local-postcodes", "HX1 HX2", "--suppliers",
                 str(suppliers), "--unplaced-out", str(unplaced), "--json"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    for key in ("rows", "total", "local", "non_local", "unknown", "local_share_low",
                "local_share_high", "redacted_rows", "redacted_total", "vcse_total",
                "vcse_probable_total", "name_postcode_total", "rejected_rows", "total_pence",
                "local_pence"):
        assert key in data, key
    assert data["total_pence"] == 785000 and data["local_pence"] == 180000
    assert unplaced.exists()


def test_command_text_and_overrides(tmp_path, capsys):
    path = tmp_path / "p.csv"
    path.write_text("Who,Gross,Net,Kind\nAcme,120,100,Voluntary Associations\nBeta,x,1,Y\n")
    code = main(["spend", str(path), "--supplier-column", "Who", "--amount-column", "Gross",
                 "--category-column", "Kind"])
    out = capsys.readouterr().out
    assert code == 0
    assert "£120.00" in out and "every supplier is unknown" in out
    assert "line 3: amount is not a number" in out


def test_command_errors(tmp_path, capsys):
    assert main(["spend", str(tmp_path / "missing.csv")]) == 2
    assert "not found" in capsys.readouterr().err
    path = tmp_path / "p.csv"
    path.write_text("Supplier,Amount\nA,1\n")
    assert main(["spend", str(path), "--local-postcodes", "ZZZ9"]) == 2
    assert "ZZZ9" in capsys.readouterr().err


def test_command_postcode_lookup(tmp_path, capsys):
    lookup = tmp_path / "onspd.csv"
    lookup.write_text("pcds,oslaua\nHX1 1AA,E08000033\nBD1 1AA,E08000032\n")
    path = tmp_path / "p.csv"
    path.write_text("Supplier,Amount,Postcode\nA,1,HX1 1AA\nB,2,BD1 1AA\nC,4,HX9 9ZZ\n")
    main(["spend", str(path), "--postcode-lookup", str(lookup), "--local-authorities",
          "E08000033", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert (data["local_pence"], data["non_local_pence"], data["unknown_pence"]) == (100, 200,
                                                                                       400)


def test_command_local_authorities_from_the_shipped_directory(tmp_path, capsys):
    path = tmp_path / "p.csv"
    path.write_text("Supplier,Amount,Postcode\nA,1,PR1 2HE\nB,2,BB5 1HD\nC,4,M1 1AE\n"
                    "D,8,EH1 1YZ\nE,16,BT1 1AA\n")
    assert main(["spend", str(path), "--local-authorities", "Preston", "--wider-authorities",
                 "county", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["local_pence"], data["unknown_pence"]) == (100, 0)
    preston, lancashire = data["boundaries"]
    assert preston["codes"] == ["E07000123"] and lancashire["codes"] == ["E10000017"]
    assert lancashire["level"] == "county"
    assert lancashire["inside"] == 3.0  # cumulative: Preston's £1 and Hyndburn's £2
    assert data["by_location"]["rest_of_uk"]["total_pence"] == 400 + 800 + 1600


def test_command_old_council_name_says_it_now_uses_2025_boundaries(tmp_path, capsys):
    path = tmp_path / "p.csv"
    path.write_text("Supplier,Amount,Postcode\nA,1,BD23 9ZZ\n")
    assert main(["spend", str(path), "--local-authorities", "Harrogate", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    entry = data["boundaries"][0]
    assert entry["codes"] == ["E06000065"]
    assert any("2025 boundaries" in note for note in entry["boundary_notes"])
    assert any("Harrogate (E07000165)" in note for note in data["notes"])
    assert data["headline"]["boundaries"][0]["codes"] == ["E06000065"]


def test_command_text_gives_the_central_share_of_a_straddling_district(tmp_path, capsys):
    path = tmp_path / "p.csv"
    path.write_text("Supplier,Amount,Postcode\nA,100,HX1 1QE\nB,50,BD20\n")
    assert main(["spend", str(path), "--local-authorities", "Bradford"]) == 0
    share = Boundary.from_authorities("Bradford").share("BD20")
    assert f"central share of all payments {50 * share / 150:.1%}" in capsys.readouterr().out


# ---- samples ------------------------------------------------------------------------------

def test_sample_payments(tmp_path):
    local = ["HX1", "HX2", "HX3", "OL14"]
    wider = ["BD", "HX", "HD", "LS", "WF", "OL14"]
    payments, suppliers = write_sample_payments(tmp_path, "calderdale", "Calderdale", local,
                                                wider, seed=3)
    first = payments.read_text(encoding="utf-8-sig").splitlines()[0]
    assert "FICTIONAL" in first
    text = payments.read_text(encoding="utf-8-sig")
    assert "£" in text and "REDACTED PERSONAL DATA" in text
    again = write_sample_payments(tmp_path / "b", "calderdale", "Calderdale", local, wider, 3)
    assert again[0].read_bytes() == payments.read_bytes()  # same seed, same file
    result = analyse_spending([payments], NestedBoundaries([
        Boundary.from_codes("Calderdale", local), Boundary.from_codes("WY", wider)]),
        supplier_list=suppliers)
    s = result.summary()
    assert s["rejected_rows"] == []
    assert s["files"][0]["header_line"] == 4
    assert (result.payments["amount_pence"] < 0).any()  # credit notes
    assert s["redacted_rows"] > 0 and s["marks"]["purchase_card"]["rows"] > 0
    assert s["marks"]["personal_budget"]["rows"] > 0
    assert s["vcse_total_pence"] > 0 and s["vcse_probable_total_pence"] > 0
    assert s["name_postcode_total_pence"] > 0
    assert s["by_location"]["local"]["total_pence"] > 0
    assert s["by_location"]["wider"]["total_pence"] > 0
    assert s["by_location"]["rest_of_uk"]["total_pence"] > 0
    assert s["by_location"]["outside_uk"]["total_pence"] > 0
    assert s["unknown_pence"] > 0
    assert len(result.unplaced()) > 0
    header = suppliers.read_text(encoding="utf-8").splitlines()[0]
    assert header == "name,postcode,type"


def test_placeholder_ids_never_match_the_list(tmp_path):
    pay = tmp_path / "p.csv"
    pay.write_text("Supplier Name,Supplier ID,Amount\nFirst Co,#N/A,100\nSecond Co,ONETIME,50\n"
                   "Third Co,,25\n")
    lst = tmp_path / "l.csv"
    lst.write_text("name,postcode,type,supplier id\nOther,HX1 1AA,SME,#N/A\n")
    result = analyse_spending([pay], LOCAL, supplier_list=lst)
    assert result.summary()["local_pence"] == 0
    assert set(result.payments["supplier_id"].astype(str)) == {""}
    cats = result.by_category()
    assert list(cats.index) == ["(not given)"]
