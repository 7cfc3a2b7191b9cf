"""Staff and supplier questionnaires: matched to the workbook, every format, privacy notice."""

from __future__ import annotations

import re

import pytest

from toolkit.cli import main
from toolkit.inputs.errors import InputError
from toolkit.inputs.schema import PAY_BANDS, table
from toolkit.measures.surveys import FORMATS, questionnaire, render


@pytest.mark.parametrize("kind, key", [("staff", "staff_survey"),
                                       ("supplier", "supplier_survey")])
@pytest.mark.parametrize("fmt", FORMATS)
def test_questions_follow_the_workbook_columns(kind, key, fmt):
    form = questionnaire(kind, organisation="Test Trust", area="Bradford district")
    spec = table(key)
    assert [q.key for q in form.questions] == spec.keys
    text = render(form, fmt)
    for column in spec.columns:
        header = column.header.replace("'", "&#x27;") if fmt == "html" else column.header
        assert header in text
    assert spec.sheet in text
    assert "Bradford district" in text and "Test Trust" in text
    assert "$" not in text  # every placeholder filled


@pytest.mark.parametrize("fmt", FORMATS)
def test_staff_pay_bands_are_the_workbook_drop_down(fmt):
    text = render(questionnaire("staff"), fmt)
    for band in PAY_BANDS:
        assert band in text
    assert "take-home pay" in text


def test_staff_question_is_about_take_home_pay_and_supplier_about_local_staff_and_suppliers():
    staff = questionnaire("staff", area="Calderdale")
    supplier = questionnaire("supplier", area="Calderdale")
    assert "take-home pay" in staff.questions[1].text
    by_key = {q.key: q for q in supplier.questions}
    assert "businesses based in Calderdale" in by_key["spending_local"].text
    assert "staff who live in Calderdale" in by_key["wages_local"].text
    assert "staff costs" in by_key["staff_cost_share"].text
    assert "suppliers based in Calderdale" in by_key["local_share"].text


def test_staff_are_asked_where_they_live_and_the_pay_band_is_optional():
    form = questionnaire("staff", area="Calderdale")
    by_key = {q.key: q for q in form.questions}
    assert "live in Calderdale" in by_key["lives_locally"].text
    assert "postcode" in by_key["home_district"].text
    assert by_key["pay_band"].required is False and by_key["local_share"].required is True
    text = render(form, "text")
    assert "(optional): Which band is your pay" in text
    assert "Answer: Yes or no" in text


@pytest.mark.parametrize("kind", ["staff", "supplier"])
def test_privacy_notice_present_and_filled(kind):
    form = questionnaire(kind, organisation="Test Trust", contact="Ann, ann@example.org",
                         retention="by 31 March 2026")
    assert "voluntary" in form.privacy
    assert "ann@example.org" in form.privacy and "by 31 March 2026" in form.privacy
    assert "Privacy" in render(form, "text")


def test_staff_privacy_names_the_small_group_threshold():
    assert "fewer than 7 people" in questionnaire("staff", small_group=7).privacy


def test_placeholders_are_visible_when_not_given():
    text = render(questionnaire("supplier"), "text")
    assert "[your organisation]" in text and "[your local area]" in text


def test_html_escapes_user_text():
    page = render(questionnaire("staff", organisation="<script>x</script> & Co"), "html")
    assert "<script>x" not in page
    assert "&lt;script&gt;x&lt;/script&gt; &amp; Co" in page
    assert page.startswith("<!DOCTYPE html>")


def test_text_format_puts_each_option_on_its_own_line():
    lines = render(questionnaire("staff"), "text").splitlines()
    assert all(any(line.strip() == band for line in lines) for band in PAY_BANDS)
    questions = [line for line in lines if re.match(r"Question \d", line)]
    assert len(questions) == len(table("staff_survey").columns)


def test_bad_kind_and_format_are_clear_errors():
    with pytest.raises(InputError, match="staff or supplier"):
        questionnaire("volunteer")
    with pytest.raises(InputError, match="text, markdown, html"):
        render(questionnaire("staff"), "pdf")


def test_command_prints_and_writes(tmp_path, capsys):
    assert main(["questionnaire", "supplier", "--area", "Hackney"]) == 0
    assert "Hackney" in capsys.readouterr().out
    out = tmp_path / "staff.html"
    assert main(["questionnaire", "staff", "--format", "html", "--output", str(out)]) == 0
    assert "<h1>" in out.read_text(encoding="utf-8")
