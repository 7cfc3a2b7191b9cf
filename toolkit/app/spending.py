"""The app's second page: a council's spending, from its published payments files.

Steps: upload one or more payments files as the council publishes them, and optionally a
supplier list; choose the boundary (and a wider one); see the local share with its range,
each boundary, the periods compared, the top suppliers, VCSE spend by source and the rows
not used (:func:`toolkit.spend.analysis.analyse_spending` and its ``summary()``); download
the pack, made by the packs' own runner (the authority pack's notebook).

References
----------
METHODS.md §2 (CLES spend analysis: unknown shown as unknown, the local share as a range,
spend-weighted shares; VCSE by source).
"""

from __future__ import annotations

import html
from pathlib import Path

from toolkit.app import layout
from toolkit.inputs.errors import InputError

#: How many suppliers the page lists (the analysis and the pack keep them all).
TOP_SHOWN = 10

#: VCSE sources as the page names them.
VCSE_WORDS = {
    "supplier_list_type": "Your supplier list says so",
    "file_columns": "The file's own charity or VCSE columns",
    "expense_type": "The expense type (such as 'Voluntary Associations')",
    "name_signs_low_confidence": "Signs in the name only (charity, CIC, trust...): low "
                                 "confidence",
}


def analyse(files: list[Path], boundaries: list, supplier_list: Path | None = None):
    """Return the spend analysis of the files for the boundaries (innermost first).

    :func:`toolkit.spend.analysis.analyse_spending`, as ``keepitlocal spend`` calls it.
    """
    from toolkit.spend.analysis import analyse_spending

    return analyse_spending(files, boundaries, supplier_list)


def _table(headers: list[str], rows: list[list[str]], css: str) -> str:
    head = "".join(f"<th scope='col'>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>"
                   for row in rows)
    return f"<table class='{css}'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def headline_html(summary: dict) -> str:
    """Return the local share with its range, for each boundary, and what the range means."""
    from toolkit import present
    from toolkit.spend.analysis import share_range_words

    head = summary["headline"]
    rows = [[b["name"], present.money(b["inside"]),
             share_range_words(b["share_low"], b["share_high"])] for b in head["boundaries"]]
    lines = [f"<p><strong>Local share of {html.escape(head['basis_words'])}: "
             f"{html.escape(share_range_words(head['local_share_low'], head['local_share_high']))}"
             f"</strong> of {present.money(head['total'])} paid to {head['suppliers']:,} "
             "suppliers.</p>",
             _table(["Boundary", "Paid inside it", "Share (range)"], rows, "kil-boundaries")]
    lines += [f"<p>{html.escape(note)}</p>" for note in summary["notes"]]
    return "".join(lines)


def periods_html(summary: dict) -> str:
    """Return each period's total and local share, and the change between periods."""
    from toolkit import present
    from toolkit.spend.analysis import share_range_words

    rows = [[p["period"], p["kind"], f"{p['first_date']} to {p['last_date']}",
             present.money(p["total"]),
             share_range_words(p["local_share_low"], p["local_share_high"])]
            for p in summary["periods"]]
    text = _table(["Period", "Kind", "Dates", "Total", "Local share"], rows, "kil-periods")
    if len(summary["periods"]) < 2:
        text += "<p>One period only: upload another year's files to compare.</p>"
    return text


#: Where a supplier is, in words, for the locations that are not a boundary's own.
PLACE_WORDS = {"rest_of_uk": "elsewhere in the UK", "outside_uk": "outside the UK",
               "unknown": "not known"}


def place_words(location: str, summary: dict) -> str:
    """Return a supplier's location in words: the boundary's name, or where else it is."""
    names = {b["label"]: b["name"] for b in summary["headline"]["boundaries"]}
    if location in names:
        return f"in {names[location]}"
    return PLACE_WORDS.get(location, location.replace("_", " "))


def suppliers_html(result, n: int = TOP_SHOWN) -> str:
    """Return the largest suppliers: name, money, where they are and their share."""
    from toolkit import present

    summary = result.summary()
    top = result.top_suppliers(n)
    rows = [[r.rank, r.supplier, present.money(r.total), place_words(r.location, summary),
             present.share(r.share, 1)] for r in top.itertuples(index=False)]
    return _table(["Rank", "Supplier", "Paid", "Where", "Share of all"], rows, "kil-suppliers")


def vcse_html(summary: dict) -> str:
    """Return spend with voluntary and community organisations, by how it was found."""
    from toolkit import present

    rows = [[VCSE_WORDS.get(source, source), present.money(part["total"]), part["suppliers"]]
            for source, part in summary["vcse_sources"].items()]
    return (_table(["Found by", "Paid", "Suppliers"], rows, "kil-vcse")
            + "<p>A payment may be found by more than one source, so the rows do not add up."
            "</p>")


def rejected_html(summary: dict) -> str:
    """Return the rows not used, each with its file, line and reason (never dropped)."""
    rejected = summary["rejected_rows"]
    if not rejected:
        return f"<p>Every one of the {summary['rows']:,} rows was used.</p>"
    rows = [[Path(r["file"]).name, r["line"], r["reason"], r["value"]] for r in rejected]
    return (f"<p>{len(rejected):,} of {summary['rows']:,} rows were not used:</p>"
            + _table(["File", "Line", "Why", "Value"], rows, "kil-rejected"))


def results_html(result) -> str:
    """Return every part of the results, each under its own heading."""
    summary = result.summary()
    parts = [("Local share", headline_html(summary)), ("Periods compared", periods_html(summary)),
             ("Top suppliers", suppliers_html(result)),
             ("Voluntary and community organisations (VCSE)", vcse_html(summary)),
             ("Rows not used", rejected_html(summary))]
    return "".join(f"<h3>{html.escape(title)}</h3>{body}" for title, body in parts)


def spending_pack(council: str, boundaries: list[dict], files: list[Path],
                  supplier_list: Path | None, folder: Path) -> Path:
    """Make the council's spending pack in ``folder``; return its folder.

    Planned by :func:`toolkit.packs.plan.plan_spending_pack`, as ``keepitlocal packs
    --payments`` plans it, and made by the packs' runner (the authority notebook).
    """
    from toolkit.packs.plan import plan_spending_pack

    out = Path(folder) / "out"
    jobs = plan_spending_pack(files, boundaries, out, supplier_list, council or None)
    return layout.run_one_pack(jobs, out)


class SpendingPage:
    """The council spending page's widgets and state.

    Attributes
    ----------
    box : ipywidgets.VBox
        The whole page.
    result : toolkit.spend.analysis.SpendResult or None
        The latest analysis.
    """

    def __init__(self):
        import ipywidgets as widgets

        from toolkit.app.area import AreaPicker
        from toolkit.app.messages import guarded, message_area

        self.result = None
        self.files: list[Path] = []
        self.supplier_list: Path | None = None
        self.payments_box = layout.file_box("Payments files (.csv or .xlsx)", ".csv,.xlsx",
                                            multiple=True)
        self.suppliers_box = layout.file_box("Supplier list (optional, .csv)", ".csv")
        self.area = AreaPicker()
        self.name = widgets.Text(description="Who spent it",
                                 placeholder="such as Calderdale Council", style={
                                     "description_width": "initial"})
        self.analyse_button = layout.button("Analyse the spending")
        self.results_out = widgets.HTML()
        self.pack_button = layout.button("Make the pack (HTML, PDF and tables)")
        self.pack_out = widgets.HTML()
        self.analyse_button.on_click(guarded(self.run_analysis, into=self.results_out))
        self.pack_button.on_click(guarded(self.make_pack, into=self.pack_out))
        layout.name_for_browsers({
            "kil-payments-upload": self.payments_box, "kil-suppliers-upload": self.suppliers_box,
            "kil-analyse": self.analyse_button, "kil-results-out": self.results_out,
            "kil-pack": self.pack_button, "kil-pack-out": self.pack_out})
        self.box = layout.page_box([message_area(), *self._steps()])

    def _steps(self) -> list:
        return [
            layout.step(1, "Upload the council's payments files",
                        "Use the files as the council publishes them ('payments over £500'), "
                        "one or several months or years. A supplier list with postcodes "
                        "places more suppliers.", self.payments_box, self.suppliers_box),
            layout.step(2, "Choose the boundary",
                        "Money paid to suppliers inside it counts as local. A wider area "
                        "is reported beside it, including the inner one.", self.area.box),
            layout.step(3, "See where the money goes",
                        "Suppliers whose place cannot be found are counted as unknown, so "
                        "the local share is a range: low counts them outside, high inside.",
                        self.analyse_button, self.results_out),
            layout.step(4, "Download the pack",
                        "The same report the command line makes, as a web page, an A4 PDF "
                        "and CSV tables, in one zip.", self.name, self.pack_button,
                        self.pack_out),
        ]

    def save_uploads(self) -> None:
        """Check and save the payments files and the supplier list."""
        from toolkit.app.uploads import read_upload

        self.files = layout.save_table_uploads(self.payments_box.value)
        self.supplier_list = (read_upload(self.suppliers_box.value, ("csv",)).path
                              if layout.has_file(self.suppliers_box) else None)

    def run_analysis(self, *_):
        """Analyse the uploaded files for the chosen boundary and show the results."""
        self.result = None
        self.save_uploads()
        self.result = analyse(self.files, self.area.boundaries(), self.supplier_list)
        self.results_out.value = results_html(self.result)
        if not self.name.value.strip() and self.area.how.value == "A council":
            self.name.value = f"{self.area.council.value} Council"

    def make_pack(self, *_):
        """Make the spending pack and offer it as downloads."""
        from toolkit.app.session import session_folder

        if self.result is None:
            raise InputError("Analyse the spending first (step 3).")
        folder = session_folder() / "spending-pack"
        folder.mkdir(exist_ok=True)
        pack = spending_pack(self.name.value.strip(), self.area.registry_boundaries(),
                             self.files, self.supplier_list, folder)
        self.pack_out.value = layout.pack_links(pack)


def build_page():
    """Return the council spending page as one widget (what ``spending.ipynb`` displays).

    Returns
    -------
    ipywidgets.VBox
        Its ``page`` attribute is the :class:`SpendingPage` behind it.
    """
    page = SpendingPage()
    page.box.page = page
    return page.box
