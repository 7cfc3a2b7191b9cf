"""The app's first page: your organisation's pack, from a blank workbook to a finished pack.

Steps, each a small function below and a section of the page:

1. a blank workbook (the template ``keepitlocal template`` writes, with its instructions);
2. or the workbook filled from accounting, contacts, payroll and survey exports
   (:mod:`toolkit.imports`): a file the importer does not recognise gets drop-downs of its
   own headers to say which column is which, and answers it could not read are listed;
3. the filled workbook checked (:func:`toolkit.inputs.workbook.read_workbook`): every
   problem with sheet, row and column; errors stop here, warnings can be accepted;
4. the area (:class:`toolkit.app.area.AreaPicker`);
5. the headline figures with their ranges, evidenced or assumed
   (:func:`toolkit.packs.sections.organisation_headlines`, as in the pack);
6. the what-if sliders (:func:`toolkit.measures.whatif.whatif_widget`, as in the pack);
7. the pack as HTML and A4 PDF with its CSV tables, by the packs' own runner.

References
----------
METHODS.md §1 (LM3, local jobs and pay), §3 (SROI), §4 (volunteering), §5 (financial
resilience), §6 (enabled contribution); docs/importing.md (the importer).
"""

from __future__ import annotations

import html
from pathlib import Path

from toolkit.app import layout
from toolkit.inputs.errors import InputError

#: Kinds of export, as the importer names them, with the words the page uses.
EXPORT_KINDS = {
    "transactions": "Accounting transactions (Xero, QuickBooks, Sage or any other)",
    "contacts": "Supplier contacts (their postcodes)",
    "payroll": "Payroll summary",
    "staff_survey": "Staff survey replies",
    "supplier_survey": "Supplier survey replies",
}

#: The drop-down choice for a role the file does not have.
NOT_IN_FILE = "(not in this file)"

#: The name of the workbook the importer writes in the session.
IMPORTED_NAME = "workbook-from-your-exports.xlsx"


# --------------------------------------------------------------------- 1. blank workbook


def blank_workbook(folder: Path) -> Path:
    """Write the template workbook (instructions and drop-down lists) into ``folder``.

    The same function as ``keepitlocal template``
    (:func:`toolkit.inputs.workbook.write_workbook` with no tables).
    """
    from toolkit.inputs.workbook import write_workbook

    return write_workbook(Path(folder) / "keepitlocal-workbook.xlsx")


# --------------------------------------------------------------------- 2. from exports


def export_roles(kind: str) -> tuple[str, ...]:
    """Return the column roles the importer reads for one kind of export."""
    from toolkit.imports.ledger import CONTACT_ROLES, TRANSACTION_ROLES
    from toolkit.imports.people import PAYROLL_ROLES, SURVEY_ROLES

    roles = {"transactions": TRANSACTION_ROLES, "contacts": CONTACT_ROLES,
             "payroll": PAYROLL_ROLES}
    return roles.get(kind, SURVEY_ROLES)


def file_headers(path: Path) -> list[str]:
    """Return a file's own column headers: the fullest of its first rows, as written.

    Title rows above the header (as exports often have) hold fewer cells, so the row with
    the most non-blank cells among the first twenty is taken to be the header row.
    """
    from toolkit.imports.formats import read_rows

    rows = read_rows(path)[:20]
    if not rows:
        return []
    fullest = max(rows, key=lambda row: sum(1 for cell in row if str(cell).strip()))
    return [str(cell).strip() for cell in fullest if str(cell).strip()]


def try_reading(kind: str, path: Path, mapping: dict[str, str] | None = None) -> str | None:
    """Read one export alone; return the importer's message when it cannot, else None."""
    from toolkit.imports.formats import ImportResult
    from toolkit.imports.ledger import CategoryMap, read_contacts, read_transactions
    from toolkit.imports.people import read_payroll, read_survey

    result = ImportResult()
    try:
        if kind == "transactions":
            read_transactions(path, result, CategoryMap(), mapping or None)
        elif kind == "contacts":
            read_contacts(path, result, mapping or None)
        elif kind == "payroll":
            read_payroll(path, result, mapping or None)
        else:
            read_survey(path, kind, result, mapping or None)
    except InputError as exc:
        return str(exc)
    return None


def import_exports(files: dict[str, list[Path]], mapping: dict[str, dict[str, str]],
                   year: str, folder: Path):
    """Import the exports into a new workbook in ``folder``; return it and the import.

    Parameters
    ----------
    files : dict
        Kind of export to its saved files.
    mapping : dict
        Kind to role to header text (what the user chose in the drop-downs).
    year : str
        The financial year studied, such as ``"2024-25"`` (lines outside it are left out),
        or blank to keep every dated line.
    folder : pathlib.Path
        Where the workbook is written.

    Returns
    -------
    (pathlib.Path, toolkit.imports.formats.ImportResult, dict)
        The workbook, the import, and what was written to each sheet.
    """
    from toolkit.imports.run import ImportOptions, merge_into_workbook, period_from
    from toolkit.imports.run import import_exports as run_import

    options = ImportOptions(**{kind: list(paths) for kind, paths in files.items()},
                            mapping=mapping, period=period_from(year.strip() or None,
                                                                None, None, None))
    result = run_import(options)
    target = Path(folder) / IMPORTED_NAME
    if target.exists():
        target.unlink()
    actions = merge_into_workbook(target, result)
    return target, result, actions


def unsettled_html(result) -> str:
    """Return the answers the importer could not read, for the user to settle, as HTML."""
    if not result.unsettled:
        return "<p>Every survey answer and payroll line could be read.</p>"
    rows = "".join(
        f"<tr><td>{html.escape(Path(u.file).name)}</td><td>{u.row}</td>"
        f"<td>{html.escape(u.column)}</td><td>{html.escape(str(u.answer))}</td>"
        f"<td>{html.escape(u.reason)}</td></tr>" for u in result.unsettled)
    return ("<p><strong>Answers to settle</strong>: these could not be read, so they were "
            "not written. Type a number for each into the workbook, or leave it out.</p>"
            "<table class='kil-unsettled'><tr><th>File</th><th>Row</th><th>Column</th>"
            f"<th>Answer</th><th>Why</th></tr>{rows}</table>")


def import_summary_html(result, workbook: Path, actions: dict) -> str:
    """Return what went where: a sentence per sheet, then the importer's own summary folded.

    Parameters
    ----------
    result : toolkit.imports.formats.ImportResult
        The import.
    workbook : pathlib.Path
        The workbook made.
    actions : dict
        What was written to each sheet (from :func:`import_exports`).

    Returns
    -------
    str
        Escaped HTML: plain sentences a non-specialist can read, and the line-by-line detail
        (every line used or left out, and why) in a closed ``<details>``.
    """
    from toolkit.imports.run import summary_dict, summary_text
    from toolkit.inputs.schema import table
    from toolkit.present import money

    data = summary_dict(result, workbook.name, actions)
    lines = [f"{table(key).sheet}: {info['rows']:,} row(s) written."
             for key, info in data["tables"].items()]
    if data["spending"]:
        lines.append(f"Spending written: {money(data['spending']['total'], 2)}.")
    if data["excluded"]:
        left = sum(e["amount"] for e in data["excluded"])
        lines.append(f"Left out: {len(data['excluded']):,} line(s), {money(left, 2)} "
                     "(transfers, lines outside the year and the like; each with its reason "
                     "below).")
    reconciled = all(f["reconciles"] for f in data["files"] if f["kind"] == "transactions")
    lines.append("Every transactions file adds up: lines used plus lines left out make its "
                 "total." if reconciled else "A transactions file does NOT add up: read the "
                 "detail below before you use the workbook.")
    items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
    detail = html.escape(summary_text(result, workbook.name, actions))
    return (f"<ul class='kil-import-summary'>{items}</ul><details><summary>What went where, "
            f"line by line</summary><pre class='kil-import'>{detail}</pre></details>")


# --------------------------------------------------------------------- 3. check


def check_workbook(path: Path):
    """Read and check a workbook; return it with its problems as HTML.

    Returns
    -------
    (toolkit.inputs.workbook.Workbook, str)
        The workbook (its ``report`` holds every problem) and
        :func:`toolkit.app.messages.show_problems` of that report.
    """
    from toolkit.app.messages import show_problems
    from toolkit.inputs.workbook import read_workbook

    wb = read_workbook(path)
    return wb, show_problems(wb.report)


def can_go_on(wb, warnings_accepted: bool) -> tuple[bool, str]:
    """Return whether the figures may be made from a checked workbook, and why not.

    Errors always stop; warnings stop until the user accepts them.
    """
    if wb.report.errors:
        count = len(wb.report.errors)
        return False, (f"{count} error{'s' if count != 1 else ''} must be fixed first: "
                       "correct the workbook and upload it again.")
    if wb.report.warnings and not warnings_accepted:
        return False, ("Read the warnings above; tick the box to accept them and go on, or "
                       "correct the workbook and upload it again.")
    return True, ""


# --------------------------------------------------------------------- 5. figures


def headline_figures(wb, settings, boundaries) -> list:
    """Return the pack's headline figures for a workbook and area, as the pack makes them.

    The same calls as the organisation pack's notebook (``notebooks/organisation.md``):
    LM3 for each boundary, jobs, finance, SROI, volunteering and enabled jobs, each
    through :func:`toolkit.packs.inputs.attempt` so that a missing part says why.
    """
    from toolkit.measures.enabled import enabled_contribution
    from toolkit.measures.finance import finance_from_workbook
    from toolkit.measures.jobs import jobs_from_workbook
    from toolkit.measures.lm3 import lm3_for_boundaries
    from toolkit.measures.sroi import sroi_from_workbook
    from toolkit.measures.volunteering import volunteering_value
    from toolkit.packs import sections
    from toolkit.packs.inputs import attempt

    lm3 = lm3_for_boundaries(wb, settings, boundaries)
    return sections.organisation_headlines(
        wb, lm3, attempt(jobs_from_workbook, wb, settings, boundaries[0]),
        attempt(finance_from_workbook, wb, settings), attempt(sroi_from_workbook, wb, settings),
        attempt(volunteering_value, wb, settings), attempt(enabled_contribution, wb, settings))


def figures_html(headlines) -> str:
    """Return the headlines as the pack shows them, with ranges and evidenced or assumed."""
    from toolkit import present

    return present.headlines_html(headlines)


# --------------------------------------------------------------------- 7. the pack


def organisation_pack(workbook: Path, boundaries: list[dict], folder: Path) -> Path:
    """Make the organisation's pack (HTML, PDF, CSV tables) in ``folder``; return its folder.

    Planned by :func:`toolkit.packs.plan.plan_organisation_pack`, as ``keepitlocal packs
    --workbook`` plans it, and made by the packs' runner.
    """
    from toolkit.packs.plan import plan_organisation_pack

    out = Path(folder) / "out"
    return layout.run_one_pack(plan_organisation_pack([workbook], boundaries, out), out)


# --------------------------------------------------------------------- the page


class OrganisationPage:
    """The page's widgets and what the user has done so far.

    Attributes
    ----------
    box : ipywidgets.VBox
        The whole page.
    workbook : toolkit.inputs.workbook.Workbook or None
        The checked workbook, once uploaded.
    whatif : ipywidgets.VBox or None
        The live what-if, once the figures are shown.
    """

    def __init__(self):
        import ipywidgets as widgets

        from toolkit.app.area import AreaPicker
        from toolkit.app.messages import message_area

        self.workbook = None
        self.workbook_path: Path | None = None
        self.whatif = None
        self.mapping_boxes: dict[str, dict[str, object]] = {}
        self.messages = message_area()
        self.template_button = layout.button("Make a blank workbook")
        self.template_out = widgets.HTML()
        self.export_boxes = {kind: layout.file_box(words, ".csv,.xlsx", multiple=True)
                             for kind, words in EXPORT_KINDS.items()}
        self.year = widgets.Text(description="Year", placeholder="such as 2024-25")
        self.import_button = layout.button("Fill a workbook from these exports")
        self.mapping_area = widgets.VBox()
        self.import_out = widgets.HTML()
        self.workbook_box = layout.file_box("Your filled workbook (.xlsx)", ".xlsx")
        self.check_button = layout.button("Check my workbook")
        self.problems_out = widgets.HTML()
        self.accept_warnings = widgets.Checkbox(
            description="I have read the warnings and want to go on", value=False,
            indent=False, layout=widgets.Layout(width="auto"))
        self.area = AreaPicker()
        self.figures_button = layout.button("Show the figures")
        self.figures_out = widgets.HTML()
        self.whatif_area = widgets.VBox()
        self.pack_button = layout.button("Make the pack (HTML, PDF and tables)")
        self.pack_out = widgets.HTML()
        self._connect()
        self._name_for_browsers()
        self.box = layout.page_box([self.messages, *self._steps()])

    def _steps(self) -> list:
        return [
            layout.step(1, "Start with a blank workbook",
                        "The workbook has a sheet for each part of your year (income, "
                        "spending, staff, surveys) and an Instructions sheet. Download it, "
                        "fill it in, and come back to step 3.",
                        self.template_button, self.template_out),
            layout.step(2, "Or fill it from your exports",
                        "Upload what your accounting, payroll and survey tools export. If a "
                        "file's columns are not recognised, choose which column is which "
                        "from its own headers. Then download the workbook, check it and "
                        "fill in the rest.",
                        *self.export_boxes.values(), self.year, self.import_button,
                        self.mapping_area, self.import_out),
            layout.step(3, "Check your workbook",
                        "Every problem is listed with its sheet, row and column. Errors "
                        "must be fixed before going on; warnings can be accepted.",
                        self.workbook_box, self.check_button, self.problems_out,
                        self.accept_warnings),
            layout.step(4, "Choose your area",
                        "The figures count money spent inside this area as local.",
                        self.area.box, self.figures_button),
            layout.step(5, "Your headline figures",
                        "Each figure gives its range and says whether it comes from your "
                        "own records (evidenced) or from an assumption you can change "
                        "(assumed).", self.figures_out),
            layout.step(6, "What if more were spent locally?",
                        "Move the sliders: LM3 is worked out again, with its range, as if "
                        "part of the spending in the chosen categories went to local "
                        "suppliers, or more of the staff lived locally.", self.whatif_area),
            layout.step(7, "Download your pack",
                        "The pack is the same report the command line makes: a web page, "
                        "an A4 PDF and its tables as CSV files, in one zip.",
                        self.pack_button, self.pack_out),
        ]

    def _name_for_browsers(self) -> None:
        """Give the controls CSS classes, so that a browser test (or a style) can find them."""
        named = {"kil-template": self.template_button, "kil-template-out": self.template_out,
                 "kil-import": self.import_button, "kil-import-out": self.import_out,
                 "kil-mapping": self.mapping_area,
                 "kil-workbook-upload": self.workbook_box, "kil-check": self.check_button,
                 "kil-problems-out": self.problems_out, "kil-accept": self.accept_warnings,
                 "kil-figures": self.figures_button, "kil-figures-out": self.figures_out,
                 "kil-whatif": self.whatif_area, "kil-pack": self.pack_button,
                 "kil-pack-out": self.pack_out}
        named.update({f"kil-export-{kind.replace('_', '-')}": box
                      for kind, box in self.export_boxes.items()})
        layout.name_for_browsers(named)

    def _connect(self) -> None:
        from toolkit.app.messages import guarded

        # Each step's messages show in its own output, where the user is looking.
        self.template_button.on_click(guarded(self.make_template, into=self.template_out))
        self.import_button.on_click(guarded(self.fill_from_exports, into=self.import_out))
        self.check_button.on_click(guarded(self.check, into=self.problems_out))
        self.accept_warnings.observe(guarded(self._accepted), names="value")
        self.figures_button.on_click(guarded(self.show_figures, into=self.figures_out))
        self.pack_button.on_click(guarded(self.make_pack, into=self.pack_out))

    # ------------------------------------------------------------------ callbacks

    def make_template(self, *_):
        """Write the blank workbook and offer it as a download."""
        from toolkit.app.downloads import download_link
        from toolkit.app.session import session_folder

        path = blank_workbook(session_folder())
        self.template_out.value = download_link(path, "Download the blank workbook (.xlsx)")

    def saved_exports(self) -> dict[str, list[Path]]:
        """Check and save every export uploaded; return the files by kind."""
        files = {kind: layout.save_table_uploads(box.value)
                 for kind, box in self.export_boxes.items() if layout.has_file(box)}
        if not files:
            raise InputError("Choose at least one export file first.")
        if "contacts" in files and "transactions" not in files:
            raise InputError("A contacts file gives postcodes for the suppliers of a "
                             "transactions export: upload the transactions file too.")
        return files

    def chosen_mapping(self) -> dict[str, dict[str, str]]:
        """Return the columns the user matched in the drop-downs, by kind and role."""
        return {kind: {role: drop.value for role, drop in drops.items()
                       if drop.value != NOT_IN_FILE}
                for kind, drops in self.mapping_boxes.items()}

    def fill_from_exports(self, *_):
        """Import the exports; ask for the columns of a file the importer cannot read."""
        from toolkit.app.downloads import download_link
        from toolkit.app.session import session_folder

        files = self.saved_exports()
        mapping = {k: v for k, v in self.chosen_mapping().items() if v}
        unread = {kind: message for kind, paths in files.items() for path in paths
                  if (message := try_reading(kind, path, mapping.get(kind)))}
        if unread:
            self.show_mapping(files, unread)
            return
        target, result, actions = import_exports(files, mapping, self.year.value,
                                                 session_folder())
        self.import_out.value = (
            download_link(target, "Download the workbook made from your exports (.xlsx)")
            + unsettled_html(result) + import_summary_html(result, target, actions))

    def show_mapping(self, files: dict[str, list[Path]], unread: dict[str, str]) -> None:
        """Show drop-downs of each unread file's own headers, one per column role."""
        import ipywidgets as widgets

        parts = []
        for kind, problem in unread.items():
            headers = file_headers(files[kind][0])
            old = self.mapping_boxes.get(kind, {})
            drops = {role: widgets.Dropdown(
                options=[NOT_IN_FILE, *headers], description=role.replace("_", " "),
                style={"description_width": "9em"},
                value=old[role].value if role in old and old[role].value in headers
                else NOT_IN_FILE) for role in export_roles(kind)}
            self.mapping_boxes[kind] = drops
            parts.append(widgets.HTML(
                f"<p><strong>{html.escape(EXPORT_KINDS[kind])}</strong>: the file's columns "
                "were not recognised. Choose which of its columns holds each thing, then "
                "press the button again.</p>"
                f"<details><summary>What the importer said</summary><pre>"
                f"{html.escape(problem)}</pre></details>"))
            parts.extend(drops.values())
        self.mapping_area.children = parts
        self.import_out.value = ""

    def check(self, *_):
        """Check the uploaded workbook and list its problems."""
        from toolkit.app.uploads import read_upload

        self.workbook = None
        self.figures_out.value = ""
        self.whatif_area.children = []
        self.accept_warnings.value = False
        upload = read_upload(self.workbook_box.value, ("xlsx",))
        wb, problems = check_workbook(upload.path)
        self.problems_out.value = problems
        self.workbook_path = upload.path
        self.workbook = wb
        self.area.choose_code(wb.la_code)
        ok, why = can_go_on(wb, False)
        if not ok:
            self.problems_out.value += layout.message(why, "error" if wb.report.errors
                                                      else "warning")

    def _accepted(self, *_):
        if self.workbook is not None and self.accept_warnings.value:
            self.problems_out.value = self.problems_out.value.replace(
                layout.message(can_go_on(self.workbook, False)[1], "warning"), "")

    def ready_workbook(self):
        """Return the checked workbook, or raise the reason the page cannot go on."""
        if self.workbook is None:
            raise InputError("Upload your workbook and check it first (step 3).")
        ok, why = can_go_on(self.workbook, self.accept_warnings.value)
        if not ok:
            raise InputError(why)
        return self.workbook

    def show_figures(self, *_):
        """Show the headline figures and the live what-if for the chosen area."""
        from toolkit.inputs.settings import load_settings
        from toolkit.measures.whatif import whatif_widget

        wb = self.ready_workbook()
        boundaries = self.area.boundaries()
        settings = load_settings()
        self.figures_out.value = figures_html(headline_figures(wb, settings, boundaries))
        self.whatif = whatif_widget(wb, settings, boundaries[0])
        self.whatif_area.children = [self.whatif]

    def make_pack(self, *_):
        """Make the pack and offer it (zip, HTML, PDF) as downloads."""
        from toolkit.app.session import session_folder

        self.ready_workbook()
        folder = session_folder() / "organisation-pack"
        folder.mkdir(exist_ok=True)
        pack = organisation_pack(self.workbook_path, self.area.registry_boundaries(), folder)
        self.pack_out.value = layout.pack_links(pack)


def build_page():
    """Return the organisation page as one widget (what ``organisation.ipynb`` displays).

    Returns
    -------
    ipywidgets.VBox
        Its ``page`` attribute is the :class:`OrganisationPage` behind it.
    """
    page = OrganisationPage()
    page.box.page = page
    return page.box
