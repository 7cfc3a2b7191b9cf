"""Tests for the pack runner: a batch over a small registry, end to end, and its parts."""

from __future__ import annotations

import json
import os
import random
import shutil
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from toolkit.inputs.errors import InputError
from toolkit.inputs.workbook import write_workbook
from toolkit.packs import manifest as packs_manifest
from toolkit.packs import plan as packs
from toolkit.packs import render as packs_render
from toolkit.packs import runner as packs_runner
from toolkit.present import FICTIONAL_TEXT
from toolkit.samples.organisations import AUTHORITIES, organisation_tables

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples"
SCRIPT_NAME = "<script>alert('x')</script> Trust"


def _workbook(folder: Path, org_id: str, name: str, seed: int) -> str:
    rng = random.Random(seed)
    profile = {"size": 80_000.0, "thin_reserves": False, "thin_survey": False,
               "tenants": False}
    path = folder / f"{org_id}.xlsx"
    write_workbook(path, organisation_tables(rng, AUTHORITIES[0], name, org_id, "2024-25",
                                             profile))
    return path.name


def make_registry(folder: Path) -> Path:
    """Write a registry of one authority with a good, a script-named and a broken workbook."""
    folder.mkdir(parents=True, exist_ok=True)
    good = _workbook(folder, "good-trust", "Good Trust (fictional)", 1)
    script = _workbook(folder, "script-trust", SCRIPT_NAME, 2)
    shutil.copy(SAMPLES / "broken" / "text-in-numbers.xlsx", folder / "broken-trust.xlsx")
    (folder / "notes-trust.xlsx").write_text("These are my notes, not a workbook.\n")
    for name in ("bradford_payments_sample.csv", "bradford_suppliers_sample.csv"):
        shutil.copy(SAMPLES / "bradford" / name, folder / name)
    registry = {
        "fictional": True,
        "authorities": [{
            "id": "testshire", "name": "Testshire", "ons_code": "E08000032",
            "boundaries": [{"name": "Bradford district", "postcodes": ["BD"]}],
            "spending_files": ["bradford_payments_sample.csv"],
            "supplier_list": "bradford_suppliers_sample.csv",
            "organisations": [
                {"id": "good-trust", "workbooks": [good]},
                {"id": "script-trust", "workbooks": [script]},
                {"id": "broken-trust", "workbooks": ["broken-trust.xlsx"]},
                {"id": "notes-trust", "workbooks": ["notes-trust.xlsx"]},
                {"id": "gone-trust", "workbooks": ["gone-trust.xlsx"]},
            ]}],
    }
    path = folder / "authorities.yml"
    path.write_text(yaml.safe_dump(registry), encoding="utf-8")
    return path


# ---------------------------------------------------------------------------- fast tests


def test_slugify_makes_file_safe_names():
    assert packs.slugify("Manningham Trust") == "manningham-trust"
    assert packs.slugify("../../etc/passwd") == "etc-passwd"
    assert packs.slugify("<script>x</script>") == "script-x-script"
    with pytest.raises(InputError, match="no letters or digits"):
        packs.slugify("!!!")


def test_parameters_cell_must_hold_literals_only():
    assert packs.declared_parameters("a = 1\nb = 'x'\nc = [1, None]\n") == {
        "a": 1, "b": "x", "c": [1, None]}
    with pytest.raises(InputError, match="must be a literal"):
        packs.declared_parameters("a = len('abc')\n")
    with pytest.raises(InputError, match="only assign"):
        packs.declared_parameters("print('hi')\n")


def test_every_pack_notebook_has_a_parameters_cell_of_literals():
    for name in ("organisation.md", "authority.md", "network.md"):
        nb = packs.read_notebook(packs.notebooks_folder() / name)
        params = packs.declared_parameters(packs.parameters_cell(nb).source, name)
        assert {"tables_dir", "pack_slug", "registry_path"} <= set(params)


def test_plan_lists_network_authority_organisations_and_appraisals(tmp_path):
    registry = make_registry(tmp_path / "reg")
    (tmp_path / "reg" / "x_scenario.yml").write_text("service: x\n", encoding="utf-8")
    jobs = packs.plan_packs(registry)
    assert [j.id for j in jobs] == [
        "organisation/good-trust", "organisation/script-trust", "organisation/broken-trust",
        "organisation/notes-trust", "organisation/gone-trust",
        "appraisal/x-scenario", "authority/testshire", "network/network"]
    appraisal = jobs[5]
    assert appraisal.parameters["scenario_path"].endswith("x_scenario.yml")
    assert packs.select(jobs, ["good-trust"])[0].slug == "good-trust"
    with pytest.raises(InputError, match="No pack is called"):
        packs.select(jobs, ["nowhere"])


def test_pack_key_changes_with_an_input(tmp_path):
    registry = make_registry(tmp_path / "reg")
    job = packs.select(packs.plan_packs(registry, scenarios=[]), ["good-trust"])[0]
    versions = packs_manifest.package_versions()
    before = packs_manifest.pack_key(packs_runner.job_facts(job, "code", versions))
    assert before == packs_manifest.pack_key(packs_runner.job_facts(job, "code", versions))
    with open(job.inputs[0], "ab") as handle:
        handle.write(b"\0")
    assert before != packs_manifest.pack_key(packs_runner.job_facts(job, "code", versions))
    assert before != packs_manifest.pack_key(packs_runner.job_facts(job, "other", versions))


def test_atomic_write_and_leftover_temporary_files(tmp_path):
    target = tmp_path / "a" / "pack.html"
    packs_manifest.atomic_write_text(target, "done")
    assert target.read_text() == "done"
    mask = os.umask(0)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask  # an ordinary file, not 0600
    assert [p.name for p in target.parent.iterdir()] == ["pack.html"]
    leftover = packs_manifest.temporary_path(target)
    leftover.write_text("half")
    packs_manifest.temporary_folder(tmp_path, "x")
    (tmp_path / ".users-own.tmp").mkdir()  # not the runner's: left alone
    assert packs_manifest.remove_temporary_files(tmp_path) == 2
    assert not leftover.exists() and target.exists()
    assert [p.name for p in tmp_path.glob(".*")] == [".users-own.tmp"]


def test_page_escapes_the_title_and_marks_fictional_data():
    page = packs_render.page_html("<p>body</p>", SCRIPT_NAME, fictional=True)
    assert "<script>alert" not in page
    assert "&lt;script&gt;" in page
    assert "Fictional sample data" in page


def test_missing_pango_says_what_to_install(monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("cannot load library 'libpango-1.0-0'")

    packs_render.load_weasyprint.cache_clear()
    monkeypatch.setattr("builtins.__import__", _failing_import("weasyprint", broken))
    try:
        with pytest.raises(packs_render.PdfUnavailableError) as caught:
            packs_render.load_weasyprint()
    finally:
        monkeypatch.undo()
        packs_render.load_weasyprint.cache_clear()
    assert packs_render.PANGO_INSTALL in str(caught.value)
    assert "apt-get install -y libpango-1.0-0 libpangoft2-1.0-0" in str(caught.value)


def _failing_import(name, fail):
    real = __import__

    def fake(module, *args, **kwargs):
        if module == name:
            fail()
        return real(module, *args, **kwargs)

    return fake


def test_command_rejects_an_unknown_pack(tmp_path, capsys):
    from toolkit.cli import main

    registry = make_registry(tmp_path / "reg")
    code = main(["packs", "--registry", str(registry), "--out", str(tmp_path / "out"),
                 "--only", "nowhere"])
    assert code == 2
    assert "No pack is called 'nowhere'" in capsys.readouterr().err


# ---------------------------------------------------------------------------- a whole batch


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    folder = tmp_path_factory.mktemp("batch")
    registry = make_registry(folder / "reg")
    out = folder / "packs"
    jobs = packs.plan_packs(registry, scenarios=[])
    code = packs_manifest.code_digest()
    with pytest.MonkeyPatch.context() as patch:
        # The toolkit's hash is taken once: in a shared working tree others' edits to
        # toolkit/ between the two runs would otherwise (rightly) make the second run work.
        patch.setattr(packs_runner, "code_digest", lambda: code)
        first = packs_runner.run_packs(jobs, out, workers=2, progress=False)
        mtimes = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
        second = packs_runner.run_packs(jobs, out, workers=2, progress=False)
    return {"out": out, "first": first, "second": second, "mtimes": mtimes, "jobs": jobs}


def _made(batch):
    return [r for r in batch["first"].results if r.status == "ok"]


@pytest.mark.slow
def test_broken_workbook_fails_alone_with_the_checks_messages(batch):
    first = batch["first"]
    assert [r.id for r in first.failed] == ["organisation/broken-trust",
                                            "organisation/notes-trust",
                                            "organisation/gone-trust"]
    assert first.exit_code == 1
    reason = first.failed[0].reason
    assert "broken-trust.xlsx has" in reason and "error(s)" in reason
    assert "Traceback" not in reason and "File \"" not in reason
    text = first.text()
    assert "organisation/broken-trust" in text and "Failed:" in text
    assert {r.id for r in _made(batch)} == {"network/network", "authority/testshire",
                                            "organisation/good-trust",
                                            "organisation/script-trust"}


@pytest.mark.slow
def test_a_file_that_is_not_a_workbook_or_is_missing_fails_only_its_organisation(batch):
    reasons = {r.id: r.reason for r in batch["first"].failed}
    assert "notes-trust.xlsx" in reasons["organisation/notes-trust"]
    assert "could not be opened as an Excel workbook" in reasons["organisation/notes-trust"]
    assert "gone-trust.xlsx" in reasons["organisation/gone-trust"]
    made = {r.id for r in _made(batch)}
    assert {"authority/testshire", "network/network"} <= made
    html = (batch["out"] / "authorities" / "testshire.html").read_text(encoding="utf-8")
    assert "notes-trust: its workbook notes-trust.xlsx could not be read" in html
    assert "gone-trust: its workbook gone-trust.xlsx could not be read" in html
    assert str(batch["out"].parent) not in html  # files named by name, not by folder


def test_a_missing_workbook_does_not_stop_the_plan(tmp_path):
    jobs = packs.plan_packs(make_registry(tmp_path / "reg"), scenarios=[])
    assert "organisation/gone-trust" in {job.id for job in jobs}


@pytest.mark.slow
def test_authority_pack_leaves_out_the_broken_workbook_and_says_so(batch):
    html = (batch["out"] / "authorities" / "testshire.html").read_text(encoding="utf-8")
    assert "Left out of the figures below" in html
    assert "broken-trust: its workbook broken-trust.xlsx has" in html
    assert "income-weighted" in html and "average of" in html


@pytest.mark.slow
def test_every_pack_has_html_and_a_pdf_with_pages(batch):
    out = batch["out"]
    for result in _made(batch):
        html = out / result.outputs["html"]
        pdf = out / result.outputs["pdf"]
        assert html.exists() and pdf.exists()
        pages = PdfReader(str(pdf)).pages
        assert len(pages) >= 2
        for page in pages:  # the whole warning at the head of every page, once
            assert " ".join(page.extract_text().split()).count(FICTIONAL_TEXT) == 1


@pytest.mark.slow
def test_html_holds_no_code_cells(batch):
    for result in _made(batch):
        html = (batch["out"] / result.outputs["html"]).read_text(encoding="utf-8")
        assert "input_area" not in html and "jp-InputArea" not in html
        assert "import toolkit" not in html and "present.show" not in html
        assert "Traceback" not in html
        assert "<script" not in html.lower()


@pytest.mark.slow
def test_a_name_with_script_is_shown_as_text(batch):
    out = batch["out"]
    html = (out / "organisations" / "script-trust.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; Trust" in html
    assert "<script>alert" not in html
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;" in index and "<script>alert" not in index


@pytest.mark.slow
def test_tables_land_as_csv_beside_the_pack(batch):
    folder = batch["out"] / "organisations"
    names = {p.name for p in folder.glob("good-trust__*.csv")}
    assert {"good-trust__headlines.csv", "good-trust__lm3.csv",
            "good-trust__assumptions.csv"} <= names
    assert (batch["out"] / "authorities" / "testshire__organisations.csv").exists()
    spending = batch["out"] / "authorities" / "testshire__council-spending.csv"
    assert "Local share, low" in spending.read_text(encoding="utf-8")


@pytest.mark.slow
def test_packs_hold_no_staff_rows_or_people(batch):
    html = (batch["out"] / "organisations" / "good-trust.html").read_text(encoding="utf-8")
    for role in ("Centre manager", "Youth worker", "Finance officer"):
        assert role not in html
    assert "home_district" not in html


@pytest.mark.slow
def test_manifest_records_inputs_versions_and_timings(batch):
    manifest = json.loads((batch["out"] / "manifest.json").read_text(encoding="utf-8"))
    entry = manifest["packs"]["organisation/good-trust"]
    assert entry["status"] == "ok"
    assert len(entry["inputs"][0]["sha256"]) == 64
    assert entry["versions"]["papermill"] and entry["versions"]["toolkit"]
    assert entry["timings"]["execute"] > 0 and entry["timings"]["pdf"] > 0
    timings = entry["timings"]  # processor time the worker reported: its own and its kernel's
    assert timings["cpu_worker"] > 0
    assert timings["cpu"] == pytest.approx(timings["cpu_worker"] + (timings["cpu_kernel"] or 0),
                                           abs=0.002)
    assert entry["notebook"]["sha256"] and entry["toolkit_sha256"]
    assert entry["settings"]["values"]["lm3"]["seed"] == 2016
    assert manifest["packs"]["organisation/broken-trust"]["status"] == "failed"


@pytest.mark.slow
def test_no_file_of_the_run_names_the_folders_of_the_machine(batch):
    folder = str(batch["out"].parent / "reg")
    written = [p for p in batch["out"].rglob("*") if p.suffix in {".json", ".html", ".csv",
                                                                  ".log"}]
    assert any(p.name == "manifest.json" for p in written)
    for path in written:
        assert folder not in path.read_text(encoding="utf-8"), path
    manifest = json.loads((batch["out"] / "manifest.json").read_text(encoding="utf-8"))
    inputs = manifest["packs"]["organisation/good-trust"]["inputs"]
    assert inputs[0]["path"] == "good-trust.xlsx"


@pytest.mark.slow
def test_second_run_with_nothing_changed_does_no_work(batch):
    second = batch["second"]
    assert second.ran == []
    assert {r.status for r in second.results} == {"unchanged", "failed"}
    assert second.exit_code == 1
    after = {p: p.stat().st_mtime_ns for p in batch["mtimes"] if p.exists()}
    changed = [p for p, t in after.items() if t != batch["mtimes"][p]
               and p.name not in ("manifest.json", "index.html")]
    assert changed == []
    assert not list(batch["out"].rglob("*.tmp"))


@pytest.mark.slow
def test_without_pango_html_is_written_and_the_run_fails(tmp_path, monkeypatch):
    registry = make_registry(tmp_path / "reg")
    jobs = packs.select(packs.plan_packs(registry, scenarios=[]), ["good-trust"])

    def no_pdf(*args, **kwargs):
        raise packs_render.PdfUnavailableError(
            f"PDF not made: WeasyPrint could not load Pango. {packs_render.PANGO_INSTALL}")

    monkeypatch.setattr(packs_runner, "html_to_pdf", no_pdf)
    summary = packs_runner.run_packs(jobs, tmp_path / "out", workers=0, progress=False)
    result = summary.results[0]
    assert result.status == "html-only" and summary.exit_code == 1
    assert (tmp_path / "out" / "organisations" / "good-trust.html").exists()
    assert not (tmp_path / "out" / "organisations" / "good-trust.pdf").exists()
    assert packs_render.PANGO_INSTALL in summary.text()


def test_packs_no_longer_planned_are_removed_with_their_files(tmp_path):
    (tmp_path / "organisations").mkdir()
    old = tmp_path / "organisations" / "gone-trust.html"
    old.write_text("old")
    kept = tmp_path / "organisations" / "kept.html"
    kept.write_text("kept")
    entries = {"organisation/gone-trust": {"outputs": {"html": "organisations/gone-trust.html",
                                                       "tables": []}},
               "organisation/kept": {"outputs": {"html": "organisations/kept.html"}}}
    left = packs_runner._pruned(entries, {"organisation/kept"}, tmp_path)
    assert list(left) == ["organisation/kept"]
    assert not old.exists() and kept.exists()


@pytest.mark.slow
def test_command_reports_a_broken_workbook_in_plain_words(tmp_path, capsys):
    from toolkit.cli import main

    registry = make_registry(tmp_path / "reg")
    code = main(["packs", "--registry", str(registry), "--out", str(tmp_path / "out"),
                 "--only", "broken-trust", "--workers", "0", "--json"])
    assert code == 1
    report = json.loads(capsys.readouterr().out)
    assert report["exit_code"] == 1
    (pack,) = report["packs"]
    assert pack["status"] == "failed" and "broken-trust.xlsx has" in pack["reason"]
    assert "ERROR:" in pack["reason"] and "Traceback" not in pack["reason"]
    assert not (tmp_path / "out" / "organisations" / "broken-trust.html").exists()


# ---------------------------------------------------------------------------- pack content


def _lm3(r1, r2, r3, spend, local, assumed=()):
    from types import SimpleNamespace

    return SimpleNamespace(r1=r1, r2=r2, r3=r3, lm3=(r1 + r2 + r3) / r1, lm3_low=1.0,
                           lm3_high=3.0, spending_total=spend, spending_local=local,
                           local_share_of_spending=local / spend, assumed=list(assumed))


def test_combined_lm3_is_income_weighted_and_averaged_and_says_which():
    from toolkit.packs import combined as sections
    from toolkit.packs.inputs import Missing

    big = sections.OrganisationFigures("big", "Big", "2024-25", _lm3(900, 450, 90, 1000, 500),
                                       Missing("no staff"))
    small = sections.OrganisationFigures("small", "Small", "2024-25",
                                         _lm3(100, 80, 20, 100, 90, ["staff"]),
                                         Missing("no staff"))
    both = sections.combine_lm3([big, small])
    assert both["lm3_weighted"] == pytest.approx((1440 + 200) / 1000)
    assert both["lm3_average"] == pytest.approx((1.6 + 2.0) / 2)
    assert both["share_weighted"] == pytest.approx(590 / 1100)
    assert both["share_average"] == pytest.approx((0.5 + 0.9) / 2)
    assert both["assumed"] is True
    big.lm3.full_low, big.lm3.full_high = 0.9, 3.2
    both = sections.combine_lm3([big, small])
    # A result without a full range (older scripts' objects) falls back to its interval.
    assert both["lm3_weighted_full_low"] == pytest.approx((900 * 0.9 + 100 * 1.0) / 1000)
    assert both["lm3_weighted_full_high"] == pytest.approx((900 * 3.2 + 100 * 3.0) / 1000)
    headlines = sections.combined_headlines([big, small], "Testshire")
    weighted = next(h for h in headlines if h.label.startswith("LM3, income-weighted"))
    assert (weighted.low, weighted.high) == (both["lm3_weighted_full_low"],
                                             both["lm3_weighted_full_high"])
    assert "full range" in weighted.note and "survey intervals alone" in weighted.note
    labels = [h.label for h in headlines]
    assert "LM3, income-weighted across organisations" in labels
    assert "LM3, average of organisations' scores" in labels
    assert "Local share of spending, spend-weighted" in labels
    assert "Local share of spending, average of shares" in labels


def test_combined_lm3_with_no_organisations_is_not_evidenced():
    from toolkit.packs import combined as sections

    both = sections.combine_lm3([])
    assert both["lm3_weighted"] is None and both["lm3_average"] is None
    headlines = sections.combined_headlines([], "Nowhere")
    assert {h.basis for h in headlines if h.value is None} == {"not evidenced"}


def test_jobs_of_fewer_than_five_staff_are_suppressed():
    from types import SimpleNamespace

    from toolkit.packs import sections

    jobs = SimpleNamespace(staff_count=3, fte=2.5, fte_years=2.5, fte_local=1.0,
                           pay_total=60000.0, local_pay_share=0.4, living_wage_share=1.0,
                           living_wage_rate=12.6, boundary_name="Testshire", notes=[])
    table = sections.jobs_table(jobs)
    shown = " ".join(table["value"])
    assert "60,000" not in shown and "40%" not in shown and "2.5" not in shown
    assert "fewer than 5" in shown
    fte, pay = sections.jobs_headlines(jobs)
    assert fte.basis == pay.basis == "suppressed"


def test_top_suppliers_never_name_payments_to_individuals():
    import pandas as pd

    from toolkit.packs import combined as sections

    class Result:
        def top_suppliers(self, n):
            return pd.DataFrame({"rank": [1, 2], "supplier": ["Acme Ltd", "Jane Doe"],
                                 "total": [10.0, 5.0], "share": [0.6, 0.3],
                                 "location": ["local", "unknown"], "type": ["", ""],
                                 "marks": ["", "personal_budget"]})

    table = sections.top_suppliers_table(Result())
    assert "Jane Doe" not in table["Supplier"].tolist()
    assert "Acme Ltd" in table["Supplier"].tolist()
