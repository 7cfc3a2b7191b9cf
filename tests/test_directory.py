"""The ONS Postcode Directory from PyPI: real postcodes with known answers, names, distances.

The index is built once per session in a temporary cache folder (tests/conftest.py). Expected
answers come from the directory's own rows (counts, grid points) or from published facts
(HX1 1QE is in Calderdale), never from this code's output.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import yaml

from toolkit.cli import main
from toolkit.inputs.directory import (
    ATTRIBUTION,
    NOT_IN_DIRECTORY,
    RELEASE,
    build_index,
    cache_folder,
    index_path,
    load_authorities,
    load_directory,
    name_key,
)
from toolkit.inputs.errors import InputError
from toolkit.inputs.geography import Boundary, NestedBoundaries, normalise_postcode
from toolkit.inputs.registry import load_registry
from toolkit.measures.lm3 import as_boundary, compute_lm3, lm3_inputs
from toolkit.resources import data_file


@pytest.fixture(scope="module")
def directory():
    return load_directory()


@pytest.fixture(scope="module")
def authorities():
    return load_authorities()


def code_of(directory, text):
    return directory.place(normalise_postcode(text)).code


# ---- real postcodes, known answers ---------------------------------------------------------

@pytest.mark.parametrize("postcode, name", [
    ("HX1 1QE", "Calderdale"), ("BB5 1HD", "Hyndburn"), ("PR1 2HE", "Preston"),
    ("M1 1AE", "Manchester"),
])
def test_known_postcodes_in_their_council(directory, authorities, postcode, name):
    assert authorities.name_of(code_of(directory, postcode)) == name
    assert Boundary.from_authorities(name).contains(postcode) is True


def test_preston_inside_lancashire_and_manchester_inside_greater_manchester():
    lancashire = Boundary.from_authorities("Lancashire")
    assert lancashire.level == "county"
    assert lancashire.contains("PR1 2HE") and lancashire.contains("BB5 1HD")
    assert lancashire.contains("M1 1AE") is False
    greater = Boundary.from_authorities("Greater Manchester")
    assert greater.contains("M1 1AE") is True and greater.contains("PR1 2HE") is False
    assert any("unchecked" in note for note in greater.notes)


def test_full_postcode_is_one_or_zero():
    calderdale = Boundary.from_authorities("E08000033")
    assert calderdale.share("HX1 1QE") == 1.0 and calderdale.share("M1 1AE") == 0.0


def test_scottish_and_northern_irish_postcodes_are_outside_an_english_council(directory,
                                                                              authorities):
    calderdale = Boundary.from_authorities("Calderdale")
    for postcode, prefix in (("EH1 1YZ", "S12"), ("BT1 1AA", "N09")):
        code = code_of(directory, postcode)
        assert code.startswith(prefix)
        assert calderdale.contains(postcode) is False
        assert "no name" in authorities.name_of(code)  # said, never guessed
    nested = NestedBoundaries([calderdale])
    assert nested.classify("EH1 1YZ") == nested.classify("BT1 1AA") == "rest_of_uk"


def test_crown_dependencies_placed_outside(directory):
    assert code_of(directory, "JE2 3QA") == "L99999999"
    assert code_of(directory, "IM1 1AA") == "M99999999"
    assert Boundary.from_authorities("Calderdale").contains("IM1 1AA") is False


def test_postcode_not_in_directory_is_unknown_with_its_reason():
    calderdale = Boundary.from_authorities("Calderdale")
    assert calderdale.placement("BD99 9ZZ") == (None, NOT_IN_DIRECTORY)
    assert calderdale.contains("BD99 9ZZ") is None


# ---- districts and sectors -----------------------------------------------------------------

def test_straddling_district_is_partly_local(directory):
    keys = directory.keys
    in_bd20 = np.char.startswith(keys.astype("U7"), "BD20")
    codes = [directory.codes[i] for i in directory.authority[in_bd20]]
    bradford, total = codes.count("E08000032"), sum(1 for c in codes if c)
    assert 0 < bradford < total
    bradford_boundary = Boundary.from_authorities("Bradford")
    assert bradford_boundary.share("BD20") == pytest.approx(bradford / total)
    assert bradford_boundary.contains("BD20") is None  # never rounded to in or out
    north = Boundary.from_authorities("North Yorkshire")
    assert north.share("BD20") == pytest.approx(1 - bradford / total)


def test_district_wholly_inside_is_certain():
    assert Boundary.from_authorities("Calderdale").share("HX1") == 1.0
    assert Boundary.from_authorities("Calderdale").share("M1") == 0.0


def test_lm3_carries_a_partial_district_into_its_figures():
    import pandas as pd

    bradford = Boundary.from_authorities("Bradford")
    share = bradford.share("BD20")
    spending = pd.DataFrame({"supplier": ["A", "B"], "category": ["other", "other"],
                             "amount": [40.0, 0.0], "local": [True, False],
                             "row": [2, 3]})
    staff = pd.DataFrame({"role": ["x"], "fte": [1.0], "gross_pay": [60.0], "local": [None],
                          "local_share": [share], "row": [2]})
    empty = pd.DataFrame(columns=["pay_band", "local_share", "row"])
    none = pd.DataFrame(columns=["supplier", "local_share", "row"])
    from toolkit.inputs.settings import load_settings
    from toolkit.measures.lm3 import Lm3Inputs

    settings = load_settings()

    def inputs(staff_rows):  # the accounts give no employer costs beyond gross pay
        return Lm3Inputs(100.0, spending, staff_rows, empty, none, "Bradford",
                         employer_costs=0.0)

    result = compute_lm3(inputs(staff), settings)
    assert result.r2 == pytest.approx(100.0 * (40.0 + 60.0 * share) / 100.0)
    high = compute_lm3(inputs(staff.assign(local=[True])), settings)
    low = compute_lm3(inputs(staff.assign(local=[False])), settings)
    assert result.partial["lm3_local"] == pytest.approx(high.lm3)
    assert result.partial["lm3_not_local"] == pytest.approx(low.lm3)
    # the straddling district's span is in the full range; the survey interval is sampling only
    assert result.full_low <= low.lm3 < result.lm3 < high.lm3 <= result.full_high
    assert result.unknown_staff_pay == 0.0


# ---- names -----------------------------------------------------------------------------------

def test_names_match_forgivingly(authorities):
    hull = authorities.choose("Kingston upon Hull").code
    assert authorities.choose("Hull").code == hull == authorities.choose("HULL").code
    assert authorities.choose("calderdale").code == "E08000033"
    assert name_key("Bristol, City of") == name_key("City of Bristol")


def test_misspelt_name_lists_the_nearest(authorities):
    with pytest.raises(InputError, match="Calderdale"):
        authorities.choose("Calderdle")


def test_ambiguous_name_lists_the_matches(authorities):
    with pytest.raises(InputError, match="more than one") as error:
        authorities.choose("Kingston")
    assert "Kingston upon Thames" in str(error.value)


def test_old_council_points_to_its_successor(authorities):
    choice = authorities.choose("Harrogate")
    assert choice.districts == ("E06000065",)
    assert "North Yorkshire (E06000065)" in choice.notes[0] and "2025" in choice.notes[0]
    assert authorities.choose("E07000165").districts == ("E06000065",)


def test_data_file_matches_the_directory(directory, authorities):
    changes = yaml.safe_load(data_file("authorities_2025.yml").read_text(encoding="utf-8"))
    in_directory = set(directory.codes)
    for code in changes["new"]:
        assert code in in_directory and authorities.name_of(code) == changes["new"][code]["name"]
    for code, entry in changes["retired"].items():
        assert code not in in_directory
        assert all(successor in in_directory for successor in entry["now"])
    named = {name: sorted(authorities.names[c] for c in entry["districts"])
             for name, entry in changes["combined_authorities"].items()}
    assert named["Greater Manchester"] == ["Bolton", "Bury", "Manchester", "Oldham", "Rochdale",
                                           "Salford", "Stockport", "Tameside", "Trafford",
                                           "Wigan"]
    assert named["West Yorkshire"] == ["Bradford", "Calderdale", "Kirklees", "Leeds",
                                       "Wakefield"]
    english_welsh = {c for c in in_directory if c and c[0] in "EW"}
    assert english_welsh <= set(authorities.names)  # every district placed has a name


def test_county_of_a_two_tier_district(authorities):
    assert authorities.county_of("E07000123").name == "Lancashire"
    assert authorities.county_of("E08000033") is None  # metropolitan: its own upper tier


# ---- distance --------------------------------------------------------------------------------

def test_within_a_distance_from_grid_references(directory):
    near = Boundary.within("5 miles of HX1 1QE")
    centre = directory.place(normalise_postcode("HX1 1QE"))
    for postcode in ("HX1 1QE", "BD1 1AA", "M1 1AE"):
        placed = directory.place(normalise_postcode(postcode))
        metres = math.hypot(placed.east - centre.east, placed.north - centre.north)
        assert near.contains(postcode) is (metres <= 5 * 1609.344)
    assert near.contains("BT1 1AA") is None  # Irish Grid: unknown under a distance rule
    assert Boundary.within("8 km", centre="HX1 1QE").distance.metres == 8000


def test_bad_distance_is_a_plain_message():
    with pytest.raises(InputError, match="5 miles"):
        Boundary.within("five miles of HX1 1QE")
    with pytest.raises(InputError, match="full postcode"):
        Boundary.within("5 miles")


# ---- the cache -------------------------------------------------------------------------------

def test_cache_folder_respects_settings(monkeypatch, tmp_path):
    monkeypatch.delenv("KEEPITLOCAL_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_folder() == tmp_path / "keepitlocal"
    monkeypatch.setenv("KEEPITLOCAL_CACHE", str(tmp_path / "own"))
    assert cache_folder() == tmp_path / "own"


def test_index_is_keyed_by_package_version(tmp_path):
    assert index_path("2026.1.1", tmp_path) != index_path("2026.2.0", tmp_path)
    assert "2026.2.0" in index_path("2026.2.0", tmp_path).name


def test_index_is_sorted_and_matches_a_letter_file(directory):
    from toolkit.inputs.directory import _package_files

    small = build_index([p for p in _package_files() if p.name == "postcodes_Z.msgpack.br"])
    assert (small["keys"][:-1] < small["keys"][1:]).all()
    first = small["keys"][0].decode()
    at = directory.positions([first])[0]
    assert directory.codes[directory.authority[at]] == str(small["codes"][small["authority"][0]])


# ---- commands and registry ------------------------------------------------------------------

def test_spend_by_council_name_without_a_lookup(tmp_path, capsys):
    payments = tmp_path / "p.csv"
    payments.write_text("Supplier Name,Amount,Supplier Postcode,Date\n"
                        "Halifax Co,100.00,HX1 1QE,01/04/2024\n"
                        "Keighley Co,50.00,BD20,02/04/2024\n"
                        "Manchester Co,30.00,M1 1AE,03/04/2024\n", encoding="utf-8")
    assert main(["spend", str(payments), "--local-authorities", "Bradford; Calderdale",
                 "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["local_pence"] == 10000 and data["unknown_pence"] == 5000
    entry = data["boundaries"][0]
    share = Boundary.from_authorities("Bradford").share("BD20")
    assert entry["codes"] == ["E08000032", "E08000033"] and entry["kind"] == "authority"
    assert entry["share_low"] == pytest.approx(100 / 180)
    assert entry["share_central"] == pytest.approx((100 + 50 * share) / 180)
    assert entry["share_high"] == pytest.approx(150 / 180)
    assert entry["directory_release"] == RELEASE and entry["attribution"] == ATTRIBUTION


def test_registry_boundary_by_local_authorities(tmp_path):
    book = tmp_path / "book.xlsx"
    book.write_text("")
    (tmp_path / "r.yml").write_text(yaml.safe_dump({"authorities": [{
        "id": "calderdale", "name": "Calderdale", "ons_code": "E08000033",
        "boundaries": [{"local_authorities": ["Calderdale"]},
                       {"name": "Five miles", "within": "5 miles of HX1 1QE"}],
        "organisations": [{"id": "o", "workbooks": ["book.xlsx"]}]}]}), encoding="utf-8")
    specs = load_registry(tmp_path / "r.yml").authorities[0].boundaries
    first, second = (as_boundary(spec) for spec in specs)
    assert first.name == "Calderdale" and first.kind == "authority"
    assert second.kind == "distance" and second.contains("HX1 1QE")


def test_lm3_inputs_share_agrees_with_local_and_unknowns_say_why():
    from conftest import SAMPLES
    from toolkit.inputs.settings import load_settings
    from toolkit.inputs.workbook import load_workbook

    book = SAMPLES / "calderdale" / "halifax-northgate-centre_2024-25.xlsx"
    boundary = Boundary.from_authorities("Calderdale")
    inputs = lm3_inputs(load_workbook(book), load_settings(), boundary)
    for frame, column in ((inputs.spending, "supplier_postcode"), (inputs.staff, "home_district")):
        for text, local, share in zip(frame[column], frame["local"], frame["local_share"],
                                      strict=True):
            if local is True:
                assert share == 1.0
            elif local is False and not math.isnan(share):
                assert share == 0.0
            elif local is None and isinstance(text, str) and text.strip() and math.isnan(share):
                reason = boundary.reason(text)
                assert any(reason in note for note in inputs.notes), (text, reason)


def test_a_boundary_pickles_without_the_index():
    import pickle

    calderdale = Boundary.from_authorities("Calderdale")
    again = pickle.loads(pickle.dumps(calderdale))
    assert len(pickle.dumps(calderdale)) < 100_000  # the pack cache keeps a reference only
    assert again.contains("HX1 1QE") is True and again.contains("M1 1AE") is False
