import pytest
from hypothesis import given
from hypothesis import strategies as st

from toolkit.inputs.errors import InputError
from toolkit.inputs.geography import (
    Boundary,
    NestedBoundaries,
    PostcodeLookup,
    find_postcodes_in_text,
    is_eircode,
    is_uk_postcode,
    normalise_postcode,
    outside_uk_reason,
)


@pytest.mark.parametrize(
    "text, full",
    [("bd11aa", "BD1 1AA"), (" BD1  1AA ", "BD1 1AA"), ("EC1A1BB", "EC1A 1BB"),
     ("w1a 0ax", "W1A 0AX"), ("HX1\u00a01UJ", "HX1 1UJ"), ("M1 1AE", "M1 1AE")],
)
def test_full_postcodes_normalised(text, full):
    postcode = normalise_postcode(text)
    assert postcode.full == full
    assert postcode.kind == "full"
    assert postcode.sector == full[:-2]
    assert postcode.district == full.split()[0] == postcode.outward
    assert is_uk_postcode(text)


@pytest.mark.parametrize(
    "text, kind, district, sector",
    [("HX", "area", None, None), ("BD1", "district", "BD1", None),
     ("bd10", "district", "BD10", None), ("BD7 1", "sector", "BD7", "BD7 1")],
)
def test_partial_codes(text, kind, district, sector):
    postcode = normalise_postcode(text)
    assert (postcode.kind, postcode.district, postcode.sector) == (kind, district, sector)
    assert not is_uk_postcode(text)  # not a full postcode
    assert is_uk_postcode(text, partial=True)


@pytest.mark.parametrize(
    "text", ["", None, float("nan"), "VARIOUS", "various", "#N/A", "ONETIME", "D02 X285",
             "BD1 O1A", "12345", "REDACTED PERSONAL DATA"],
)
def test_not_uk_postcodes(text):
    assert not is_uk_postcode(text)
    assert normalise_postcode(text, partial=False) is None


def test_crown_dependencies_not_uk():
    postcode = normalise_postcode("JE2 3AB")
    assert postcode.full == "JE2 3AB" and not postcode.in_uk
    assert not is_uk_postcode("JE2 3AB")
    assert "Crown" in outside_uk_reason("JE2 3AB")


def test_eircodes():
    assert is_eircode("D02 X285") and is_eircode("a65f4e2") and is_eircode("D6W 1234")
    assert not is_eircode("BD1 1AA")
    assert "Eircode" in outside_uk_reason("D02X285")
    assert outside_uk_reason("VARIOUS") is None
    assert outside_uk_reason("BD1 1AA") is None
    assert outside_uk_reason("1 High St, Belfast, Northern Ireland") is None
    assert outside_uk_reason("5 Main St, Cork, Ireland") == "address in Ireland"


def test_boundary_districts_matched_whole():
    boundary = Boundary.from_codes("Bradford centre", ["BD1", "HX", "BD7 1"])
    assert boundary.contains("BD1 1AA") is True
    assert boundary.contains("BD10 1AA") is False
    assert boundary.contains("BD7 1XY") is True
    assert boundary.contains("BD7 2XY") is False
    assert boundary.contains("HX3 5AB") is True
    assert boundary.contains("LS1 1AA") is False
    assert boundary.contains("HX") is True
    assert boundary.contains("BD1") is True


@pytest.mark.parametrize("text", ["", None, "VARIOUS", "D02 X285", "not a postcode", "JE2 3AB",
                                  "BD7", "BD"])
def test_boundary_unknown(text):
    boundary = Boundary.from_codes("b", "BD1 HX BD7 1")
    assert boundary.contains(text) is None


def test_boundary_from_string_with_sectors():
    boundary = Boundary.from_codes("b", "BD1 BD2, HX BD7 1 OL14 7AA")
    assert boundary.codes["sector"] == {"BD7 1"}
    assert boundary.codes["full"] == {"OL14 7AA"}
    assert boundary.codes["district"] == {"BD1", "BD2"}
    assert boundary.contains("OL14 7AA") is True
    assert boundary.contains("OL14 7AB") is False
    assert boundary.contains("OL14 7") is None


def test_boundary_bad_code():
    with pytest.raises(InputError, match="ZZZ9"):
        Boundary.from_codes("b", ["BD1", "ZZZ9"])
    with pytest.raises(InputError):
        Boundary.from_codes("b", [])


def test_lookup_places_full_postcodes_exactly(tmp_path):
    path = tmp_path / "onspd.csv"
    path.write_text("pcd,pcds,oslaua,other\nHX1 1UJ ,HX1 1UJ,E08000033,x\n"
                    "BD131AA,BD13 1AA,E08000032,y\nOL147AA,OL14 7AA,E08000033,z\n")
    lookup = PostcodeLookup.from_csv(path)
    assert len(lookup) == 3
    assert lookup.la_code("bd131aa") == "E08000032"
    calderdale = Boundary.from_la_codes("Calderdale", ["E08000033"], lookup)
    assert calderdale.contains("HX1 1UJ") is True
    assert calderdale.contains("OL14 7AA") is True
    assert calderdale.contains("BD13 1AA") is False
    assert calderdale.contains("HX2 9ZZ") is None  # not in the lookup: cannot be placed
    mixed = Boundary.from_codes("Calderdale+", ["HX"], la_codes=["E08000033"], lookup=lookup)
    assert mixed.contains("HX2 9ZZ") is True
    assert mixed.contains("BD13 1AA") is False


def test_lookup_missing_columns(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(InputError, match="bad.csv"):
        PostcodeLookup.from_csv(path)


def test_la_codes_need_lookup():
    with pytest.raises(InputError, match="lookup"):
        Boundary.from_codes("b", [], la_codes=["E08000033"])


def test_nested_classify():
    local = Boundary.from_codes("Calderdale", "HX OL14")
    wider = Boundary.from_codes("West Yorkshire", "HX OL14 BD LS HD WF")
    nested = NestedBoundaries([local, wider])
    assert nested.classify("HX1 1UJ") == "local"
    assert nested.classify("BD1 1AA") == "wider"
    assert nested.classify("M1 1AE") == "rest_of_uk"
    assert nested.classify("D02 X285") == "outside_uk"
    assert nested.classify("GY1 1AA") == "outside_uk"
    assert nested.classify("VARIOUS") == "unknown"
    assert nested.classify("") == "unknown"
    assert nested.classify("OL") == "unknown"  # too coarse: OL14 is in, OL1 is not
    assert nested.categories == ["local", "wider", "rest_of_uk", "outside_uk", "unknown"]


def test_postcodes_in_text():
    found = find_postcodes_in_text("CALDERDALE MBC - HALIFAX HX1 1UJ / bd11aa")
    assert [p.full for p in found] == ["HX1 1UJ", "BD1 1AA"]
    assert find_postcodes_in_text("ACME 2000 LIMITED") == []


_letters = st.sampled_from("ABDEFGHJLNPQRSTUWXYZ")


@given(st.sampled_from(["BD", "HX", "M", "LS", "OL", "EC"]), st.integers(1, 29),
       st.integers(0, 9), _letters, _letters)
def test_roundtrip_any_spacing_and_case(area, number, digit, a, b):
    full = f"{area}{number} {digit}{a}{b}"
    for variant in (full, full.replace(" ", ""), full.lower(), f"  {full}  "):
        assert normalise_postcode(variant).full == full
    boundary = Boundary.from_codes("b", [f"{area}{number}"])
    assert boundary.contains(full) is True
    near = number * 10 if number < 10 else number // 10  # BD1 against BD10, BD12 against BD1
    other = Boundary.from_codes("o", [f"{area}{near}"])
    assert other.contains(full) is False


_pool = st.sampled_from(["BD", "HX", "BD1", "BD10", "BD7 1", "BD7 2", "HX1 1UJ", "LS6", "M1"])


@given(st.lists(_pool, min_size=1, max_size=5),
       st.sampled_from(["BD", "HX", "LS", "M"]), st.sampled_from(["1", "7", "10", "6"]),
       st.integers(0, 9), _letters, _letters)
def test_contains_agrees_with_codes(codes, area, district, digit, a, b):
    full = f"{area}{district} {digit}{a}{b}"
    postcode = normalise_postcode(full)
    expected = any(normalise_postcode(c).code(normalise_postcode(c).kind)
                   == postcode.code(normalise_postcode(c).kind) for c in codes)
    assert Boundary.from_codes("b", codes).contains(full) is expected


def test_lookup_from_text_and_rows():
    lookup = PostcodeLookup.from_text("postcode,lad\nbd1 1aa,E08000032\nnonsense,X\n")
    assert lookup.mapping == {"BD1 1AA": "E08000032"}
    with pytest.raises(InputError):
        PostcodeLookup.from_text("a,b\n1,2\n")
