"""Read the body of a CSV payments file with Apache Arrow's CSV reader, at the speed of C++.

:mod:`toolkit.spend.read` finds the header row, the encoding and the columns; this module
then reads the rows below the header, only the columns needed, each as dictionary-encoded
text (every distinct value stored once, each row an integer code), so that every later check
and parse runs once per distinct value. Arrow reads the file in blocks on every core, and
never holds the file's text whole.

The fast read is used only when it is sure to give what the careful readers give: each record
on one physical line (so that line numbers are exact), every row as wide as the first, and an
encoding Arrow can decode. Otherwise :func:`read_body` returns None and the caller falls back
to pandas' C parser or the csv module (see ``PaymentsFile.reader``).

References
----------
METHODS.md §2 (spend analysis of councils' procurement ledgers; every row is either used or
listed with its reason). Apache Arrow, ``pyarrow.csv.read_csv`` (the CSV reader used).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

#: Bytes read at a time when finding empty lines.
BLOCK_BYTES = 1 << 24
#: Arrow's block size (its default): larger blocks hold more of the file at once and, on
#: this machine, read no faster.
ARROW_BLOCK_BYTES = 1 << 20


def body_offset(head: bytes, header_idx: int) -> int | None:
    """Return the byte offset of the line after the header row, or None if not in ``head``.

    Parameters
    ----------
    head : bytes
        The file's first bytes (its first megabyte).
    header_idx : int
        0-based physical line index of the header row.
    """
    offset = 0
    for _ in range(header_idx + 1):
        found = head.find(b"\n", offset)
        if found < 0:
            return None
        offset = found + 1
    return offset


class EmptyLines:
    """Find which physical lines are empty ("" or a lone carriage return), block by block.

    Feed the file's bytes in order with :meth:`feed`; :meth:`flags` then gives one bool per
    physical line (a last line without a line break counts when it holds anything). NumPy
    does the work, so another thread may run meanwhile.
    """

    def __init__(self) -> None:
        self.parts: list[np.ndarray] = []
        self.previous_end, self.position, self.carry_cr = -1, 0, False

    def feed(self, block: bytes) -> None:
        """Take the next block of the file's bytes."""
        breaks = np.flatnonzero(np.frombuffer(block, dtype=np.uint8) == 10) + self.position
        if len(breaks):
            starts = np.concatenate([[self.previous_end + 1], breaks[:-1] + 1])
            lengths = breaks - starts
            empty = lengths == 0
            for i in np.flatnonzero(lengths == 1):  # one byte: a lone "\r" is empty too
                at = int(starts[i]) - self.position
                empty[i] = self.carry_cr if at < 0 else block[at:at + 1] == b"\r"
            self.parts.append(empty)
            self.previous_end = int(breaks[-1])
        self.carry_cr = block.endswith(b"\r")
        self.position += len(block)

    def flags(self) -> np.ndarray:
        """Return one bool per physical line fed so far: whether it is empty."""
        tail = self.position - self.previous_end - 1  # bytes after the last line break
        last = [np.array([tail == 1 and self.carry_cr])] if tail > 0 else []
        parts = self.parts + last
        return np.concatenate(parts) if parts else np.zeros(0, dtype=bool)


def empty_lines(path: Path, offset: int) -> np.ndarray:
    """Return, for each physical line from ``offset`` on, whether it is empty (see above)."""
    found = EmptyLines()
    with open(path, "rb") as handle:
        handle.seek(offset)
        while block := handle.read(BLOCK_BYTES):
            found.feed(block)
    return found.flags()


def _arrow_encoding(encoding: str) -> str | None:
    """Return the encoding name to give Arrow, or None when the fast read is not used."""
    if encoding.startswith("utf-16"):
        return None
    return "utf8" if encoding.startswith("utf-8") else encoding


def read_body(path: Path, encoding: str, head: bytes, header_idx: int, positions: list[int],
              names: list[str], plain: str | None = None, empty: np.ndarray | None = None
              ) -> tuple[pd.DataFrame, np.ndarray] | None:
    """Read the columns at ``positions`` below the header with Arrow; None when not sure.

    Parameters
    ----------
    path : Path
    encoding : str
        As :func:`toolkit.spend.read.detect_encoding` found it.
    head : bytes
        The file's first megabyte (holding the header row).
    header_idx : int
        0-based physical line index of the header row.
    positions : list of int
        0-based positions of the columns to read.
    names : list of str
        The names to give them.
    plain : str, optional
        The one column read as plain text rather than dictionary-encoded (the amount, whose
        values are mostly distinct): a pandas ``string[pyarrow]`` column.
    empty : ndarray of bool, optional
        Which of the file's physical lines are empty (from :class:`EmptyLines`, fed the
        whole file); found here when not given.

    Returns
    -------
    (frame, lines) or None
        ``frame`` holds one column per name, every cell as written ("" for blank):
        categorical, or ``string[pyarrow]`` for ``plain``; ``lines`` each record's physical
        line (1-based). None when pyarrow is not
        installed, Arrow cannot read the file, or a record spans more than one line.
    """
    arrow_encoding = _arrow_encoding(encoding)
    offset = body_offset(head, header_idx)
    if arrow_encoding is None or offset is None:
        return None
    try:
        plain_at = positions[names.index(plain)] if plain in names else None
        table = _arrow_table(path, offset, arrow_encoding, positions, plain_at)
    except ImportError:
        return None
    if table is None:
        return None
    empty = empty_lines(path, offset) if empty is None else empty[header_idx + 1:]
    lines = np.flatnonzero(~empty).astype(np.int64) + header_idx + 2
    if len(lines) != table.num_rows:  # a record on several lines, or a line Arrow skipped
        return None
    frame = pd.DataFrame({name: (_plain(table.column(f"f{p}")) if name == plain
                                 else _categorical(table.column(f"f{p}")))
                          for name, p in zip(names, positions, strict=True)})
    return frame, lines


def _arrow_table(path: Path, offset: int, encoding: str, positions: list[int],
                 plain_at: int | None = None):
    """Return Arrow's table of the columns at ``positions`` (as dictionary text), or None.

    The column at ``plain_at`` is read as plain text.
    """
    import pyarrow as pa
    from pyarrow import csv as arrow_csv

    columns = [f"f{p}" for p in dict.fromkeys(positions)]
    text = pa.dictionary(pa.int32(), pa.string())
    read = arrow_csv.ReadOptions(autogenerate_column_names=True, encoding=encoding,
                                 block_size=ARROW_BLOCK_BYTES)
    parse = arrow_csv.ParseOptions(newlines_in_values=True, ignore_empty_lines=True)
    convert = arrow_csv.ConvertOptions(include_columns=columns,
                                       column_types={c: pa.string() if c == f"f{plain_at}"
                                                     else text for c in columns},
                                       strings_can_be_null=False,
                                       quoted_strings_can_be_null=False)
    # Arrow's own file (not a Python one), so that its reader threads never wait on the GIL.
    with pa.OSFile(str(path)) as handle:
        handle.seek(offset)
        try:
            return arrow_csv.read_csv(handle, read_options=read, parse_options=parse,
                                      convert_options=convert)
        except (pa.ArrowException, ValueError, UnicodeDecodeError, KeyError):
            return None


def _categorical(column) -> pd.Categorical:
    """Return an Arrow dictionary column as a pandas Categorical (Arrow unifies the blocks)."""
    values = column.to_pandas()
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.array
    return pd.Categorical(values.astype(object))


def _plain(column) -> pd.Series:
    """Return an Arrow text column as a pandas ``string[pyarrow]`` Series (not copied)."""
    return pd.Series(pd.arrays.ArrowStringArray(column))


#: Money text read here, in Arrow: an optional minus, an optional £, 1 to 13 digits of pounds
#: (so that float pence are exact) and 1 or 2 decimals. Any other text (commas, brackets,
#: "CR", spaces, other currencies) is left to :func:`toolkit.spend.read.read_money`.
PLAIN_MONEY = r"^-?£?[0-9]{1,13}(\.[0-9]{1,2})?$"


def plain_pounds(values: pd.Series) -> tuple[np.ndarray, np.ndarray] | None:
    """Return each cell's pounds (float) and whether it is plain money; None if not Arrow.

    Parameters
    ----------
    values : Series of ``string[pyarrow]``
        Money as written (from :func:`read_body`).

    Returns
    -------
    (pounds, plain) or None
        ``pounds`` is NaN where ``plain`` is False. None when ``values`` is not Arrow text.
    """
    if not isinstance(values.array, pd.arrays.ArrowStringArray):
        return None
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pa.chunked_array(pa.array(values.array)) if len(values) else None
    if text is None:
        return np.zeros(0), np.zeros(0, dtype=bool)
    plain = pc.match_substring_regex(text, PLAIN_MONEY)
    digits = pc.if_else(plain, pc.replace_substring(text, "£", ""), "nan")
    pounds = pc.cast(digits, pa.float64()).to_numpy()
    return pounds, plain.to_numpy(zero_copy_only=False).astype(bool)
