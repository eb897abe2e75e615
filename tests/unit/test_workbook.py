"""The workbook analysts open: an autofilter on every sheet, shares shown as
percentages, and a sheet that says what every column means."""
import openpyxl
import pandas as pd

from compare.columns import describe
from compare.export import write_workbook
from compare.run import TABLES


def test_workbook_has_autofilters_percentages_and_a_columns_sheet(tmp_path):
    scores = pd.DataFrame({"child_doc": ["c"], "parent_doc": ["p"], "echo": [0.2328], "coverage": [0.5],
                           "verbatim": [3]})
    chapters = pd.DataFrame({"child_doc": ["c"], "parent_doc": ["p"], "side": ["child"], "chapter": ["一、目标"],
                             "measure": ["echo"], "value": [0.125], "units": [4]})
    path = write_workbook({"scores": scores, "chapter_scores": chapters}, tmp_path / "w.xlsx", meta={"k": "v"})
    book = openpyxl.load_workbook(path)
    assert {"scores", "chapter_scores", "columns", "about"} <= set(book.sheetnames)
    ws = book["scores"]
    assert ws.auto_filter.ref == "A1:E2" and book["chapter_scores"].auto_filter.ref == "A1:G2"
    header = [c.value for c in ws[1]]
    echo = ws.cell(row=2, column=header.index("echo") + 1)
    assert echo.value == 0.2328 and echo.number_format == "0.0%"
    assert ws.cell(row=2, column=header.index("verbatim") + 1).number_format == "General"
    value = book["chapter_scores"].cell(row=2, column=6)
    assert value.number_format == "0.0%"
    documented = {(r[0], r[1]): r[2] for r in book["columns"].iter_rows(min_row=2, values_only=True)}
    assert set(documented) == {("scores", c) for c in scores.columns} | {("chapter_scores", c) for c in chapters.columns}
    assert all(documented.values())


def test_every_column_of_every_run_table_is_documented():
    """The columns of the tables ``planecho run`` writes, read from the code that builds them."""
    from compare.divergence import CHANGE_COLUMNS, REBRAND_COLUMNS
    from compare.hierarchy import CHAIN_COLUMNS
    from compare.lineage import PHRASE_COLUMNS
    from compare.score import SCORE_COLUMNS

    tables = {"scores": SCORE_COLUMNS + ["child_level", "parent_level", "distance"], "changed_targets": CHANGE_COLUMNS,
              "rebranded_phrases": REBRAND_COLUMNS, "chains": CHAIN_COLUMNS, "phrases": PHRASE_COLUMNS}
    assert set(tables) <= set(TABLES)
    missing = [(t, c) for t, cols in tables.items() for c in cols if not describe(t, c)]
    assert missing == []
