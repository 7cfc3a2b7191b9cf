"""The fast payments reader (Arrow's CSV reader) against a slow csv-module reference (issue 18).

On the real council files, the samples and the hardening issue's messy property-test files,
the fast reader must give exactly the total, the rows used and the rows not used of
``tests/payments_reference.py``; where Arrow cannot be sure (a record on several lines,
ragged rows, UTF-16, no pyarrow) the file is read by the older readers, and the reader used
is recorded.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from payments_reference import pence, read_reference
from test_spend_properties import messy_file

from toolkit.spend import fast_read
from toolkit.spend.read import read_money, read_payments, read_payments_file

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "real-data"
REAL_FILES = sorted(REAL.glob("*.csv")) if REAL.exists() else []
SAMPLES = sorted((ROOT / "data" / "samples").glob("*/*_payments_sample.csv"))


def assert_same_as_reference(path: Path) -> str:
    """Read ``path`` both ways; assert equal totals and rows; return the reader used."""
    one = read_payments_file(path)
    reference = read_reference(path)
    assert int(one.frame["amount_pence"].astype(object).sum()) == reference.total_pence
    assert one.frame["line"].tolist() == reference.used_lines
    assert sorted(zip(one.rejected["line"].tolist(), one.rejected["kind"].tolist(),
                      strict=True)) == reference.not_used
    return one.reader


@pytest.mark.skipif(not REAL_FILES, reason=f"the real council files are not in {REAL}")
@pytest.mark.parametrize("path", REAL_FILES, ids=lambda p: p.name)
def test_real_files_read_fast_give_the_reference_totals_and_rows(path):
    assert assert_same_as_reference(path) == "arrow"


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.parent.name)
def test_sample_files_read_fast_give_the_reference_totals_and_rows(path):
    assert assert_same_as_reference(path) == "arrow"


@given(messy_file())
def test_messy_files_give_the_reference_totals_and_rows(tmp_path_factory, made):
    data, true_total, payment_lines, other_lines = made
    path = tmp_path_factory.mktemp("pay") / "payments.csv"
    path.write_bytes(data)
    reader = assert_same_as_reference(path)
    assert read_reference(path).total_pence == true_total
    assert reader in ("arrow", "pandas", "csv")
    if not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        assert reader == "arrow"  # these files have no multi-line records


def write(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "payments.csv"
    path.write_bytes(text.encode(encoding))
    return path


HEADER = "Payment Date,Supplier Name,Amount\n"


def test_blank_lines_keep_their_line_numbers_on_the_fast_path(tmp_path):
    path = write(tmp_path, "Council payments\n" + HEADER + "01/04/2024,Acme Ltd,10.00\n\n\r\n"
                 "02/04/2024,Bravo Ltd,£20.50\n\n")
    one = read_payments_file(path)
    assert one.reader == "arrow"
    assert one.frame["line"].tolist() == [3, 6]
    assert int(one.frame["amount_pence"].sum()) == 1000 + 2050


def test_a_record_on_two_lines_is_read_by_the_careful_reader_with_exact_lines(tmp_path):
    path = write(tmp_path, HEADER + '01/04/2024,"Acme\nHouse Ltd",10.00\n'
                 "02/04/2024,Bravo Ltd,20.00\n")
    one = read_payments_file(path)
    assert one.reader == "csv"
    assert one.frame["line"].tolist() == [2, 4]
    assert assert_same_as_reference(path) == "csv"


def test_ragged_rows_fall_back_and_warn(tmp_path):
    path = write(tmp_path, HEADER + "01/04/2024,Acme, Ltd,10.00\n02/04/2024,Bravo Ltd,20.00\n")
    payments = read_payments(path)
    assert payments.files[0].reader == "csv"
    assert any("more cells than the header" in p.message for p in payments.report.warnings)


def test_utf16_files_are_read_without_arrow(tmp_path):
    path = write(tmp_path, HEADER + "01/04/2024,Acme Ltd,10.00\n", encoding="utf-16")
    one = read_payments_file(path)
    assert one.reader in ("pandas", "csv")
    assert int(one.frame["amount_pence"].sum()) == 1000


def test_without_pyarrow_the_pandas_reader_is_used(tmp_path, monkeypatch):
    def no_arrow(*args, **kwargs):
        raise ImportError("no pyarrow")

    monkeypatch.setattr(fast_read, "_arrow_table", no_arrow)
    path = write(tmp_path, HEADER + "01/04/2024,Acme Ltd,10.00\n02/04/2024,Bravo,(5.00)\n")
    one = read_payments_file(path)
    assert one.reader == "pandas"
    assert int(one.frame["amount_pence"].sum()) == 500


MONEY = st.one_of(
    st.decimals(min_value=-10**12, max_value=10**12, places=2, allow_nan=False).map(
        lambda d: f"{d}"),
    st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False).map(
        lambda d: f"£{d}"),
    st.decimals(min_value=0, max_value=10**9, places=1, allow_nan=False).map(
        lambda d: f"-£{d}"),
    st.decimals(min_value=0, max_value=10**6, places=3, allow_nan=False).map(str),
    st.sampled_from(["", "abc", "£1,234.56", "(12.50)", "12.00 CR", "1.2E+03", "$5",
                     "12.", ".5", "£-3.00", " 7.25 ", "99999999999999.99"]),
)


@given(st.lists(MONEY, min_size=1, max_size=30))
def test_money_read_in_arrow_is_exact_to_the_penny(texts):
    arrow_text = pd.Series(pd.array(texts, dtype="string[pyarrow]"))
    fast, fast_ok, _ = read_money(arrow_text)
    slow, slow_ok, _ = read_money(pd.Series(texts, dtype=object))
    assert fast.tolist() == slow.tolist()
    assert fast_ok.tolist() == slow_ok.tolist()
    for text, value, ok in zip(texts, fast.tolist(), fast_ok.tolist(), strict=True):
        expected = pence(text)
        if ok and expected is not None and abs(expected) < 10**15:
            assert value == expected, text


def test_plain_money_pattern_reads_what_it_should():
    values = pd.Series(pd.array(["12.34", "-£5.1", "£1,000.00", "007", "1e3"],
                                dtype="string[pyarrow]"))
    pounds, plain = fast_read.plain_pounds(values)
    assert plain.tolist() == [True, True, False, True, False]
    expected = [Decimal("12.34"), Decimal("-5.1"), None, Decimal("7"), None]
    for got, want in zip(pounds.tolist(), expected, strict=True):
        if want is not None:
            assert Decimal(repr(got)).quantize(Decimal("0.01"), ROUND_HALF_UP) == want


@given(st.lists(st.sampled_from(["", "\r", "a", "ab", "a,b", " "]), min_size=0, max_size=30),
       st.sampled_from(["\n", "\r\n"]), st.booleans(), st.integers(1, 7))
def test_empty_lines_are_found_across_blocks(lines, ending, last_break, block):
    data = (ending.join(lines) + (ending if last_break and lines else "")).encode()
    found = fast_read.EmptyLines()
    for start in range(0, len(data), block):
        found.feed(data[start:start + block])
    physical = data.split(b"\n")
    if physical and physical[-1] == b"":
        physical = physical[:-1]  # the text after the last line break is no line
    assert found.flags().tolist() == [line in (b"", b"\r") for line in physical]


@given(st.lists(st.integers(min_value=0, max_value=5), max_size=60),
       st.lists(st.sampled_from(["b", "a", "c", "unknown date", "2024-05"]), min_size=6,
                max_size=6),
       st.lists(st.sampled_from(["a", "b", "c", "2024-05", "zz"]), unique=True))
def test_categoricals_made_on_codes_equal_pandas_own(codes, values, categories):
    import numpy as np

    from toolkit.spend.analysis import _recoded
    from toolkit.spend.read import _without_unused

    codes, values = np.array(codes, dtype=np.int64), np.array(values, dtype=object)
    made = _recoded(codes, values, categories)
    expected = pd.Categorical(values[codes], categories=categories)
    assert list(made.categories) == list(expected.categories)
    assert made.codes.tolist() == expected.codes.tolist()
    some = pd.Categorical([*values[codes], None], categories=sorted(set(values)) + ["never used"])
    assert list(_without_unused(some).categories) == list(
        some.remove_unused_categories().categories)
    assert _without_unused(some).tolist() == some.remove_unused_categories().tolist()


@given(st.lists(st.tuples(st.integers(0, 6), st.integers(-(10**12), 10**12)), max_size=80),
       st.booleans())
def test_sums_by_code_are_exact_to_the_penny(rows, huge):
    import numpy as np

    from toolkit.spend.checks import sums_by_code

    codes = np.array([c for c, _ in rows], dtype=np.int64)
    pence = np.array([p * (2**16 if huge else 1) for _, p in rows], dtype=np.int64)
    expected = [sum(int(p) for c, p in zip(codes, pence, strict=True) if c == code)
                for code in range(8)]
    assert sums_by_code(codes, pence, 8).tolist() == expected  # huge: pandas' group sum


@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 5), st.integers(-10**9, 10**9)),
                max_size=60),
       st.booleans(), st.sampled_from([6, 100_000]))
def test_pair_sums_give_the_group_sums_every_way(rows, one_key_a_value, width):
    import numpy as np

    from toolkit.spend.analysis import _pairs_and_sums

    key = np.array([k for k, _, _ in rows], dtype=np.int64)
    code = np.array([c for _, c, _ in rows], dtype=np.int64)
    if one_key_a_value:  # each value belongs to one key, as a name to its supplier
        key = code % 3
    pence = np.array([p for _, _, p in rows], dtype=np.int64)
    groups = pd.Series(pence).groupby(key * width + code).sum()
    pairs, sums = _pairs_and_sums(key, code, pence, width, 5)
    assert pairs.tolist() == groups.index.tolist()
    assert sums.tolist() == groups.tolist()
