"""Enabled contribution: tenants' jobs and GVA (gross and net), and use of assets."""

from __future__ import annotations

import json
import math
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from toolkit.inputs.errors import InputError
from toolkit.inputs.schema import TENANT_SECTORS, table
from toolkit.inputs.settings import load_settings
from toolkit.inputs.workbook import Workbook, read_workbook, write_workbook
from toolkit.measures.enabled import (
    ESTIMATED,
    EVIDENCED,
    NOT_EVIDENCED,
    PARTLY_ESTIMATED,
    PARTLY_EVIDENCED,
    assets_indicators,
    assets_summary,
    enabled_contribution,
    gva_ratio_table,
)


def make_wb(tenants=None, assets=None) -> Workbook:
    """A workbook in memory with only the sheets given (others absent)."""
    tables, present = {}, set()
    for key, rows in (("tenants", tenants), ("assets", assets)):
        if rows is None:
            continue
        frame = pd.DataFrame(rows, columns=table(key).keys)
        frame["row"] = range(2, len(frame) + 2)
        tables[key] = frame
        present.add(key)
    return Workbook(Path("book.xlsx"), tables=tables, present=present)


TENANTS = [
    # organisation, sector, fte, turnover, gva, local
    ("Cafe Co", "food and hospitality", 3.0, 120_000.0, None, True),
    ("Design Studio", "creative and digital", 2.5, None, 90_000.0, False),
    ("Counselling", "health and social care", 1.5, None, None, None),
    ("Ghost Ltd", "other", None, None, None, True),
]

ASSETS = [
    ("Main hall", 200.0, 40.0, 8_000.0),
    ("Meeting room", 25.0, 20.0, 1_000.0),
    ("Garden", None, 10.0, 500.0),
]


@pytest.fixture(scope="module")
def settings():
    return load_settings()


def test_hand_worked_enabled_contribution(settings):
    result = enabled_contribution(make_wb(TENANTS), settings)
    # FTE 3 + 2.5 + 1.5 = 7 (Ghost Ltd gives none).
    assert result.gross_fte == pytest.approx(7.0)
    # GVA: 120,000 x 0.40 (illustrative food and hospitality) + 90,000 own = 138,000.
    assert result.gross_gva == pytest.approx(138_000.0)
    assert result.gva_own == pytest.approx(90_000.0)
    assert result.gva_estimated == pytest.approx(48_000.0)
    # Net = gross x additionality 50% (25% to 75%).
    assert result.net_fte == pytest.approx({"value": 3.5, "low": 1.75, "high": 5.25})
    assert result.net_gva == pytest.approx({"value": 69_000.0, "low": 34_500.0,
                                            "high": 103_500.0})
    assert result.status == PARTLY_EVIDENCED
    assert result.tenants_without_fte == 1 and result.tenants_without_gva == 2
    assert result.ratios_illustrative


def test_every_tenant_is_kept_and_labelled(settings):
    result = enabled_contribution(make_wb(TENANTS), settings)
    assert list(result.tenants["organisation"]) == [t[0] for t in TENANTS]
    assert list(result.tenants["row"]) == [2, 3, 4, 5]
    sources = list(result.tenants["gva_source"])
    assert "illustrative" in sources[0] and "0.40" in sources[0]
    assert sources[1] == "tenant's own GVA figure"
    assert "no GVA and no turnover" in result.tenants["note"][2]
    assert "adds nothing" in result.tenants["note"][3]


def test_tenant_with_no_fte_and_no_turnover_is_warned_with_its_row(settings):
    result = enabled_contribution(make_wb(TENANTS), settings)
    warnings = [p for p in result.problems.warnings if "Ghost Ltd" in p.message]
    assert len(warnings) == 1
    assert warnings[0].row == 5 and warnings[0].sheet == "Tenants"
    assert "no FTE, turnover or GVA" in warnings[0].message


def test_gross_and_net_are_labelled_in_the_summary(settings):
    summary = enabled_contribution(make_wb(TENANTS), settings).summary_table()
    assert list(summary["measure"]) == ["Enabled jobs", "Enabled GVA"]
    assert summary["label"].str.contains("gross").all()
    assert summary["label"].str.contains("assumed additionality 50%").all()
    assert "illustrative" in summary["label"][1]
    assert "leaves out 2 tenant(s)" in summary["label"][1]


def test_workbook_without_tenants_sheet_is_not_evidenced(settings):
    result = enabled_contribution(make_wb(), settings)
    assert result.status == NOT_EVIDENCED and not result.evidenced
    assert result.gross_fte is None and result.net_gva is None
    assert "no Tenants sheet" in result.reason
    summary = result.summary_table()
    assert (summary["label"] == NOT_EVIDENCED).all()
    assert summary["gross"].isna().all()


def test_empty_tenants_sheet_is_not_evidenced(settings):
    result = enabled_contribution(make_wb(tenants=[]), settings)
    assert result.status == NOT_EVIDENCED
    assert "lists no organisations" in result.reason


def test_all_figures_given_is_evidenced(settings):
    wb = make_wb([("A", "retail", 2.0, 100_000.0, None, True),
                  ("B", "education", 1.0, None, 40_000.0, True)])
    result = enabled_contribution(wb, settings)
    assert result.status == EVIDENCED
    assert result.gross_gva == pytest.approx(100_000 * 0.20 + 40_000)
    local = result.by_local.set_index("tenants")
    assert local.loc["local", "fte"] == pytest.approx(3.0)
    assert local.loc["not local", "count"] == 0


def test_no_tenant_gives_fte_leaves_jobs_not_evidenced_not_zero(settings):
    wb = make_wb([("A", "retail", None, 100_000.0, None, True)])
    result = enabled_contribution(wb, settings)
    assert result.gross_fte is None and result.net_fte is None
    assert result.gross_gva == pytest.approx(20_000.0)
    assert result.summary_table()["label"][0] == NOT_EVIDENCED


def test_additionality_setting_changes_net_not_gross(settings):
    own = load_settings(overrides={"enabled": {"additionality": {"value": 0.4, "low": 0.2,
                                                                 "high": 0.6}}})
    base = enabled_contribution(make_wb(TENANTS), settings)
    changed = enabled_contribution(make_wb(TENANTS), own)
    assert changed.gross_gva == base.gross_gva
    assert changed.net_gva["value"] == pytest.approx(0.4 * base.gross_gva)
    assert changed.net_fte["low"] == pytest.approx(0.2 * 7.0)


def test_illustrative_ratio_table_covers_every_sector_and_says_so():
    ratios = gva_ratio_table()
    assert set(ratios["sector"]) == set(TENANT_SECTORS)
    assert ratios["source"].str.contains("illustrative").all()
    assert ratios["gva_to_turnover"].between(0, 1).all()
    assert ratios.attrs["illustrative"]


def test_user_ratio_file_is_used_and_named(tmp_path):
    file = tmp_path / "ratios.csv"
    file.write_text("sector,gva_to_turnover\nretail,0.25\nfood and hospitality,45%\n")
    own = load_settings(overrides={"enabled": {"gva_ratios": str(file)}})
    ratios = gva_ratio_table(own)
    assert dict(zip(ratios["sector"], ratios["gva_to_turnover"], strict=True)) == \
        pytest.approx({"retail": 0.25, "food and hospitality": 0.45})
    assert ratios["source"].str.contains("ratios.csv").all()


def test_sector_missing_from_user_ratio_file_gives_labelled_result(tmp_path):
    file = tmp_path / "ratios.csv"
    file.write_text("sector,gva_to_turnover\nretail,0.25\n")
    own = load_settings(overrides={"enabled": {"gva_ratios": str(file)}})
    wb = make_wb([("Cafe Co", "food and hospitality", 3.0, 120_000.0, None, True),
                  ("Shop", "retail", 1.0, 80_000.0, None, True)])
    result = enabled_contribution(wb, own)
    assert result.gross_gva == pytest.approx(20_000.0)  # the shop only
    assert math.isnan(result.tenants["gva"][0])
    assert "no GVA-to-turnover ratio for sector 'food and hospitality'" in \
        result.tenants["note"][0]
    warning = result.problems.warnings[0]
    assert warning.row == 2 and warning.column == "Sector"
    assert result.status == PARTLY_EVIDENCED
    assert not result.ratios_illustrative


@pytest.mark.parametrize(("text", "message"), [
    ("sector,gva_to_turnover\nbakery,0.3\n", "unknown sector 'bakery'"),
    ("sector,gva_to_turnover\nretail,1.4\n", "not a share from 0 to 1"),
    ("sector,gva_to_turnover\nretail,abc\n", "not a share from 0 to 1"),
    ("sector,ratio\nretail,0.3\n", "needs a column 'gva_to_turnover'"),
    ("sector,gva_to_turnover\nretail,0.3\nRetail,0.2\n", "appears twice"),
])
def test_bad_ratio_files_are_refused_with_file_and_row(tmp_path, text, message):
    file = tmp_path / "ratios.csv"
    file.write_text(text)
    with pytest.raises(InputError, match=message) as caught:
        gva_ratio_table(path=file)
    assert "ratios.csv" in str(caught.value)


def test_missing_ratio_file_is_a_clear_error(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        gva_ratio_table(path=tmp_path / "nope.csv")


def test_ratio_table_edited_in_a_notebook_is_used(settings):
    ratios = gva_ratio_table()
    ratios.loc[ratios["sector"] == "food and hospitality", "gva_to_turnover"] = 0.5
    result = enabled_contribution(make_wb(TENANTS), settings, ratios=ratios)
    assert result.gross_gva == pytest.approx(120_000 * 0.5 + 90_000)
    ratios.loc[0, "gva_to_turnover"] = 2.0
    with pytest.raises(InputError, match="not a share"):
        enabled_contribution(make_wb(TENANTS), settings, ratios=ratios)


def test_to_dict_is_json_ready(settings):
    data = enabled_contribution(make_wb(TENANTS), settings).to_dict()
    text = json.dumps(data, allow_nan=False)
    assert '"status": "partly evidenced"' in text
    assert data["tenants"][2]["gva"] is None
    assert data["additionality"]["assumed"] is True


@hsettings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(TENANT_SECTORS),
                          st.one_of(st.none(), st.floats(0, 50)),
                          st.one_of(st.none(), st.floats(0, 1e7)),
                          st.one_of(st.none(), st.floats(0, 1e7))), min_size=1, max_size=8))
def test_net_lies_inside_gross_and_span_is_ordered(rows):
    own = load_settings()
    wb = make_wb([(f"T{i}", s, f, t, g, True) for i, (s, f, t, g) in enumerate(rows)])
    result = enabled_contribution(wb, own)
    assert len(result.tenants) == len(rows)
    for gross, net in ((result.gross_fte, result.net_fte), (result.gross_gva, result.net_gva)):
        if gross is None:
            assert net is None
            continue
        assert 0 <= net["low"] <= net["value"] <= net["high"] <= gross + 1e-6


def test_assets_summary_hand_worked():
    frame = assets_summary(make_wb(assets=ASSETS))
    assert frame.attrs["status"] == EVIDENCED
    assert list(frame["asset"]) == ["Main hall", "Meeting room", "Garden", "Total"]
    assert frame["visits_per_m2"][0] == pytest.approx(40.0)
    assert math.isnan(frame["visits_per_m2"][2])  # no floor area: blank, not a division by 0
    total = frame.iloc[-1]
    assert total["floor_area"] == pytest.approx(225.0)
    assert total["hours_in_use"] == pytest.approx(70.0)
    assert total["visits"] == pytest.approx(9_500.0)
    assert total["visits_per_m2"] == pytest.approx(9_000 / 225)


def test_zero_floor_area_gives_no_ratio():
    frame = assets_summary(make_wb(assets=[("Cupboard", 0.0, 1.0, 10.0)]), total=False)
    assert math.isnan(frame["visits_per_m2"][0])


def test_assets_summary_without_sheet_is_not_evidenced():
    frame = assets_summary(make_wb())
    assert frame.empty and frame.attrs["status"] == NOT_EVIDENCED


def test_assets_indicators_shape(settings):
    out = assets_indicators(make_wb(TENANTS, ASSETS), settings)
    assert out["characteristic"] == "positive and productive use of local assets"
    keys = [i["key"] for i in out["indicators"]]
    assert keys == ["assets", "floor_area_m2", "space_hours_a_week", "visits_a_year",
                    "visits_per_m2_a_year", "tenants", "enabled_fte_gross",
                    "enabled_gva_gross", "enabled_fte_net", "enabled_gva_net"]
    by_key = {i["key"]: i for i in out["indicators"]}
    assert by_key["assets"]["value"] == 3
    assert by_key["enabled_gva_gross"]["value"] == pytest.approx(138_000.0)
    assert "£34,500 to £103,500" in by_key["enabled_gva_net"]["note"]
    assert out["status"] == PARTLY_EVIDENCED  # some tenants lack FTE or GVA
    assert any("leave them out" in note for note in out["notes"])
    json.dumps(out, allow_nan=False)


def test_assets_indicators_for_an_old_workbook_are_not_evidenced():
    out = assets_indicators(make_wb())
    assert out["status"] == NOT_EVIDENCED
    assert all(i["value"] is None for i in out["indicators"])
    assert len(out["notes"]) == 2


def test_real_workbook_round_trip_and_old_workbook_without_sheets(tmp_path, settings):
    tenants = [dict(zip(table("tenants").keys, row, strict=True)) for row in TENANTS]
    path = write_workbook(tmp_path / "book.xlsx", {"tenants": tenants})
    result = enabled_contribution(read_workbook(path), settings)
    assert result.gross_gva == pytest.approx(138_000.0)
    assert list(result.tenants["row"]) == [2, 3, 4, 5]
    # A workbook made before the Tenants and Assets sheets existed.
    book = openpyxl.load_workbook(path)
    for sheet in ("Tenants", "Assets"):
        del book[sheet]
    old = tmp_path / "old.xlsx"
    book.save(old)
    wb = read_workbook(old)
    assert enabled_contribution(wb, settings).status == NOT_EVIDENCED
    assert assets_summary(wb).attrs["status"] == NOT_EVIDENCED


def full_workbook(tmp_path, tenants=TENANTS, assets=ASSETS) -> Path:
    about = {"name": "Test Trust", "org_id": "test-trust", "la_code": "E08000032",
             "financial_year": "2024-25"}
    balance = dict.fromkeys(table("balance").keys, 0.0)
    rows = {"about": [about], "balance": [balance],
            "tenants": [dict(zip(table("tenants").keys, r, strict=True)) for r in tenants],
            "assets": [dict(zip(table("assets").keys, r, strict=True)) for r in assets]}
    return write_workbook(tmp_path / "book.xlsx", rows)


def test_command_prints_gross_and_net(tmp_path, capsys):
    from toolkit.cli import main

    path = full_workbook(tmp_path)
    assert main(["enabled", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Enabled jobs: 7.00 FTE gross; net 3.50 FTE (range 1.75 FTE to 5.25 FTE)" in out
    assert "Enabled GVA: £138,000 gross; net £69,000" in out
    assert "Ghost Ltd" in out and "Main hall" in out


def test_command_json(tmp_path, capsys):
    from toolkit.cli import main

    path = full_workbook(tmp_path)
    assert main(["enabled", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["enabled"]["gross_gva"] == pytest.approx(138_000.0)
    assert data["assets"]["indicators"][0]["value"] == 3


def test_gva_from_ratios_is_labelled_estimated_not_evidenced(settings):
    own = enabled_contribution(make_wb([("B", "education", 1.0, None, 40_000.0, True)]),
                               settings)
    assert own.gva_basis == EVIDENCED
    estimated = enabled_contribution(make_wb([("A", "retail", 2.0, 100_000.0, None, True)]),
                                     settings)
    assert estimated.gva_basis == ESTIMATED
    gva = estimated.summary_table().set_index("measure").loc["Enabled GVA"]
    assert gva["basis"] == ESTIMATED and "estimated" in gva["label"]
    assert "not evidenced" in gva["label"]
    mixed = enabled_contribution(make_wb(TENANTS), settings)
    assert mixed.gva_basis == PARTLY_ESTIMATED
    # £48,000 of £138,000 estimated
    assert f"{48_000 / 138_000:.0%} estimated" in mixed.summary_table()["label"][1]
    indicators = {i["key"]: i for i in assets_indicators(make_wb(TENANTS), settings)["indicators"]}
    assert indicators["enabled_gva_gross"]["status"] == PARTLY_ESTIMATED
    assert indicators["enabled_fte_gross"]["status"] == EVIDENCED


def test_gva_per_job_outside_the_plausible_band_is_flagged_with_its_row(settings):
    low = settings.value("enabled.gva_per_job_low")
    high = settings.value("enabled.gva_per_job_high")
    tenants = [("Tiny", "retail", 1.0, None, low / 2, True),          # below the band
               ("Fine", "education", 2.0, None, (low + high), True),  # (low+high)/2 per FTE
               ("Huge", "other", 0.5, None, high, True)]              # 2 x high per FTE
    result = enabled_contribution(make_wb(tenants), settings)
    assert [item["row"] for item in result.implausible] == [2, 4]
    assert result.implausible[0]["gva_per_fte"] == pytest.approx(low / 2)
    assert result.implausible[1]["gva_per_fte"] == pytest.approx(2 * high)
    warned = [p for p in result.problems.warnings if "plausible band" in p.message]
    assert [p.row for p in warned] == [2, 4] and warned[0].sheet == "Tenants"
    assert "below" in warned[0].message and "above" in warned[1].message
    assert result.gva_per_job == pytest.approx((low / 2 + low + high + high) / 3.5)
    narrow = load_settings(overrides={"enabled": {"gva_per_job_high": 10 * high}})
    assert [i["row"] for i in enabled_contribution(make_wb(tenants), narrow).implausible] == [2]


def test_halifax_tenant_gva_per_job_is_checked():
    from toolkit.inputs.workbook import load_workbook

    settings = load_settings()
    wb = load_workbook("data/samples/calderdale/halifax-northgate-centre_2024-25.xlsx")
    result = enabled_contribution(wb, settings)
    tenants = wb.table("tenants")
    ratios = gva_ratio_table(settings).set_index("sector")["gva_to_turnover"]
    per_job = tenants["turnover"] * tenants["sector"].map(ratios) / tenants["fte"]
    band = (settings.value("enabled.gva_per_job_low"), settings.value("enabled.gva_per_job_high"))
    outside = tenants.loc[(per_job < band[0]) | (per_job > band[1]), "row"].tolist()
    assert [item["row"] for item in result.implausible] == outside
    assert result.gva_basis == ESTIMATED
    data = json.loads(json.dumps(result.to_dict()))
    assert data["gva_basis"] == "estimated" and len(data["implausible_tenants"]) == len(outside)
