"""The app's three pages, driven through their widgets without a browser.

Each test fills a page's ``FileUpload`` with a sample file's bytes, clicks its buttons with
``button.click()`` and reads its output widgets; every expected figure is computed here from
the same inputs through the toolkit's own functions, not copied from the page.
Walks of the running app in a real browser are in ``tests/test_app_browser.py``.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import re
import zipfile
from pathlib import Path

import pytest

from conftest import SAMPLES
from toolkit import present
from toolkit.app import session

WORKBOOK = SAMPLES / "bradford" / "manningham-community-trust_2024-25.xlsx"
BROKEN = SAMPLES / "broken"
EXPORTS = SAMPLES / "exports"
PAYMENTS = SAMPLES / "calderdale" / "calderdale_payments_sample.csv"
SUPPLIERS = SAMPLES / "calderdale" / "calderdale_suppliers_sample.csv"
ILLUSTRATION = SAMPLES / "illustration_scenario.yml"


@pytest.fixture(autouse=True)
def own_sessions(tmp_path, monkeypatch):
    """Every test gets its own sessions folder, a fresh session and message area."""
    from toolkit.app import messages

    monkeypatch.setenv(session.ROOT_VARIABLE, str(tmp_path / "sessions"))
    monkeypatch.setattr(session, "_folder", None)
    monkeypatch.setattr(messages, "_area", None)


def upload_value(*paths: Path, contents: list[bytes] | None = None) -> tuple[dict, ...]:
    """A FileUpload value as ipywidgets 8 gives it, for files (or given bytes)."""
    contents = contents or [Path(p).read_bytes() for p in paths]
    when = dt.datetime(2025, 4, 1, tzinfo=dt.UTC)
    return tuple({"name": Path(p).name, "type": "", "size": len(c), "content": memoryview(c),
                  "last_modified": when} for p, c in zip(paths, contents, strict=True))


def text_of(markup: str) -> str:
    """The words of an HTML fragment, tags removed and entities decoded."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def downloaded(markup: str) -> dict[str, bytes]:
    """The files a page's download links carry, by name."""
    links = re.findall(r'download="([^"]+)" href="data:[^;]+;base64,([^"]+)"', markup)
    return {name: base64.b64decode(data) for name, data in links}


# --------------------------------------------------------------------- organisation


@pytest.fixture
def organisation_page():
    from toolkit.app.organisation import build_page

    return build_page().page


def checked(page, path: Path):
    page.workbook_box.value = upload_value(path)
    page.check_button.click()
    return page


def test_blank_workbook_is_the_template_with_instructions(organisation_page):
    import openpyxl

    organisation_page.template_button.click()
    files = downloaded(organisation_page.template_out.value)
    assert list(files) == ["keepitlocal-workbook.xlsx"]
    book = openpyxl.load_workbook(io.BytesIO(files["keepitlocal-workbook.xlsx"]))
    assert "Instructions" in book.sheetnames
    from toolkit.inputs.schema import TABLES

    assert {t.sheet for t in TABLES} <= set(book.sheetnames)


def test_workbook_problems_listed_and_warnings_must_be_accepted(organisation_page):
    from toolkit.inputs.workbook import read_workbook

    report = read_workbook(WORKBOOK).report
    assert report.warnings and not report.errors  # the sample has warnings to accept
    page = checked(organisation_page, WORKBOOK)
    words = text_of(page.problems_out.value)
    assert words.count("Warning") == len(report.warnings)
    for problem in report.warnings:
        assert f"sheet '{problem.sheet}'" in words
    page.figures_button.click()
    assert "tick the box" in text_of(page.figures_out.value)
    assert page.whatif is None


def test_council_of_the_workbook_is_chosen(organisation_page):
    from toolkit.inputs.workbook import read_workbook

    page = checked(organisation_page, WORKBOOK)
    chosen = page.area.by_label[page.area.council.value]
    assert chosen.code == read_workbook(WORKBOOK).la_code


def test_headline_lm3_and_its_range_as_the_pack_computes_them(organisation_page):
    from toolkit.inputs.settings import load_settings
    from toolkit.inputs.workbook import load_workbook
    from toolkit.measures.lm3 import lm3_from_workbook
    from toolkit.packs.sections import lm3_headline

    page = checked(organisation_page, WORKBOOK)
    page.accept_warnings.value = True
    page.figures_button.click()
    boundary = page.area.boundaries()[0]
    result = lm3_from_workbook(load_workbook(WORKBOOK), load_settings(), boundary)
    expected = lm3_headline(result)  # the pack's headline: LM3 with its full range
    assert expected.value == result.lm3 and expected.low <= result.lm3 <= expected.high
    words = text_of(page.figures_out.value)
    assert f"Local multiplier (LM3), {boundary.name}" in words
    shown_range = f"{present.ratio(expected.low)} to {present.ratio(expected.high)}"
    assert f"{present.ratio(result.lm3)} " in words and shown_range in words
    assert expected.labelled_range.endswith(shown_range)
    assert f"{present.ratio(result.lm3)} {expected.labelled_range}" in words
    assert "partly assumed" in words and "evidenced" in words


def test_whatif_slider_moves_lm3(organisation_page):
    from toolkit.inputs.settings import load_settings
    from toolkit.inputs.workbook import load_workbook
    from toolkit.measures.lm3 import lm3_inputs
    from toolkit.measures.whatif import run_whatif

    page = checked(organisation_page, WORKBOOK)
    page.accept_warnings.value = True
    page.figures_button.click()
    pick, share, _staff, out = page.whatif.children
    before = out.value
    share.value = 100.0
    assert out.value != before
    settings = load_settings()
    inputs = lm3_inputs(load_workbook(WORKBOOK), settings, page.area.boundaries()[0])
    expected = run_whatif(inputs, settings, pick.value, 1.0)
    assert page.whatif.last.new.lm3 == pytest.approx(expected.new.lm3)
    assert expected.new.lm3 > expected.today.lm3
    assert f"{expected.new.lm3:.3f}" in out.value


@pytest.mark.parametrize("name", ["text-in-numbers.xlsx", "negative-income.xlsx",
                                  "missing-sheet.xlsx"])
def test_broken_workbook_shows_its_errors_and_goes_no_further(organisation_page, name):
    from toolkit.inputs.workbook import read_workbook

    errors = read_workbook(BROKEN / name).report.errors
    assert errors
    page = checked(organisation_page, BROKEN / name)
    words = text_of(page.problems_out.value)
    assert words.count("Error") >= len(errors)
    for problem in errors:
        if problem.row is not None:
            assert f"row {problem.row}" in words
    assert "must be fixed first" in words
    page.accept_warnings.value = True
    page.figures_button.click()
    assert "must be fixed first" in text_of(page.figures_out.value)
    page.pack_button.click()
    assert "must be fixed first" in text_of(page.pack_out.value)


def test_a_text_file_named_xlsx_gets_a_message(organisation_page):
    page = checked(organisation_page, BROKEN / "not-a-workbook.xlsx")
    words = text_of(page.problems_out.value)
    assert "not-a-workbook.xlsx" in words and "not an Excel workbook" in words
    assert "Traceback" not in words and page.workbook is None


def test_exports_fill_a_workbook_and_list_answers_to_settle(organisation_page):
    from toolkit.imports.run import ImportOptions, import_exports, period_from

    page = organisation_page
    kinds = {"transactions": "xero_account_transactions.csv", "contacts": "xero_contacts.csv",
             "payroll": "payroll_summary.csv", "staff_survey": "staff_survey_responses.csv"}
    for kind, name in kinds.items():
        page.export_boxes[kind].value = upload_value(EXPORTS / name)
    page.year.value = "2024-25"
    page.import_button.click()
    expected = import_exports(ImportOptions(
        **{kind: [EXPORTS / name] for kind, name in kinds.items()},
        period=period_from("2024-25", None, None, None)))
    assert expected.unsettled  # the staff survey holds answers such as "not sure"
    words = text_of(page.import_out.value)
    for answer in expected.unsettled:
        assert answer.answer in words
    files = downloaded(page.import_out.value)
    from toolkit.inputs.workbook import read_workbook

    made = Path(session.session_folder()) / "check.xlsx"
    made.write_bytes(files["workbook-from-your-exports.xlsx"])
    spending = read_workbook(made).table("spending")
    assert len(spending) == len(expected.tables["spending"])


def test_unknown_export_columns_are_matched_from_its_own_headers(organisation_page):
    page = organisation_page
    page.export_boxes["transactions"].value = upload_value(
        EXPORTS / "other_package_transactions.csv")
    page.import_button.click()
    drops = page.mapping_boxes["transactions"]
    assert set(drops["date"].options) >= {"Txn date", "Payee", "Category", "Net"}
    assert page.import_out.value == ""
    for role, header in {"date": "Txn date", "supplier": "Payee", "account": "Category",
                         "amount": "Net"}.items():
        drops[role].value = header  # chosen from the file's own headers, never typed
    page.import_button.click()
    shown = page.import_out.value
    assert "Spending: 3 row(s) written." in shown and "Spending written: £3,427.40." in shown
    assert "Left out: 1 line(s), £5,000.00" in shown and "Every transactions file adds up" in shown
    assert "<details><summary>What went where, line by line" in shown
    files = downloaded(page.import_out.value)
    from toolkit.imports.run import ImportOptions, import_exports
    from toolkit.inputs.workbook import read_workbook

    mapping = {"date": "Txn date", "supplier": "Payee", "account": "Category", "amount": "Net"}
    expected = import_exports(ImportOptions(
        transactions=[EXPORTS / "other_package_transactions.csv"],
        mapping={"transactions": mapping}))
    made = Path(session.session_folder()) / "check.xlsx"
    made.write_bytes(files["workbook-from-your-exports.xlsx"])
    spending = read_workbook(made).table("spending")
    assert len(spending) == len(expected.tables["spending"]) > 0
    assert spending["amount"].sum() == pytest.approx(expected.tables["spending"]["amount"].sum())


def test_contacts_without_transactions_gets_a_message(organisation_page):
    page = organisation_page
    page.export_boxes["contacts"].value = upload_value(EXPORTS / "xero_contacts.csv")
    page.import_button.click()
    assert "upload the transactions file too" in text_of(page.import_out.value)


@pytest.mark.slow
def test_organisation_pack_zip_holds_html_pdf_and_tables(organisation_page):
    page = checked(organisation_page, WORKBOOK)
    page.accept_warnings.value = True
    page.pack_button.click()
    files = downloaded(page.pack_out.value)
    archive = zipfile.ZipFile(io.BytesIO(next(v for k, v in files.items()
                                              if k.endswith(".zip"))))
    suffixes = {Path(n).suffix for n in archive.namelist()}
    assert {".html", ".csv"} <= suffixes
    html_name = next(n for n in archive.namelist() if n.endswith(".html"))
    assert "Manningham" in archive.read(html_name).decode("utf-8")


# --------------------------------------------------------------------- spending


@pytest.fixture
def spending_page():
    from toolkit.app.spending import build_page

    return build_page().page


def test_spending_local_share_range_suppliers_vcse_and_rows(spending_page):
    from toolkit.spend.analysis import analyse_spending, share_range_words

    page = spending_page
    page.payments_box.value = upload_value(PAYMENTS)
    page.suppliers_box.value = upload_value(SUPPLIERS)
    page.area.council.value = "Calderdale"
    page.area.wider.value = "West Yorkshire"
    page.analyse_button.click()
    boundaries = page.area.boundaries()
    assert [b.name for b in boundaries] == ["Calderdale", "West Yorkshire"]
    result = analyse_spending([PAYMENTS], boundaries, SUPPLIERS)
    summary = result.summary()
    words = text_of(page.results_out.value)
    head = summary["headline"]
    assert share_range_words(head["local_share_low"], head["local_share_high"]) in words
    for boundary in head["boundaries"]:
        assert share_range_words(boundary["share_low"], boundary["share_high"]) in words
    assert result.top_suppliers(1)["supplier"].iloc[0] in words
    vcse = summary["vcse_sources"]["supplier_list_type"]["total"]
    assert present.money(vcse) in words
    assert f"{summary['rows']:,}" in words
    assert summary["periods"][0]["period"] in words


def test_spending_wrong_file_gets_a_message(spending_page):
    page = spending_page
    page.payments_box.value = upload_value(Path("payments.csv"),
                                           contents=[b"%PDF-1.4 not a payments file"])
    page.analyse_button.click()
    words = text_of(page.results_out.value)
    assert "'payments.csv' is a PDF document" in words and page.result is None
    page.payments_box.value = upload_value(WORKBOOK)  # a workbook, but not of payments
    page.analyse_button.click()
    words = text_of(page.results_out.value)
    assert "no header row found" in words and page.result is None


def test_spending_file_with_a_title_line_is_read(spending_page):
    from toolkit.spend.analysis import analyse_spending

    page = spending_page
    titled = "Payments over £500 April to June 2024\n\n".encode() + PAYMENTS.read_bytes()
    page.payments_box.value = upload_value(PAYMENTS, contents=[titled])
    page.analyse_button.click()
    assert page.result is not None
    expected = analyse_spending([PAYMENTS], page.area.boundaries()).summary()
    assert page.result.summary()["total_pence"] == expected["total_pence"]


def test_spending_typed_postcodes_and_no_file(spending_page):
    page = spending_page
    page.analyse_button.click()
    assert "No file was chosen" in text_of(page.results_out.value)
    page.payments_box.value = upload_value(PAYMENTS)
    page.area.how.value = "Postcode districts I type"
    page.area.postcodes.value = ""
    page.analyse_button.click()
    assert "Type the postcode districts" in text_of(page.results_out.value)
    page.area.postcodes.value = "HX1 HX2"
    page.analyse_button.click()
    assert page.result is not None and "postcodes HX1 HX2" in text_of(page.results_out.value)


# --------------------------------------------------------------------- options


@pytest.fixture
def options_page():
    from toolkit.app.options import build_page

    page = build_page().page
    page.weight_text.value = "0.2"  # METHODS §8's illustration
    return page


def form_appraisal(page):
    """The appraisal of the page's form, through the scenario reader and appraise."""
    from toolkit.app.options import form_scenario, write_scenario
    from toolkit.appraisal.appraise import appraise
    from toolkit.appraisal.scenario import load_scenario
    from toolkit.inputs.settings import load_settings

    data = form_scenario(page.service.value, page.years.value, page.weights(),
                         page.lambda_value(), [f.values() for f in page.option_forms])
    path = write_scenario(data, session.session_folder(), "expected.yml")
    return appraise(load_scenario(path), load_settings(), with_sensitivity=False)


def test_form_gives_both_break_even_premiums_with_their_words(options_page):
    page = options_page
    page.form_button.click()
    words = text_of(page.results_out.value)
    expected = form_appraisal(page)
    headline = expected.headline
    assert headline["break_even_words"] in words
    assert headline["break_even_scoring_words"] in words
    assert headline["switching_lambda_words"] in words


def test_lambda_slider_moves_the_break_even_premium(options_page):
    page = options_page
    page.form_button.click()
    before = page.last.headline["break_even_premium"]
    lam = next(c for s, c in zip(page.specs, page.controls, strict=True)
               if s.name == "local_value_weight")
    lam.value = 0.5
    after = page.last.headline["break_even_premium"]
    assert after > before
    assert page.last.headline["break_even_words"] in text_of(page.results_out.value)
    # The premium by lambda with v_0 = 0 (METHODS §8): (1 - l v_nat) / (1 - l v_loc) - 1,
    # with v = LM3 - 1 read from the page's own table.
    options = page.last.options.set_index("name")
    v_local = options.loc["Local provider", "lm3"] - 1
    v_national = options.loc["National provider", "lm3"] - 1
    if page.years.value == 1:
        assert after == pytest.approx((1 - 0.5 * v_national) / (1 - 0.5 * v_local) - 1)
    assert form_appraisal(page).headline["break_even_premium"] == pytest.approx(after)


def test_lambda_must_be_given_in_the_form(options_page):
    page = options_page
    page.weight_text.value = ""
    page.form_button.click()
    assert "Give lambda" in text_of(page.results_out.value) and page.scenario is None
    page.weight_text.value = "0.35"
    page.form_button.click()
    assert page.lambda_value() == pytest.approx(0.35)
    assert page.last.scenario.weight.value == pytest.approx(0.35)


def test_weights_that_do_not_add_up_get_a_message(options_page):
    page = options_page
    page.form_button.click()
    page.price_weight.value = 80
    page.quality_weight.value = 40
    assert "must add up to 100%" in text_of(page.results_out.value)
    page.quality_weight.value = 10
    assert "Social value weight: 10%" in text_of(page.social_words.value)
    assert page.last.scenario.weights == pytest.approx(
        {"price": 0.8, "quality": 0.1, "social_value": 0.1})


def test_sample_scenario_and_uploaded_scenario(options_page):
    from toolkit.appraisal.appraise import appraise
    from toolkit.appraisal.scenario import load_scenario
    from toolkit.inputs.settings import load_settings

    page = options_page
    page.upload.value = upload_value(ILLUSTRATION)
    page.upload_button.click()
    expected = appraise(load_scenario(ILLUSTRATION), load_settings(), with_sensitivity=False)
    assert page.last.headline["break_even_premium"] == pytest.approx(
        expected.headline["break_even_premium"])
    assert expected.headline["break_even_words"] in text_of(page.results_out.value)
    page.upload.value = upload_value(WORKBOOK)
    page.upload_button.click()
    assert "Choose one scenario file (.yml)" in text_of(page.results_out.value)
    page.upload.value = upload_value(Path("renamed.yml"), contents=[WORKBOOK.read_bytes()])
    page.upload_button.click()
    assert "is not a scenario file" in text_of(page.results_out.value)


SCENARIO_NAMING_A_WORKBOOK = """\
service: Advice (a test)
years: 1
weights: {price: 60%, quality: 30%, social_value: 10%}
local_value_weight: 0.2
boundary: {name: Bradford districts, postcodes: [BD1, BD2, BD3, BD8]}
options:
  - name: Manningham
    price: 100000
    quality: 70
    local_provider: yes
    evidenced: {workbook: "Manningham Community Trust 2024-25.xlsx"}
  - name: National
    price: 90000
    quality: 70
    local_provider: no
    assumed: {local_staff_share: 30%, local_supplier_share: 5%, head_office_share: 10%}
"""


def test_a_scenario_uploaded_with_the_workbook_it_names_uses_it(options_page, tmp_path):
    from toolkit.appraisal.appraise import appraise, gather_evidence
    from toolkit.appraisal.scenario import load_scenario
    from toolkit.inputs.settings import load_settings

    page = options_page
    scenario = SCENARIO_NAMING_A_WORKBOOK.encode()
    page.upload.value = upload_value(Path("advice.yml"), WORKBOOK, contents=[
        scenario, WORKBOOK.read_bytes()])
    page.upload.value = tuple({**e, "name": "Manningham Community Trust 2024-25.xlsx"}
                              if e["name"].endswith(".xlsx") else e for e in page.upload.value)
    page.upload_button.click()
    beside = tmp_path / "advice.yml"  # the same scenario, with the workbook beside it
    beside.write_bytes(scenario)
    (tmp_path / "Manningham Community Trust 2024-25.xlsx").write_bytes(WORKBOOK.read_bytes())
    settings = load_settings()
    opened = load_scenario(beside)
    expected = appraise(opened, settings, evidence=gather_evidence(opened, settings),
                        with_sensitivity=False)
    assert page.last is not None, text_of(page.results_out.value)
    assert page.last.headline["break_even_premium"] == pytest.approx(
        expected.headline["break_even_premium"])
    saved = Path(page.scenario.options[0].members[0].workbook)
    assert saved.parent == Path(session.session_folder())
    assert saved.name == "manningham-community-trust-2024-25.xlsx"


def test_a_scenario_missing_its_files_says_what_to_upload(options_page):
    page = options_page
    page.upload.value = upload_value(SAMPLES / "calderdale_youth_scenario.yml")
    page.upload_button.click()
    shown = text_of(page.results_out.value)
    assert "key 'registry'" in shown and "uploaded with it" in shown
    assert str(session.session_folder()) not in shown


def test_form_errors_come_from_the_scenario_reader(options_page):
    page = options_page
    page.option_forms[1].name.value = ""
    page.form_button.click()
    words = text_of(page.results_out.value)
    assert words.strip() and "Traceback" not in words
    assert page.scenario is None


@pytest.mark.slow
def test_appraisal_pack_uses_lambda_as_set(options_page):
    page = options_page
    page.upload.value = upload_value(ILLUSTRATION)
    page.upload_button.click()
    lam = next(c for s, c in zip(page.specs, page.controls, strict=True)
               if s.name == "local_value_weight")
    lam.value = 0.3
    page.pack_button.click()
    files = downloaded(page.pack_out.value)
    page_html = next(v for k, v in files.items() if k.endswith(".html")).decode("utf-8")
    assert "0.3" in text_of(page_html)


# --------------------------------------------------------------------- the area


def test_area_without_the_official_geography_says_so():
    from toolkit.app.area import (
        BY_DISTANCE,
        AreaPicker,
        official_geography,
        sample_councils,
    )
    from toolkit.inputs.errors import InputError
    from toolkit.inputs.registry import load_registry

    if official_geography():
        pytest.skip("the official geography is installed: councils are listed by name")
    picker = AreaPicker()
    registry = load_registry(SAMPLES / "authorities.yml")
    assert [c.label for c in picker.choices] == sorted(a.name for a in registry.authorities)
    assert picker.choices == sample_councils()
    assert "sample councils only" in picker.explanation()
    picker.how.value = BY_DISTANCE
    with pytest.raises(InputError, match="Distances need the official postcode directory"):
        picker.boundaries()


def test_area_council_and_its_wider_boundary_come_from_the_registry():
    from toolkit.app.area import AreaPicker, official_geography
    from toolkit.inputs.registry import load_registry

    if official_geography():
        pytest.skip("the official geography is installed: councils are drawn by code")
    picker = AreaPicker()
    calderdale = load_registry(SAMPLES / "authorities.yml").authority("calderdale")
    picker.council.value = calderdale.name
    picker.wider.value = calderdale.boundaries[1].name
    entries = picker.registry_boundaries()
    assert [e["postcodes"] for e in entries] == [sorted(b.postcodes)
                                                for b in calderdale.boundaries[:2]]


def test_a_council_offers_its_county_and_combined_authority_as_wider_areas():
    from toolkit.app.area import AreaPicker

    picker = AreaPicker()
    picker.council.value = "Preston"
    assert "Lancashire" in picker.wider.options
    picker.wider.value = "Lancashire"
    preston, lancashire = picker.boundaries()
    assert preston.contains("PR1 2HE") and lancashire.contains("BB5 1HD")
    assert not preston.contains("BB5 1HD")
