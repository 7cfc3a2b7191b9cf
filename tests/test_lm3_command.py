"""The ``keepitlocal lm3`` command: JSON keys, boundaries, published cases, plain errors."""

from __future__ import annotations

import json

import pytest
import yaml

from toolkit.cli import main
from toolkit.inputs.workbook import write_workbook

ABOUT = [{"name": "Test Trust", "org_id": "test-trust", "la_code": "E08000032",
          "financial_year": "2024-25", "fictional": True}]
BALANCE = [{"total_income": 10.0, "total_expenditure": 10.0, "staff_costs": 0.0,
            "unrestricted_funds": 1.0, "designated_funds": 0.0, "fixed_assets_own_use": 0.0,
            "restricted_funds": 0.0, "net_assets": 1.0}]
KEYS = ("r1", "r2", "r3", "lm3", "lm3_low", "lm3_high", "respondents_staff",
        "respondents_suppliers", "assumed")


@pytest.fixture(scope="module")
def constant_book(tmp_path_factory):
    """£10 -> £8 -> £6.40: 80% local, five local suppliers re-spending 80%."""
    folder = tmp_path_factory.mktemp("lm3cmd")
    spending = [{"supplier": f"Local {i}", "supplier_postcode": f"BD1 {i}AA",
                 "category": "other", "amount": 1.6} for i in range(5)]
    spending.append({"supplier": "Away", "supplier_postcode": "HX1 1AA",
                     "category": "other", "amount": 2.0})
    return write_workbook(folder / "book.xlsx", {
        "about": ABOUT, "balance": BALANCE, "staff": [], "spending": spending,
        "income": [{"source": "Contract", "payer": "Council", "type": "public contract",
                    "amount": 10.0}],
        "supplier_survey": [{"supplier": f"Local {i}", "local_share": 0.8} for i in range(5)],
    })


def run_json(capsys, *argv):
    code = main(["lm3", *map(str, argv), "--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out)


def test_json_keys_and_published_case(constant_book, capsys):
    data = run_json(capsys, constant_book, "--local-postcodes", "BD1")
    for key in KEYS:
        assert key in data
    assert (data["r1"], data["r2"], data["r3"]) == pytest.approx((10, 8, 6.4))
    assert data["lm3"] == pytest.approx(2.44)
    assert data["assumed"] == []
    assert data["respondents_suppliers"] == 5
    assert data["lm3_low"] < data["lm3"] < data["lm3_high"]
    assert len(data["boundaries"]) == 1


def test_boundary_by_council_name(constant_book, capsys):
    data = run_json(capsys, constant_book, "--local-authorities", "Bradford",
                    "--wider-authorities", "West Yorkshire")
    assert "lm3" in data and "r1" in data  # the existing keys stay
    inner, outer = data["boundaries"]
    assert (inner["name"], inner["codes"], inner["level"], inner["kind"]) == (
        "Bradford", ["E08000032"], "district", "authority")
    assert outer["codes"] == ["E47000003"] and outer["level"] == "combined authority"
    for entry in (inner, outer):
        assert entry["share_low"] <= entry["share_central"] <= entry["share_high"]
        assert entry["inside"] == pytest.approx(entry["spending_local"])
        assert entry["directory_release"] == "November 2025"
    assert outer["inside"] >= inner["inside"]  # cumulative: the wider includes the inner
    # HX1 1AA is in Calderdale: not local to Bradford, local to West Yorkshire
    assert outer["spending_local"] - inner["spending_local"] == pytest.approx(2.0)


def test_distance_from_the_organisations_own_postcode(tmp_path, capsys):
    about = [{**ABOUT[0], "postcode": "HX1 1QE"}]
    spending = [{"supplier": "Near", "supplier_postcode": "HX1 1QE", "category": "other",
                 "amount": 6.0},
                {"supplier": "Far", "supplier_postcode": "M1 1AE", "category": "other",
                 "amount": 4.0}]
    book = write_workbook(tmp_path / "near.xlsx", {
        "about": about, "balance": BALANCE, "staff": [], "spending": spending,
        "income": [{"source": "Contract", "payer": "Council", "type": "public contract",
                    "amount": 10.0}]})
    data = run_json(capsys, book, "--within", "5 miles")
    entry = data["boundaries"][0]
    assert entry["kind"] == "distance" and entry["codes"] == ["HX1 1QE"]
    assert data["r2"] == pytest.approx(6.0)  # Manchester is more than 5 miles from Halifax
    assert main(["lm3", str(book), "--within", "5 leagues"]) == 2
    assert "5 miles" in capsys.readouterr().err


def test_misspelt_council_is_a_plain_message(constant_book, capsys):
    assert main(["lm3", str(constant_book), "--local-authorities", "Bradferd"]) == 2
    err = capsys.readouterr().err
    assert "Bradford (E08000032)" in err and "Traceback" not in err


def test_same_inputs_give_same_figures(constant_book, capsys):
    first = run_json(capsys, constant_book, "--local-postcodes", "BD1")
    second = run_json(capsys, constant_book, "--local-postcodes", "BD1")
    assert (first["lm3_low"], first["lm3_high"]) == (second["lm3_low"], second["lm3_high"])


def test_settings_file_gives_boundary(constant_book, tmp_path, capsys):
    settings = tmp_path / "s.yml"
    settings.write_text(yaml.safe_dump({"boundary": {"name": "Wider", "postcodes": ["BD", "HX"]}}))
    data = run_json(capsys, constant_book, "--settings", settings)
    assert data["boundary_name"] == "Wider"
    assert data["r2"] == pytest.approx(10.0)


def test_registry_gives_several_boundaries(constant_book, tmp_path, capsys):
    registry = tmp_path / "authorities.yml"
    registry.write_text(yaml.safe_dump({"authorities": [{
        "id": "bradford", "name": "Bradford", "ons_code": "E08000032",
        "boundaries": [{"name": "BD1 only", "postcodes": ["BD1"]},
                       {"name": "West Yorkshire", "postcodes": ["BD", "HX"]}],
        "organisations": [{"id": "test-trust", "workbooks": [str(constant_book)]}]}]}))
    data = run_json(capsys, constant_book, "--registry", registry)
    names = [b["boundary_name"] for b in data["boundaries"]]
    assert names == ["BD1 only", "West Yorkshire"]
    assert data["boundaries"][1]["lm3"] > data["boundaries"][0]["lm3"]
    assert data["lm3"] == data["boundaries"][0]["lm3"]


def test_text_output_names_area_rounds_and_assumptions(constant_book, capsys):
    assert main(["lm3", str(constant_book), "--local-postcodes", "BD1"]) == 0
    out = capsys.readouterr().out
    assert "LM3 2.44" in out and "90% interval" in out
    assert "80p of each £1" in out
    assert "postcodes BD1" in out


def test_no_boundary_is_a_plain_message(constant_book, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no default registry here
    monkeypatch.setattr("toolkit.resources.samples_folder", lambda: None)  # nor shipped
    assert main(["lm3", str(constant_book)]) == 2
    assert "--local-postcodes" in capsys.readouterr().err


def test_zero_income_is_a_plain_message(tmp_path, capsys):
    path = write_workbook(tmp_path / "zero.xlsx", {
        "about": ABOUT, "balance": BALANCE, "staff": [],
        "spending": [{"supplier": "A", "supplier_postcode": "BD1 1AA", "category": "other",
                      "amount": 5.0}],
        "income": [{"source": "c", "payer": "p", "type": "trading", "amount": 0.0}]})
    assert main(["lm3", str(path), "--local-postcodes", "BD1"]) == 2
    err = capsys.readouterr().err
    assert "income studied" in err and "Traceback" not in err
