"""The authority registry and the settings file: validation with named keys."""

from __future__ import annotations

import pytest

from conftest import REGISTRY
from toolkit.inputs.errors import InputError
from toolkit.inputs.registry import load_registry, slugify
from toolkit.inputs.settings import load_settings


def test_sample_registry_lists_six_pilot_authorities():
    registry = load_registry(REGISTRY)
    assert [a.name for a in registry.authorities] == [
        "Bradford", "Bristol", "Calderdale", "Dorset", "Hackney", "Shropshire"]
    codes = {a.name: a.ons_code for a in registry.authorities}
    assert codes["Bradford"] == "E08000032" and codes["Hackney"] == "E09000012"
    for authority in registry.authorities:
        assert 3 <= len(authority.organisations) <= 5
        assert all(book.exists() for org in authority.organisations for book in org.workbooks)
    assert registry.authority("hackney").london and not registry.authority("dorset").london


def test_registry_problems_name_the_key(tmp_path):
    path = tmp_path / "r.yml"
    path.write_text(
        "authorities:\n"
        "  - id: Bad Id\n    name: X\n    ons_code: X1\n"
        "    organisations:\n      - id: a\n        workbooks: [missing.xlsx]\n"
        "  - id: y\n    name: Y\n    ons_code: E06000023\n"
        "    organisations:\n      - id: a\n        workbooks: [r.yml]\n")
    with pytest.raises(InputError) as info:
        load_registry(path)
    text = str(info.value)
    assert "authorities[0].id" in text and "authorities[0].ons_code" in text
    assert "used twice" in text


def test_a_missing_workbook_is_a_warning_so_the_other_packs_are_made(tmp_path):
    path = tmp_path / "r.yml"
    path.write_text(
        "authorities:\n"
        "  - id: y\n    name: Y\n    ons_code: E06000023\n"
        "    organisations:\n      - id: a\n        workbooks: [missing.xlsx]\n")
    registry = load_registry(path)
    (warning,) = registry.report.warnings
    assert warning.column == "authorities[0].organisations[0].workbooks[0]"
    assert "does not exist" in warning.message
    assert registry.authority("y").organisations[0].latest.name == "missing.xlsx"


def test_registry_boundary_by_council_names(tmp_path):
    path = tmp_path / "r.yml"
    path.write_text(
        "authorities:\n"
        "  - id: y\n    name: Y\n    ons_code: E06000023\n"
        "    boundaries:\n      - local_authorities: [Calderdale]\n"
        "      - {name: County, local_authorities: Lancashire, level: county}\n"
        "      - {name: Near, within: 5 miles of HX1 1QE}\n"
        "    organisations:\n      - id: a\n        workbooks: [r.yml]\n")
    specs = load_registry(path).authorities[0].boundaries
    assert specs[0].local_authorities == ("Calderdale",) and specs[0].name == ""
    assert specs[1].local_authorities == ("Lancashire",) and specs[1].level == "county"
    assert specs[2].within == "5 miles of HX1 1QE"


def test_registry_boundary_problems_name_the_key(tmp_path):
    path = tmp_path / "r.yml"
    path.write_text(
        "authorities:\n"
        "  - id: y\n    name: Y\n    ons_code: E06000023\n"
        "    boundaries:\n      - local_authorities: [Calderdle]\n      - {name: Empty}\n"
        "    organisations:\n      - id: a\n        workbooks: [r.yml]\n")
    with pytest.raises(InputError) as info:
        load_registry(path)
    text = str(info.value)
    assert "boundaries[0].local_authorities[0]" in text and "Calderdale" in text
    assert "boundaries[1]" in text and "local_authorities" in text


def test_slugs_are_safe():
    assert slugify("<script>alert(1)</script> Trust") == "script-alert-1-script-trust"
    assert slugify("../../etc") == "etc"


def test_settings_merge_and_validate(tmp_path):
    own = tmp_path / "s.yml"
    own.write_text("lm3:\n  take_home_share: 0.78\n  seed: 1\nboundary:\n  postcodes: [BD1]\n")
    settings = load_settings(own)
    assert settings.central("lm3.take_home_share") == 0.78
    assert settings.span("lm3.take_home_share") == (0.75, 0.85)
    assert settings.value("boundary.postcodes") == ["BD1"]
    table = settings.assumptions()
    row = table.set_index("setting").loc["lm3.take_home_share"]
    assert bool(row["changed"]) and "unchecked" in row["source"]


def test_settings_errors_name_file_and_key(tmp_path):
    own = tmp_path / "s.yml"
    own.write_text("lm3:\n  take_home_share: {value: 1.5, low: 0.2, high: 0.9}\n  nonsense: 1\n")
    with pytest.raises(InputError) as info:
        load_settings(own)
    text = str(info.value)
    assert "lm3.nonsense" in text and "lm3.take_home_share.value" in text and "s.yml" in text


def test_plain_value_over_a_range_must_stay_inside_it(tmp_path):
    own = tmp_path / "s.yml"
    own.write_text("lm3:\n  take_home_share: 0.7\n")
    with pytest.raises(InputError, match="order"):
        load_settings(own)


def test_assumptions_state_the_boundary_as_chosen():
    from toolkit.inputs.directory import geography_attribution
    from toolkit.inputs.geography import Boundary

    chosen = [Boundary.from_authorities("Calderdale"), Boundary.from_codes("West", "BD HX")]
    table = load_settings().assumptions(chosen)
    first = table.iloc[0]
    assert first["setting"] == "boundary"
    assert "Calderdale (E08000033)" in first["value"] and "November 2025" in first["value"]
    assert "BD HX" in first["value"]
    assert "(not set)" not in set(table.loc[table["setting"].str.startswith("boundary"),
                                            "value"])
    assert "Open Government Licence" in geography_attribution(chosen)
    assert geography_attribution(chosen[1:]) is None  # no directory used, no attribution


def _every_yaml_file():
    """Every YAML file the toolkit ships or reads as a sample."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    return sorted([*root.glob("toolkit/data/*.yml"), *root.glob("data/samples/**/*.yml"),
                   root / "_config.yml", root / "_toc.yml"])


def test_the_fast_yaml_loader_gives_pyyaml_s_own_values():
    import yaml

    from toolkit.inputs import yaml_files

    files = _every_yaml_file()
    assert len(files) >= 8
    assert yaml_files.FAST_LOADER is yaml.CSafeLoader  # PyYAML's wheels carry libyaml
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert yaml_files.safe_load(text) == yaml.safe_load(text), path.name
        with open(path, encoding="utf-8") as handle:
            assert yaml_files.safe_load(handle) == yaml.safe_load(text), path.name


@pytest.mark.parametrize("text", ["a: [1, 2\nb: 3\n", "a: b: c\n", "key: 'open\n",
                                  "- a\nb: c\n", "\tkey: value\n"])
def test_yaml_that_does_not_parse_gets_pyyaml_s_own_message_and_line(text):
    import yaml

    from toolkit.inputs import yaml_files

    with pytest.raises(yaml.YAMLError) as fast:
        yaml_files.safe_load(text)
    with pytest.raises(yaml.YAMLError) as plain:
        yaml.safe_load(text)
    assert str(fast.value) == str(plain.value)
    assert type(fast.value) is type(plain.value)


def test_a_settings_file_that_is_not_yaml_is_named_with_its_line(tmp_path):
    from toolkit.inputs.errors import Report
    from toolkit.inputs.settings import read_yaml_mapping

    path = tmp_path / "my-settings.yml"
    path.write_text("lm3:\n  assumed_respend_staff: 0.5\n  oops: [1, 2\n", encoding="utf-8")
    report = Report()
    assert read_yaml_mapping(path, report) == {}
    problem = report.errors[0]
    assert "not valid YAML" in problem.text()
    assert "expected ',' or ']'" in problem.text()  # PyYAML's words, not libyaml's
    assert problem.row == 4  # where the file ends with the list still open
