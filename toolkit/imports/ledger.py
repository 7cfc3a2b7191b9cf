"""Supplier transactions and contacts from accounting packages, summed into spending rows.

Three layouts are recognised by their header row (see docs/importing.md for the public
help pages each one rests on), and any other file can be read with a column mapping:

``xero``
    Xero's Account Transactions report exported to CSV or Excel: title rows, then a header
    with Date, Source, Contact, Description, Reference, Debit, Credit (and optionally
    Gross, VAT, Account, Account Code); lines grouped under account headings with
    "Total <account>" rows and a closing "Total" row.
``quickbooks``
    QuickBooks Online's Transaction Detail by Supplier (Vendor) report: title rows, then
    Date, Transaction Type, No., (Supplier), Memo/Description, Account, Amount (Balance);
    lines grouped under supplier headings with "Total for <supplier>" rows and "TOTAL".
``sage50``
    Sage 50's audit trail transaction layout: Type, Account Reference, Nominal A/C Ref,
    Department Code, Date, Reference, Details, Net Amount, Tax Code, Tax Amount; the
    type code (PI, PC, BP, PP ...) says what each line is.

Each line is placed in a spending category through a visible mapping table (account name
or code to category, or "exclude" with a reason), shipped in
``toolkit/data/import_category_map.csv`` and overridable with a user's own file. The
included lines are summed by supplier and category; every excluded line is listed.

References
----------
METHODS.md §1 (round 2 of LM3: where the money is spent, by supplier) and §2 (spend by
supplier postcode). Xero Central, "Account Transactions report"; Intuit, QuickBooks
Online Reports API ("TransactionListByVendor", "VendorExpenses"); Sage (UK) Knowledgebase,
"Audit trail transactions" import format and "Customers and suppliers file format".
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from toolkit.imports.formats import (
    Excluded,
    FileSummary,
    Header,
    ImportResult,
    describe_top_rows,
    find_header,
    fold_header,
    mapped_header,
    parse_date,
    parse_money,
    read_rows,
)
from toolkit.inputs import geography
from toolkit.inputs.errors import InputError
from toolkit.inputs.names import supplier_key
from toolkit.inputs.schema import SPENDING_CATEGORIES
from toolkit.resources import data_file

CATEGORY_MAP_FILE = data_file("import_category_map.csv")

#: Column roles of a transactions file, for ``--map``.
TRANSACTION_ROLES = (
    "date", "supplier", "account", "account_code", "description", "reference", "type",
    "amount", "debit", "credit", "net", "vat",
)

#: Column roles of a contacts file, for ``--map``.
CONTACT_ROLES = ("name", "reference", "postcode")

NO_SUPPLIER = "(no supplier named)"
TOLERANCE = 0.005


@dataclass(frozen=True)
class Layout:
    """How one package's export looks: the headers of each role and what groups its lines."""

    name: str
    title: str
    aliases: dict[str, tuple[str, ...]]
    required: tuple[tuple[str, ...], ...]
    groups_by: str | None
    evidence: str


LAYOUTS: tuple[Layout, ...] = (
    Layout(
        "xero", "Xero Account Transactions report",
        {
            "date": ("Date",),
            "type": ("Source", "Source Type"),
            "supplier": ("Contact", "Contact Name"),
            "description": ("Description",),
            "reference": ("Reference",),
            "debit": ("Debit", "Debit (GBP)", "Debit (£)"),
            "credit": ("Credit", "Credit (GBP)", "Credit (£)"),
            "account": ("Account", "Account Name"),
            "account_code": ("Account Code",),
        },
        (("date",), ("debit",), ("credit",), ("type", "supplier")),
        "account",
        "Xero Central: Account Transactions report (New), columns chosen in Report Settings; "
        "lines grouped by account with subtotals and a Total row",
    ),
    Layout(
        "quickbooks", "QuickBooks Online Transaction Detail by Supplier",
        {
            "date": ("Date", "Transaction Date"),
            "type": ("Transaction Type", "Type"),
            "reference": ("No.", "Num", "No"),
            "supplier": ("Supplier", "Vendor", "Name"),
            "description": ("Memo/Description", "Memo", "Description"),
            "account": ("Account", "Account full name", "Split"),
            "amount": ("Amount",),
        },
        (("date",), ("type",), ("amount",), ("reference", "account")),
        "supplier",
        "Intuit QuickBooks Online Reports API (TransactionListByVendor, VendorExpenses): "
        "columns Date, Transaction Type, Num, Name, Memo, Account, Amount; lines grouped "
        "by supplier with 'Total for' rows. Header texts of the UK export not confirmed",
    ),
    Layout(
        "sage50", "Sage 50 audit trail transactions",
        {
            "type": ("Type", "Tp"),
            "supplier": ("Account Reference", "Account Ref", "Account", "A/C"),
            "account_code": ("Nominal A/C Ref", "Nominal Code", "Nominal", "N/C"),
            "date": ("Date",),
            "reference": ("Reference", "Ref"),
            "description": ("Details",),
            "net": ("Net Amount", "Net"),
            "vat": ("Tax Amount", "Tax", "VAT Amount"),
        },
        (("type",), ("account_code",), ("net",), ("date",)),
        None,
        "Sage (UK) Knowledgebase: audit trail transactions import format (Type, Account "
        "Reference, Nominal A/C Ref, Department Code, Date, Reference, Details, Net Amount, "
        "Tax Code, Tax Amount) and the audit trail's columns (No, Type, Account, Nominal, "
        "Dept, Details, Date, Ref, Net, Tax)",
    ),
)
LAYOUTS_BY_NAME = {layout.name: layout for layout in LAYOUTS}

CONTACT_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("ContactName", "Contact Name", "Company Name", "Supplier", "Supplier Name",
             "Supplier display name", "Vendor", "Display Name", "Company", "Name"),
    "reference": ("AccountNumber", "Account Number", "A/C", "Account Reference", "Reference",
                  "Account Ref"),
    "postcode": ("POPostalCode", "SAPostalCode", "Main Address Post Code", "Post Code",
                 "Postcode", "Postal Code", "Billing Address Postcode",
                 "Billing address postcode", "Shipping Address Postcode", "Zip"),
}

# ----------------------------------------------------------------- transaction-type rules

_INCOME = "income: money in, not spending"
_PAYMENT = "payment of a bill or invoice already counted when it was entered"
_TRANSFER = "transfer between your own accounts"
_PAYROLL = "staff pay: it belongs in the Staff sheet"
_JOURNAL = "journal: a correction or payroll posting, not a supplier payment"
_WAGE_CONTACT = ("staff pay (Xero names the contact 'Payroll Employee' for wage payments): "
                 "it belongs in the Staff sheet")

#: Contact names that stand for a person paid through payroll, not a supplier. Xero Central,
#: "Account Transactions report (New)": "Payroll Employee displays in place of the
#: employee's name for wage payments".
WAGE_CONTACTS = {"payroll employee"}

#: Sage 50 transaction types: sign for spending, or the reason the line is left out.
SAGE_TYPES: dict[str, float | str] = {
    "PI": 1.0, "BP": 1.0, "CP": 1.0, "VP": 1.0, "PC": -1.0,
    "PP": _PAYMENT, "PA": _PAYMENT, "PD": _PAYMENT, "PR": _PAYMENT,
    "SI": _INCOME, "SC": _INCOME, "SR": _INCOME, "SA": _INCOME, "SP": _INCOME, "SD": _INCOME,
    "BR": _INCOME, "CR": _INCOME, "VR": _INCOME,
    "JD": _JOURNAL, "JC": _JOURNAL,
}

#: Words in a Xero "Source" or QuickBooks "Transaction Type" that put a line out, and why.
TYPE_WORDS: tuple[tuple[str, str], ...] = (
    ("bill payment", _PAYMENT),
    ("payable payment", _PAYMENT),
    ("supplier payment", _PAYMENT),
    ("transfer", _TRANSFER),
    ("pay run", _PAYROLL),
    ("payroll", _PAYROLL),
    ("paycheque", _PAYROLL),
    ("paycheck", _PAYROLL),
    ("receive money", _INCOME),
    ("receivable", _INCOME),
    ("sales receipt", _INCOME),
    ("invoice", _INCOME),  # a sales invoice; "payable invoice" is caught first below
    ("deposit", _INCOME),
    ("receive payment", _INCOME),
    ("payment", _PAYMENT),
)
_SPENDING_TYPES = ("payable invoice", "payable credit note", "spend money", "bill",
                   "supplier credit", "vendor credit", "expense", "cheque", "check",
                   "credit card", "purchase")


def type_exclusion(layout: str, text: str) -> str | None:
    """Return why a line of this transaction type is left out of spending, or None.

    Parameters
    ----------
    layout : str
        ``xero``, ``quickbooks`` or ``mapped`` (Sage types are read by :data:`SAGE_TYPES`).
    text : str
        The Source or Transaction Type cell.
    """
    folded = fold_header(text)
    if not folded:
        return None
    if any(folded.startswith(word) for word in _SPENDING_TYPES) and "payment" not in folded:
        return None
    for word, reason in TYPE_WORDS:
        if word in folded:
            return reason
    return None


# --------------------------------------------------------------------- the category map


@dataclass(frozen=True)
class CategoryRule:
    """One line of a category map: an account pattern and where its lines go."""

    pattern: str
    category: str
    reason: str
    source: str
    low: int | None = None
    high: int | None = None

    @property
    def is_code(self) -> bool:
        """Whether the rule matches an account code rather than a name."""
        return self.low is not None

    def matches(self, name: str, code: str) -> bool:
        """Return whether the account ``name`` (folded) or ``code`` fits this rule."""
        if self.is_code:
            digits = code.strip()
            return digits.isdigit() and self.low <= int(digits) <= self.high
        return re.search(rf"(?<![a-z0-9]){re.escape(self.pattern)}", name) is not None


def _fold_account(text: str) -> str:
    return " ".join(text.casefold().replace("&", " and ").replace("/", " ").split())


def read_category_map(path: str | Path, source: str | None = None) -> list[CategoryRule]:
    """Read a category map CSV (columns account, category, reason, note).

    Parameters
    ----------
    path : path-like
    source : str, optional
        How the rules' origin is shown in the summary; defaults to the file name.

    Raises
    ------
    InputError
        When a category is not one of the schema's spending categories or "exclude",
        or an excluding rule gives no reason; the message names the file and row.
    """
    path = Path(path)
    source = source or path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"{path}: could not read the category map ({exc}).") from None
    rows = list(csv.reader(text.splitlines()))
    if not rows or [fold_header(c) for c in rows[0][:2]] != ["account", "category"]:
        raise InputError(f"{path.name}: a category map starts with the header "
                         "'account,category,reason,note'.")
    allowed = {c.casefold(): c for c in SPENDING_CATEGORIES}
    rules = []
    for number, row in enumerate(rows[1:], start=2):
        cells = [*row, "", "", ""][:4]
        pattern, category, reason = (c.strip() for c in cells[:3])
        if not pattern or pattern.startswith("#"):
            continue
        folded = category.casefold()
        if folded != "exclude" and folded not in allowed:
            raise InputError(f"{path.name}, row {number}: '{category}' is not a spending "
                             f"category. Use one of: {', '.join(SPENDING_CATEGORIES)}; "
                             "or 'exclude' with a reason.")
        if folded == "exclude" and not reason:
            raise InputError(f"{path.name}, row {number}: an 'exclude' line needs a reason, "
                             "such as 'VAT: not money spent with a supplier'.")
        rules.append(_rule(pattern, allowed.get(folded, "exclude"), reason, source,
                           path.name, number))
    return rules


def _rule(pattern: str, category: str, reason: str, source: str, file: str,
          number: int) -> CategoryRule:
    if pattern.casefold().startswith("code:"):
        span = pattern[5:].strip()
        match = re.fullmatch(r"(\d+)(?:\s*-\s*(\d+))?", span)
        if not match:
            raise InputError(f"{file}, row {number}: '{pattern}' is not an account code "
                             "rule such as code:7100 or code:7100-7199.")
        low = int(match.group(1))
        high = int(match.group(2) or low)
        return CategoryRule(f"code:{span}", category, reason, source, low, high)
    return CategoryRule(_fold_account(pattern), category, reason, source)


def default_category_rules() -> list[CategoryRule]:
    """Return the shipped category map's rules."""
    return read_category_map(CATEGORY_MAP_FILE, "shipped map")


@dataclass
class CategoryMap:
    """Rules from a user's map (first) and the shipped map, and a record of each placement."""

    user_rules: list[CategoryRule] = field(default_factory=list)
    shipped_rules: list[CategoryRule] = field(default_factory=default_category_rules)
    used: dict[tuple[str, str], dict] = field(default_factory=dict)

    def place(self, account: str, code: str = "") -> tuple[str, str, CategoryRule | None]:
        """Return (category or "exclude", reason, rule) for an account name and code.

        A user's rules are tried before the shipped ones. Within a set, a code rule beats
        a name rule and a longer name pattern beats a shorter one. An account no rule
        matches goes to "other", recorded as unmatched so the user can add a rule.
        """
        name = _fold_account(account)
        for rules in (self.user_rules, self.shipped_rules):
            best = _best_rule(rules, name, code)
            if best is not None:
                self._record(account, code, best.category, best.pattern, best.source)
                return best.category, best.reason, best
        self._record(account, code, "other", "(no rule matched)", "default")
        return "other", "", None

    def _record(self, account: str, code: str, category: str, rule: str, source: str) -> None:
        key = (account, code)
        if key not in self.used:
            self.used[key] = {"account": account, "account_code": code, "category": category,
                              "rule": rule, "source": source}


def _best_rule(rules: list[CategoryRule], name: str, code: str) -> CategoryRule | None:
    hits = [rule for rule in rules if rule.matches(name, code)]
    if not hits:
        return None
    return max(hits, key=lambda r: (r.is_code, len(r.pattern)))


# ------------------------------------------------------------------------ the line reader


@dataclass
class Line:
    """One transaction line read from an export."""

    row: int
    supplier: str
    account: str
    account_code: str
    amount: float
    reason: str = ""
    category: str = ""


def detect_layout(rows: list[list[str]], file: str) -> tuple[Layout, Header]:
    """Find which known layout a transactions file has, by its header row.

    Raises
    ------
    InputError
        When no known layout fits, with the file's first rows and how to map its columns.
    """
    for layout in LAYOUTS:
        header = find_header(rows, layout.aliases, layout.required)
        if header is not None:
            return layout, header
    raise InputError(
        f"{file}: this does not look like an export the toolkit knows (Xero Account "
        f"Transactions, QuickBooks Online Transaction Detail by Supplier, Sage 50 audit "
        f"trail). The file starts:\n{describe_top_rows(rows)}\n"
        "Tell the toolkit which column is which with --map, naming the header of each "
        "column as written in the file, for example:\n"
        '    --map "date=Txn date,supplier=Payee,account=Category,amount=Net"\n'
        "Roles for transactions: " + ", ".join(TRANSACTION_ROLES) + ". Give 'amount' "
        "(spending positive, refunds negative), or 'debit' and 'credit', or 'net'. "
        "See docs/importing.md, 'A file from another package'."
    )


def read_transactions(path: str | Path, result: ImportResult, categories: CategoryMap,
                      mapping: dict[str, str] | None = None, layout_name: str = "auto",
                      period: tuple | None = None) -> list[Line]:
    """Read one transactions export: every line placed in a category or left out with a reason.

    Parameters
    ----------
    path : path-like
    result : ImportResult
        Collects the file's summary, excluded lines and problems.
    categories : CategoryMap
    mapping : dict of str to str, optional
        Role to header text, for a file from another package (or to override a layout).
    layout_name : str
        ``auto`` to recognise the layout, or one of ``xero``, ``quickbooks``, ``sage50``.
    period : (date, date), optional
        First and last day of the year studied; lines dated outside it are left out.

    Returns
    -------
    list of Line
        The lines included in spending (amount signed: refunds and credit notes negative).
    """
    path = Path(path)
    rows = read_rows(path)
    layout, header = _choose_layout(rows, path.name, mapping, layout_name)
    summary = FileSummary(path.name, "transactions", layout.name, layout.evidence, header.row)
    result.files.append(summary)
    reader = _LineReader(path.name, layout, header, result, categories, period, summary)
    for index in range(header.row, len(rows)):
        reader.take(index + 1, rows[index])
    reader.finish()
    return reader.included


def _choose_layout(rows, file, mapping, layout_name) -> tuple[Layout, Header]:
    if mapping:
        header = mapped_header(rows, mapping, TRANSACTION_ROLES, file, "transactions")
        amounts = {"amount", "debit", "credit", "net"} & set(mapping)
        if not amounts:
            raise InputError(f"{file}: the mapping gives no money column. Map 'amount', or "
                             "'debit' and 'credit', or 'net'.")
        base = LAYOUTS_BY_NAME.get(layout_name)
        return Layout("mapped" if base is None else base.name,
                      "columns mapped by the user", {}, (), None if base is None
                      else base.groups_by, "columns named by the user's mapping"), header
    if layout_name not in ("auto", "", None):
        layout = LAYOUTS_BY_NAME.get(layout_name)
        if layout is None:
            raise InputError(f"--layout: '{layout_name}' is not a known layout; use auto, "
                             f"{', '.join(LAYOUTS_BY_NAME)}, or --map.")
        header = find_header(rows, layout.aliases, layout.required)
        if header is None:
            raise InputError(f"{file}: no header row of the {layout.title} layout was found. "
                             f"The file starts:\n{describe_top_rows(rows)}\nUse --map to "
                             "name its columns.")
        return layout, header
    return detect_layout(rows, file)


_BALANCE_WORDS = ("opening balance", "closing balance", "net movement", "beginning balance",
                  "ending balance", "balance brought forward", "balance carried forward")


class _LineReader:
    """Reads the data rows of one transactions export, row by row."""

    def __init__(self, file, layout, header, result, categories, period, summary):
        self.file, self.layout, self.header = file, layout, header
        self.result, self.categories, self.period = result, categories, period
        self.summary = summary
        self.group = ""
        self.group_sums: dict[str, float] = {}
        self.included: list[Line] = []
        self.lines_total = 0.0
        self.excluded_total = 0.0
        self.grand_total: float | None = None

    # -- row kinds -------------------------------------------------------------------
    def take(self, number: int, cells: list[str]) -> None:
        """Read one row: a blank, a heading, a total, a balance line or a transaction."""
        if not any(cells):
            return
        first = next(c for c in cells if c)
        folded = fold_header(first)
        amounts = self._amount_cells(cells)
        if folded.startswith("total") and any(amounts):
            self._total(number, folded, cells)
        elif any(folded.startswith(word) for word in _BALANCE_WORDS):
            self._skip("balance lines (opening, closing, movement)")
        elif not any(amounts):
            self._heading(number, first, cells)
        else:
            self._transaction(number, cells)

    def _amount_cells(self, cells):
        return [self.header.get(cells, r) for r in ("amount", "debit", "credit", "net")]

    def _skip(self, what: str) -> None:
        self.summary.skipped_rows[what] = self.summary.skipped_rows.get(what, 0) + 1

    def _heading(self, number: int, first: str, cells: list[str]) -> None:
        if sum(1 for c in cells if c) == 1:
            self.group = first
            self._skip("headings")
            return
        self._skip("rows with no amount")
        self.result.report.notice("This row has no amount, so it is not a transaction; it "
                                  "was skipped.", file=self.file, row=number,
                                  value=", ".join(c for c in cells if c)[:80])

    def _total(self, number: int, folded: str, cells: list[str]) -> None:
        try:
            value = self._signed_amount(cells)
        except ValueError:
            value = None
        name = re.sub(r"^total(s)?( for)?\s*", "", folded).strip()
        if name in {"", "all", "grand", "for all"} or folded in {"grand total", "totals"}:
            self.grand_total = value
            self._skip("total rows")
            return
        self._skip("subtotal rows")
        if value is None:
            return
        self.summary.subtotals_checked += 1
        found = self.group_sums.get(name)
        if found is None or abs(found - value) > TOLERANCE:
            read = "no lines" if found is None else f"£{found:,.2f}"
            self.summary.subtotal_mismatches.append(
                f"row {number}: the export's subtotal '{cells[0] or folded}' is "
                f"£{value:,.2f} but the lines read under it add up to {read}")

    # -- one transaction ---------------------------------------------------------------
    def _signed_amount(self, cells: list[str]) -> float | None:
        get = self.header.get
        if "amount" in self.header.columns:
            return parse_money(get(cells, "amount"))
        if "debit" in self.header.columns or "credit" in self.header.columns:
            debit = parse_money(get(cells, "debit")) or 0.0
            credit = parse_money(get(cells, "credit")) or 0.0
            if not get(cells, "debit") and not get(cells, "credit"):
                return None
            return debit - credit
        net = parse_money(get(cells, "net"))
        vat = parse_money(get(cells, "vat")) if "vat" in self.header.columns else None
        if net is None:
            return None
        return net + (vat or 0.0)

    def _transaction(self, number: int, cells: list[str]) -> None:
        get = self.header.get
        self.summary.lines += 1
        supplier = get(cells, "supplier") or (self.group if self.layout.groups_by ==
                                              "supplier" else "")
        account = get(cells, "account") or (self.group if self.layout.groups_by ==
                                            "account" else "")
        code = get(cells, "account_code")
        try:
            amount, vat = self._spending_amount(cells)
        except ValueError as exc:
            self.result.report.error(
                f"The amount could not be read ({exc}); the line is left out.",
                file=self.file, row=number, column=self._money_header())
            self._exclude(number, supplier, account, 0.0, "amount could not be read")
            return
        gross = amount + vat
        self.lines_total += gross
        group = fold_header(self.group)
        self.group_sums[group] = self.group_sums.get(group, 0.0) + gross
        reason = self._line_reason(number, cells, account, code)
        if not reason and fold_header(supplier) in WAGE_CONTACTS:
            reason = _WAGE_CONTACT
        if not reason:
            category, reason, _ = self.categories.place(account, code)
            reason = reason if category == "exclude" else ""
        if reason:
            self._exclude(number, supplier, account or code, gross, reason)
            return
        if vat:
            self._exclude(number, supplier, account or code, vat,
                          "VAT on this line: not money spent with the supplier (reclaimed "
                          "from or paid to HMRC)", whole_line=False)
        category, _, _ = self.categories.place(account, code)
        if not supplier:
            self.result.report.warning(
                f"This line names no supplier; it is counted as '{NO_SUPPLIER}'. Add the "
                "supplier's name in your accounts or in the workbook.",
                file=self.file, row=number, column=self.header.names.get("supplier"))
            supplier = NO_SUPPLIER
        if "journal" in fold_header(get(cells, "type")):
            self.result.report.notice(
                "A journal on a spending account was included; check it is not a "
                "correction that counts a cost twice.", file=self.file, row=number)
        self.summary.used += 1
        self.included.append(Line(number, supplier, account, code, amount, "", category))

    def _money_header(self) -> str | None:
        for role in ("amount", "debit", "net"):
            if role in self.header.names:
                return self.header.names[role]
        return None

    def _spending_amount(self, cells: list[str]) -> tuple[float, float]:
        """Return (amount counted as spending, VAT split off), signed."""
        get = self.header.get
        if "net" in self.header.columns and not {"amount", "debit"} & set(self.header.columns):
            net = parse_money(get(cells, "net")) or 0.0
            vat = parse_money(get(cells, "vat")) or 0.0
            sign = self._sage_sign(get(cells, "type"))
            if sign is not None:
                return sign * abs(net), sign * abs(vat)
            return net, vat
        amount = self._signed_amount(cells)
        return (amount or 0.0), 0.0

    def _sage_sign(self, type_text: str) -> float | None:
        kind = SAGE_TYPES.get(type_text.strip().upper())
        return kind if isinstance(kind, float) else None

    def _line_reason(self, number: int, cells: list[str], account: str, code: str) -> str:
        get = self.header.get
        type_text = get(cells, "type")
        if self.layout.name == "sage50" or type_text.strip().upper() in SAGE_TYPES:
            kind = SAGE_TYPES.get(type_text.strip().upper())
            if isinstance(kind, str):
                return kind
            if kind is None and self.layout.name == "sage50":
                return f"transaction type '{type_text}' is not one the toolkit knows"
        else:
            reason = type_exclusion(self.layout.name, type_text)
            if reason:
                return reason
        return self._date_reason(number, get(cells, "date"))

    def _date_reason(self, number: int, text: str) -> str:
        try:
            when = parse_date(text)
        except ValueError as exc:
            self.result.report.warning(f"The date could not be read ({exc}); the line is "
                                       "kept.", file=self.file, row=number,
                                       column=self.header.names.get("date"))
            return ""
        if when is None:
            self.result.report.warning("This line has no date; it is kept.", file=self.file,
                                       row=number, column=self.header.names.get("date"))
            return ""
        if self.period is None:
            return ""
        first, last = self.period
        if not first <= when <= last:
            return f"dated {when:%d %b %Y}, outside the year {first:%d %b %Y} to {last:%d %b %Y}"
        return ""

    def _exclude(self, row, supplier, account, amount, reason, whole_line=True) -> None:
        self.excluded_total += amount
        self.summary.left_out += int(whole_line)
        self.result.excluded.append(Excluded(self.file, row, supplier, account,
                                             round(amount, 2), reason))

    # -- end of file --------------------------------------------------------------------
    def finish(self) -> None:
        """Work out the file's totals and whether they reconcile to the export's own."""
        summary = self.summary
        summary.lines_total = round(self.lines_total, 2)
        summary.included_total = round(sum(line.amount for line in self.included), 2)
        summary.excluded_total = round(self.excluded_total, 2)
        summary.export_total = None if self.grand_total is None else round(self.grand_total, 2)
        parts = summary.included_total + summary.excluded_total
        if abs(parts - summary.lines_total) > TOLERANCE:  # an unreadable amount
            summary.reconciles = False
        if summary.export_total is None:
            summary.reconcile_note = (
                "the export has no total row, so the lines were checked against their own "
                "sum: included plus excluded equals the sum of every line read")
            summary.reconciles = summary.reconciles is not False
        else:
            gap = summary.export_total - summary.lines_total
            summary.reconciles = abs(gap) <= TOLERANCE and summary.reconciles is not False
            summary.reconcile_note = (
                f"the export's total row is £{summary.export_total:,.2f}; the lines read add "
                f"up to £{summary.lines_total:,.2f}"
                + ("" if abs(gap) <= TOLERANCE else f" (a gap of £{gap:,.2f})"))
        if not summary.reconciles or summary.subtotal_mismatches:
            self.result.report.error(
                "The lines read do not add up to the export's own totals: "
                + "; ".join([summary.reconcile_note, *summary.subtotal_mismatches])
                + ". Check that the file was exported whole and not edited.", file=self.file)


# ----------------------------------------------------------------------------- contacts


@dataclass(frozen=True)
class Contact:
    """A supplier from a contacts export: its name, account reference and postcode."""

    name: str
    reference: str
    postcode: str
    row: int
    file: str


def read_contacts(path: str | Path, result: ImportResult,
                  mapping: dict[str, str] | None = None) -> list[Contact]:
    """Read a contacts (suppliers) export: name, account reference and postcode of each.

    The postcode is taken from the first postcode column found; when the file has none
    (Sage 50's supplier list gives address lines), a full UK postcode written anywhere in
    the row is used.

    Raises
    ------
    InputError
        When no header with a name column is found.
    """
    path = Path(path)
    rows = read_rows(path)
    if mapping:
        header = mapped_header(rows, mapping, CONTACT_ROLES, path.name, "contacts")
    else:
        header = find_header(rows, CONTACT_ALIASES, (("name",),))
    if header is None:
        raise InputError(f"{path.name}: no header row with a supplier name column was found "
                         f"(such as ContactName, Company Name, Supplier or Name). The file "
                         f"starts:\n{describe_top_rows(rows)}\nName its columns with "
                         '--map "contacts: name=Supplier,postcode=Post code".')
    summary = FileSummary(path.name, "contacts", "contacts", "supplier names and postcodes",
                          header.row)
    result.files.append(summary)
    postcode_columns = _postcode_columns(rows[header.row - 1], header)
    contacts = []
    for index in range(header.row, len(rows)):
        cells = rows[index]
        name = header.get(cells, "name")
        if not any(cells):
            continue
        summary.lines += 1
        if not name:
            result.report.warning("This contact has no name; it is left out.",
                                  file=path.name, row=index + 1)
            summary.left_out += 1
            continue
        postcode = _contact_postcode(cells, postcode_columns, header)
        contacts.append(Contact(name, header.get(cells, "reference"), postcode, index + 1,
                                path.name))
        summary.used += 1
    return contacts


def _postcode_columns(cells: list[str], header: Header) -> list[int]:
    if "postcode" not in header.columns:
        return []
    folded = [fold_header(c) for c in cells]
    wanted = [fold_header(a) for a in CONTACT_ALIASES["postcode"]]
    extra = [i for name in wanted for i, f in enumerate(folded) if f == name]
    return [header.columns["postcode"], *[i for i in extra if i != header.columns["postcode"]]]


def _contact_postcode(cells: list[str], columns: list[int], header: Header) -> str:
    for index in columns:
        if index < len(cells) and cells[index].strip():
            return cells[index].strip()
    if columns:
        return ""
    skip = {header.columns.get("name"), header.columns.get("reference")}
    for index, cell in enumerate(cells):
        if index in skip:
            continue
        found = geography.find_postcodes_in_text(cell)
        if found:
            return found[-1].text
    return ""


# --------------------------------------------------------------------------- aggregation


def spending_table(lines: list[Line], contacts: list[Contact],
                   result: ImportResult) -> pd.DataFrame:
    """Sum included lines by supplier and category, with each supplier's postcode.

    A line's supplier is matched to a contact by account reference (Sage) or by name (see
    :func:`toolkit.inputs.names.supplier_key`). A supplier with no contact, or a contact with no
    postcode, gets a blank postcode and is listed in ``result.suppliers_without_postcode``.

    Returns
    -------
    DataFrame
        Columns ``supplier``, ``supplier_postcode``, ``category``, ``amount`` (the schema's
        spending keys), one row per supplier and category, largest first.
    """
    by_key = {supplier_key(c.name): c for c in contacts}
    by_ref = {c.reference.casefold(): c for c in contacts if c.reference}
    records: dict[tuple[str, str], dict] = {}
    for line in lines:
        contact = by_ref.get(line.supplier.casefold()) or by_key.get(supplier_key(line.supplier))
        name = contact.name if contact else line.supplier
        key = (name, line.category)
        record = records.setdefault(key, {"supplier": name, "supplier_postcode": None,
                                          "category": line.category, "amount": 0.0})
        record["amount"] += line.amount
        if contact is not None:
            record["supplier_postcode"] = _tidy_postcode(contact, result)
    frame = pd.DataFrame(list(records.values()),
                         columns=["supplier", "supplier_postcode", "category", "amount"])
    frame["amount"] = frame["amount"].astype(float).round(2)
    missing = sorted({r["supplier"] for r in records.values() if not r["supplier_postcode"]})
    for supplier in missing:
        result.report.warning("No postcode for this supplier; its postcode is left blank "
                              "(add it in the workbook or in your contacts export).",
                              sheet="Spending", value=supplier)
    result.suppliers_without_postcode.extend(missing)
    return frame.sort_values(["amount", "supplier"], ascending=[False, True],
                             ignore_index=True)


def _tidy_postcode(contact: Contact, result: ImportResult) -> str | None:
    if not contact.postcode:
        return None
    postcode = geography.normalise_postcode(contact.postcode, partial=True)
    if postcode is None:
        result.report.notice("This postcode is not a UK postcode; it is kept as written and "
                             "the supplier will count as not placeable.", file=contact.file,
                             row=contact.row, value=contact.postcode)
        return contact.postcode
    return postcode.text
