"""Property tests (hypothesis): messy payments files and workbook cells never give a wrong pound.

Payments files are generated with a known true total: encodings, line endings, title rows,
blank lines, repeated headers, quoted names with commas and quotes, credits, amounts written
in many styles, and subtotal and total lines of every shape. Workbook money and percent cells
are generated well and badly written. Issue 16 (silent wrong money).
"""

from __future__ import annotations

import csv
import io

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from toolkit.inputs.schema import table
from toolkit.inputs.workbook import read_workbook
from toolkit.spend.read import read_payments

SUPPLIERS = ("Acme Ltd", "Bravo Care, Ltd", 'The "Best" Café', "Zoë's Bakery",
             "O'Neil & Sons", "Summit Housing", "Totally Local CIC", "Grand Hotel")
ENCODINGS = ("utf-8", "utf-8-sig", "cp1252", "utf-16")
HEADER = ["Payment Date", "Supplier Name", "Expense Type", "Amount"]
LABELS = ("Sub-total", "Total for April", "TOTAL PAYMENTS", "Sum", "Period total", "Totals:",
          "Grand Total", "Total")


def money_text(pence: int, style: str) -> str:
    """Write pence as a council file might: plain, £ and commas, brackets, CR, minus."""
    pounds = f"{abs(pence) / 100:,.2f}" if style != "plain" else f"{abs(pence) / 100:.2f}"
    if pence >= 0:
        return {"plain": pounds, "pound": f"£{pounds}"}.get(style, pounds)
    return {"plain": f"-{pounds}", "pound": f"-£{pounds}", "brackets": f"({pounds})",
            "cr": f"{pounds} CR"}[style]


payment = st.tuples(
    st.sampled_from(["01/04/2024", "2024-04-02", "3 April 2024", "15/05/2024", ""]),
    st.sampled_from(SUPPLIERS),
    st.integers(-5_000_000, 500_000_000),  # credits included; up to £5m
    st.sampled_from(["plain", "pound", "brackets", "cr"]),
)
# After a payment: nothing, a blank line, a labelled subtotal of the rows since the last one,
# an unlabelled subtotal (no supplier, no date), or the header row again.
extra = st.sampled_from(["", "", "", "blank", "label", "unlabelled", "header"])


@st.composite
def messy_file(draw):
    """Return (bytes, true total in pence, lines of payments, lines not payments)."""
    rows: list[list[str]] = []
    kinds: list[str] = []  # per row: "title", "blank", "header", "payment", "footer"
    for title in draw(st.lists(st.sampled_from(["Payments over £500", "Council of Testing"]),
                               max_size=2)):
        rows.append([title]), kinds.append("title")
    rows.append(HEADER), kinds.append("header")
    total, run = 0, 0
    for date, supplier, pence, style in draw(st.lists(payment, min_size=1, max_size=25)):
        rows.append([date, supplier, "Services", money_text(pence, style)])
        kinds.append("payment")
        total, run = total + pence, run + pence
        after = draw(extra)
        if after == "blank":
            rows.append([]), kinds.append("blank")
        elif after == "header":
            rows.append(HEADER), kinds.append("footer")
        elif after in ("label", "unlabelled") and run:
            label = draw(st.sampled_from(LABELS)) if after == "label" else ""
            column = draw(st.sampled_from([0, 1, 2]))
            cells = ["", "", "", money_text(run, "pound" if run > 0 else "brackets")]
            cells[column] = label
            rows.append(cells), kinds.append("footer")
            run = 0
    if draw(st.booleans()):
        rows.append(["", "Total", "", money_text(total, "pound" if total >= 0 else "cr")])
        kinds.append("footer")
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=draw(st.sampled_from(["\n", "\r\n"]))).writerows(rows)
    encoding = draw(st.sampled_from(ENCODINGS))
    lines = {kind: [i + 1 for i, k in enumerate(kinds) if k == kind]
             for kind in ("payment", "footer")}
    return buffer.getvalue().encode(encoding), total, lines["payment"], lines["footer"]


@given(messy_file())
def test_messy_payments_reconcile_to_the_penny_and_every_row_is_accounted_for(tmp_path_factory,
                                                                              made):
    data, true_total, payment_lines, other_lines = made
    path = tmp_path_factory.mktemp("pay") / "payments.csv"
    path.write_bytes(data)
    payments = read_payments(path)
    assert int(payments.frame["amount_pence"].sum()) == true_total
    assert sorted(payments.frame["line"].tolist()) == payment_lines
    assert sorted(payments.rejected["line"].tolist()) == other_lines
    assert (payments.rejected["reason"].str.len() > 0).all()
    assert payments.records == len(payment_lines) + len(other_lines)


# ---- workbooks: bad money and percent cells are refused with their place, or read exactly ----

GOOD = {
    "about": [{"name": "Test Trust", "org_id": "test-trust", "la_code": "E08000032",
               "financial_year": "2024-25", "fictional": True}],
    "income": [{"source": "Contract", "payer": "Council", "type": "public contract",
                "amount": 100000.0}],
    "staff": [{"role": "Worker", "fte": 1.0, "gross_pay": 25000.0, "home_district": "BD8",
               "living_wage": True}],
    "balance": [{"total_income": 100000.0, "total_expenditure": 48000.0, "staff_costs": 28000.0,
                 "unrestricted_funds": 40000.0, "designated_funds": 5000.0,
                 "fixed_assets_own_use": 10000.0, "restricted_funds": 0.0,
                 "net_assets": 40000.0}],
}

amounts = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False)


@st.composite
def money_cell(draw):
    """Return (text, exact value or None when it must be refused)."""
    value = draw(amounts)
    good = {"plain": f"{value:.2f}", "pound": f"£{value:,.2f}", "commas": f"{value:,.2f}",
            "spaces": f"{value:,.2f}".replace(",", " "), "padded": f"  £ {value:,.2f} "}
    bad = {"continental": f"{value:,.2f}".translate(str.maketrans(",.", ".,")),
           "dollars": f"${value:,.2f}", "euros": f"€{value:.2f}", "eur": f"{value:.2f} EUR"}
    whole = int(value)
    if whole >= 10_000:
        digits = str(whole)
        bad["misplaced comma"] = f"{digits[0]},{digits[1:]}"  # 1,2345
    style = draw(st.sampled_from(sorted(good) + sorted(bad)))
    return (good[style], float(value)) if style in good else (bad[style], None)


@st.composite
def percent_cell(draw):
    """Return (text, exact fraction or None when it must be refused)."""
    tenths = draw(st.integers(0, 1000))
    number = f"{tenths // 10}.{tenths % 10}" if tenths % 10 else str(tenths // 10)
    good = {"sign": f"{number}%", "spaced": f"{number} %"}
    bad = {"dollar": f"${number}%", "comma": f"{tenths // 10},{tenths % 10}5%",
           "words": f"{number} per cent"}
    style = draw(st.sampled_from(sorted(good) + sorted(bad)))
    if style in good:
        return good[style], float(number) / 100.0
    return bad[style], None


def write_folder(folder, spending_cells, survey_cells) -> None:
    """Write a workbook as a folder of CSV files, with the generated cells as text."""
    tables = {**GOOD,
              "spending": [{"supplier": f"S{i}", "supplier_postcode": "BD7 1DP",
                            "category": "premises", "amount": text}
                           for i, (text, _) in enumerate(spending_cells)],
              "staff_survey": [{"pay_band": "£20,000 to £29,999", "local_share": text}
                               for text, _ in survey_cells]}
    for key, rows in tables.items():
        frame = pd.DataFrame(rows)
        frame.columns = [table(key).column(c).header for c in frame.columns]
        frame.to_csv(folder / f"{key}.csv", index=False, encoding="utf-8")


@given(st.lists(money_cell(), min_size=1, max_size=5),
       st.lists(percent_cell(), min_size=1, max_size=5))
def test_bad_money_and_percent_cells_are_refused_with_their_place_or_read_exactly(
        tmp_path_factory, spending_cells, survey_cells):
    folder = tmp_path_factory.mktemp("book")
    write_folder(folder, spending_cells, survey_cells)
    workbook = read_workbook(folder)
    errors = {(p.sheet, p.row, p.column) for p in workbook.report.errors}
    for sheet, key, cells, column in (
            ("spending.csv", "spending", spending_cells, "amount"),
            ("staff_survey.csv", "staff_survey", survey_cells, "local_share")):
        header = table(key).column(column).header
        read = workbook.table(key)[column].tolist()
        for index, ((text, expected), value) in enumerate(zip(cells, read, strict=True)):
            place = (sheet, index + 2, header)
            if expected is None:
                assert place in errors, text
                assert value is None or pd.isna(value), text
            else:
                assert place not in errors, text
                assert value == expected, text

