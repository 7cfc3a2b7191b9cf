"""Proxy value library, the user's own values, and the price index (METHODS §3)."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

from toolkit.inputs.errors import InputError
from toolkit.inputs.settings import load_settings
from toolkit.measures.proxies import (
    ILLUSTRATIVE_INDEX_FILE,
    LIBRARY_FILE,
    find_proxy,
    licence_forbids_shipping,
    price_index_from_settings,
    proxy_library,
    proxy_library_from_settings,
    read_price_index,
    read_proxy_file,
)

OWN_HEADER = "id,name,unit,value,low,high,price_year,wellbeing,source,licence,checked,notes\n"


def test_every_shipped_row_has_source_unit_price_year_licence_and_checked():
    raw = pd.read_csv(LIBRARY_FILE, comment="#", dtype=str)
    assert len(raw) >= 1
    for column in ("source", "unit", "price_year", "licence", "checked"):
        assert raw[column].notna().all() and (raw[column].str.strip() != "").all(), column


def test_no_shipped_value_is_from_toms_or_hact_or_under_a_nc_nd_licence():
    library = read_proxy_file(LIBRARY_FILE, shipped=True)
    for rec in library.to_dict("records"):
        assert not licence_forbids_shipping(rec["licence"])
        text = f"{rec['source']} {rec['name']}".upper()
        assert "TOMS" not in text and "HACT" not in text and "SOCIAL VALUE BANK" not in text


def test_wellby_row_says_it_was_not_checked_against_the_original():
    wellby = find_proxy(read_proxy_file(LIBRARY_FILE, shipped=True), "wellby")
    assert wellby["value"] == 13000 and wellby["price_year"] == 2019
    assert wellby["low"] == 10000 and wellby["high"] == 16000
    assert wellby["checked"] == "not checked against original here"
    assert wellby["wellbeing"]


@pytest.mark.parametrize(("licence", "forbidden"), [
    ("CC BY-NC-ND 4.0", True), ("CC BY-ND", True), ("Creative Commons Non-Commercial", True),
    ("Open Government Licence v3.0", False), ("CC BY 4.0", False), ("CC0", False),
])
def test_licences_that_forbid_shipping(licence, forbidden):
    assert licence_forbids_shipping(licence) is forbidden


def test_a_shipped_file_with_an_nc_nd_value_is_refused(tmp_path):
    path = tmp_path / "lib.csv"
    path.write_text(OWN_HEADER + "x,X,per person,10,,,2020,no,Somebody,CC BY-NC-ND 4.0,no,\n")
    with pytest.raises(InputError, match="does not allow the toolkit to ship"):
        read_proxy_file(path, shipped=True)


def test_users_own_values_are_added_and_found_by_id(tmp_path):
    path = tmp_path / "own.csv"
    path.write_text("# my values\nid,unit,value,price_year,source\n"
                    "befriend,per person a year,250,2023,Our own survey 2023\n")
    library = proxy_library(path)
    own = find_proxy(library, "befriend")
    assert own["value"] == 250 and own["licence"] == "(not given)"
    assert own["origin"] == str(path)
    assert "wellby" in library.index


def test_users_id_that_clashes_with_the_library_is_an_error(tmp_path):
    path = tmp_path / "own.csv"
    path.write_text("id,unit,value,price_year,source\nwellby,per WELLBY,1,2020,me\n")
    with pytest.raises(InputError, match="already in the toolkit's library"):
        proxy_library(path)


def test_users_file_problems_name_the_line_and_column(tmp_path):
    path = tmp_path / "own.csv"
    path.write_text("# note\nid,unit,value,price_year,source\n"
                    "a,per person,-5,2020,me\nb,per person,5,,me\nb,per person,5,2020,me\n")
    with pytest.raises(InputError) as caught:
        read_proxy_file(path)
    text = str(caught.value)
    assert "row 3" in text and "Must not be negative" in text
    assert "row 4" in text and "price_year" in text
    assert "row 5" in text and "more than once" in text


def test_users_file_missing_a_required_column_is_an_error(tmp_path):
    path = tmp_path / "own.csv"
    path.write_text("id,value,price_year\na,5,2020\n")
    with pytest.raises(InputError, match="missing unit, source"):
        read_proxy_file(path)


def test_wellby_figures_come_from_the_settings():
    settings = load_settings(overrides={"social_value": {
        "wellby": {"value": 14000, "low": 11000, "high": 17000}, "wellby_price_year": 2021}})
    wellby = proxy_library_from_settings(settings).loc["wellby"]
    assert (wellby["value"], wellby["low"], wellby["high"]) == (14000, 11000, 17000)
    assert wellby["price_year"] == 2021


def test_unknown_id_suggests_near_matches():
    with pytest.raises(InputError, match="Did you mean wellby"):
        find_proxy(proxy_library(), "welby")


def test_illustrative_index_is_labelled_illustrative_in_the_file_and_when_used():
    assert "ILLUSTRATIVE" in ILLUSTRATIVE_INDEX_FILE.read_text().splitlines()[0]
    index = read_price_index()
    assert index.illustrative and "ILLUSTRATIVE" in index.label
    assert index.factor(2019, 2019) == 1.0
    assert index.factor(2019, 2025) == pytest.approx(121.8 / 100.0)


def test_users_index_is_not_called_illustrative_and_uprates(tmp_path):
    path = tmp_path / "cpi.csv"
    path.write_text("year,index\n2020,100\n2024,125\n")
    index = read_price_index(path)
    assert not index.illustrative and "ILLUSTRATIVE" not in index.label
    assert index.factor(2020, 2024) == 1.25 and index.factor(2024, 2020) == 0.8


def test_index_without_the_year_is_a_clear_error(tmp_path):
    path = tmp_path / "cpi.csv"
    path.write_text("year,index\n2020,100\n2024,125\n")
    with pytest.raises(InputError, match="no figure for 2019.*covers 2020 to 2024"):
        read_price_index(path).factor(2019, 2024)


@pytest.mark.parametrize(("body", "message"), [
    ("year,level\n2020,100\n", "needs the columns year and index"),
    ("year,index\n2020,0\n", "above zero"),
    ("year,index\n2020,100\n2020,101\n", "appears twice"),
    ("year,index\n2020,abc\n", "must be numbers"),
])
def test_bad_index_files(tmp_path, body, message):
    path = tmp_path / "bad.csv"
    path.write_text(body)
    with pytest.raises(InputError, match=message):
        read_price_index(path)


def test_settings_files_are_found_next_to_the_settings_file(tmp_path):
    (tmp_path / "cpi.csv").write_text("year,index\n2019,100\n2025,120\n")
    settings_file = tmp_path / "my.yml"
    settings_file.write_text(yaml.safe_dump({"social_value": {"price_index": "cpi.csv"}}))
    index = price_index_from_settings(load_settings(settings_file))
    assert index.factor(2019, 2025) == pytest.approx(1.2)


def test_missing_settings_file_is_a_clear_error():
    settings = load_settings(overrides={"social_value": {"proxy_values_file": "nowhere.csv"}})
    with pytest.raises(InputError, match="proxy_values_file.*does not exist"):
        proxy_library_from_settings(settings)


def test_an_outcome_can_use_the_users_own_proxy_named_in_a_settings_file(tmp_path):
    from toolkit.measures.sroi import sroi_from_workbook

    (tmp_path / "own.csv").write_text("id,unit,value,price_year,source\n"
                                      "befriend,per person a year,250,2025,Our survey\n")
    settings_file = tmp_path / "my.yml"
    settings_file.write_text(yaml.safe_dump({"analysis_year": 2025, "social_value": {
        "proxy_values_file": "own.csv"}}))

    class Book:
        path, financial_year = tmp_path / "b.xlsx", "2024-25"
        tables = {"outcomes": pd.DataFrame([{
            "row": 2, "outcome": "Less lonely", "stakeholder": "Older people",
            "quantity": 4.0, "proxy_id": "befriend", "value": None, "price_year": None,
            "deadweight": 0.5, "displacement": 0.0, "attribution": 0.0, "drop_off": 0.0,
            "benefit_period": 1, "start_year": None}]),
            "income": pd.DataFrame([{"amount": 100.0, "in_lm3": True}])}

        def has(self, key):
            return key in self.tables

        def table(self, key):
            return self.tables.get(key, pd.DataFrame())

    result = sroi_from_workbook(Book(), load_settings(settings_file))
    # 4 people x £250 x (1 - 50% deadweight) = £500, one year, not discounted
    assert result.present_value == pytest.approx(500.0)
    assert result.outcomes.loc[0, "value_source"] == "Our survey"
    assert result.outcomes.loc[0, "licence"] == "(not given)"
