"""Tests of align.reading.ingest: decoding, extraction per format, and bad input."""
from __future__ import annotations

import codecs
import logging
import subprocess
import sys
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from align.reading import ingest
from align.reading.document import load_document
from align.errors import DecodeError, InputError
from align.reading.ingest import SUPPORTED_SUFFIXES, read_source

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
CORPORA = sorted((ROOT / "corpora").glob("*.txt"))

# Sentences from corpora/zhejiang-urbanization-14fyp.txt (simplified) ...
SIMPLIFIED = (
    "浙江在全国率先实施新型城镇化战略，城镇化进程持续加快。"
    "目前我省常住人口城镇化率已突破70%，总体上进入城镇化成熟发展期。\n"
    "“十三五”以来，我省深入实施新型城镇化战略，各项工作取得明显成效，"
    "城镇化整体水平稳居全国第一方阵。一是人口加速流入，城镇化率全国领先。\n"
)
# ... and the same kind of text converted to traditional characters by hand.
TRADITIONAL = (
    "浙江省新型城鎮化發展規劃，推進以人為核心的新型城鎮化。\n"
    "浙江在全國率先實施新型城鎮化戰略，城鎮化進程持續加快。"
    "目前我省常住人口城鎮化率已突破70%，總體上進入城鎮化成熟發展期。\n"
    "一是人口加速流入，城鎮化率全國領先。二是戶籍制度改革全面深化。\n"
)


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def assert_names_file(exc: pytest.ExceptionInfo[InputError], path: Path, *words: str) -> None:
    message = str(exc.value)
    assert message.startswith(str(path)), message
    assert "\n" not in message
    for word in words:
        assert word in message, message


# --- plain text: encodings ----------------------------------------------------


@pytest.mark.parametrize("corpus", CORPORA, ids=lambda p: p.name)
def test_real_corpora_read_as_utf8_unchanged(corpus: Path) -> None:
    src = read_source(corpus)
    assert src.encoding == "utf-8"
    assert src.format == "txt"
    assert src.text == corpus.read_bytes().decode("utf-8")
    assert src.size_bytes == corpus.stat().st_size
    assert src.path == str(corpus)


def test_seven_real_corpora_present() -> None:
    assert len(CORPORA) == 7


@pytest.mark.parametrize("codec", ["gbk", "gb2312", "gb18030"])
def test_gbk_simplified_text_detects_as_gb18030(tmp_path: Path, codec: str) -> None:
    path = write(tmp_path, "plan.txt", SIMPLIFIED.encode(codec))
    src = read_source(path)
    assert (src.encoding, src.text) == ("gb18030", SIMPLIFIED)


def test_big5_traditional_text_detects_as_big5(tmp_path: Path) -> None:
    data = TRADITIONAL.encode("big5")
    data.decode("gb18030")  # the trap: Big5 bytes are valid GB18030 too
    src = read_source(write(tmp_path, "plan.txt", data))
    assert (src.encoding, src.text) == ("big5", TRADITIONAL)


def test_codec_choice_is_logged(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = write(tmp_path, "plan.txt", TRADITIONAL.encode("big5"))
    with caplog.at_level(logging.DEBUG, logger="align.reading.ingest"):
        read_source(path)
    assert any("GB18030 reads implausibly" in r.getMessage() for r in caplog.records)


def test_short_big5_title_detects_as_big5(tmp_path: Path) -> None:
    title = "浙江省新型城鎮化發展規劃，推進以人為核心的新型城鎮化"
    src = read_source(write(tmp_path, "title.md", title.encode("big5")))
    assert (src.encoding, src.text, src.format) == ("big5", title, "txt")


def test_gbk_text_with_rare_place_names_stays_gb18030(tmp_path: Path) -> None:
    text = "衢州、丽水、缙云、瓯江、鄞州、嵊州、婺城推进县城承载能力提升。" * 3
    src = read_source(write(tmp_path, "places.txt", text.encode("gbk")))
    assert (src.encoding, src.text) == ("gb18030", text)


def test_utf8_bom_is_reported_and_stripped(tmp_path: Path) -> None:
    src = read_source(write(tmp_path, "plan.txt", codecs.BOM_UTF8 + SIMPLIFIED.encode()))
    assert (src.encoding, src.text) == ("utf-8-sig", SIMPLIFIED)


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_and_without_bom(tmp_path: Path, codec: str) -> None:
    # "utf-16" writes a BOM; the explicit byte orders write none.
    src = read_source(write(tmp_path, "plan.txt", SIMPLIFIED.encode(codec)))
    assert (src.encoding, src.text) == ("utf-16", SIMPLIFIED)


def test_utf16_without_bom_and_little_ascii(tmp_path: Path) -> None:
    text = "第一章　总体要求\n一是坚持以人民为中心。\n"  # 一 (U+4E00) puts NULs on the "wrong" side
    src = read_source(write(tmp_path, "plan.txt", text.encode("utf-16-le")))
    assert (src.encoding, src.text) == ("utf-16", text)


@pytest.mark.parametrize("ending", ["\r\n", "\r"])
def test_line_endings_normalised_to_newline(tmp_path: Path, ending: str) -> None:
    raw = "第一章 总体要求\n\n一、发展基础\n".replace("\n", ending)
    src = read_source(write(tmp_path, "plan.txt", raw.encode("gb18030")))
    assert src.text == "第一章 总体要求\n\n一、发展基础\n"


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=1),
            st.sampled_from(["\r\n", "\r", "\n", "，", "。", " ", "70%", "（一）"]),
        ),
        min_size=1,
    ).filter(lambda parts: any("\u4e00" <= part[0] <= "\u9fff" for part in parts))
)
def test_utf8_roundtrip_loses_no_character(tmp_path_factory: pytest.TempPathFactory, parts: list[str]) -> None:
    raw = "".join(parts)
    path = tmp_path_factory.mktemp("prop") / "plan.txt"
    path.write_bytes(raw.encode("utf-8"))
    src = read_source(path)
    assert src.text == raw.replace("\r\n", "\n").replace("\r", "\n")


# --- plain text: forced encoding ---------------------------------------------


def test_forced_encoding_overrides_detection(tmp_path: Path) -> None:
    gbk = write(tmp_path, "gbk.txt", SIMPLIFIED.encode("gbk"))
    assert read_source(gbk, encoding="GB2312").encoding == "gb18030"
    big5 = write(tmp_path, "big5.txt", TRADITIONAL.encode("big5"))
    # Detection says big5, but forcing a codec that decodes the bytes is the user's call.
    assert read_source(big5, encoding="gb18030").encoding == "gb18030"
    assert read_source(big5, encoding="cp950").text == TRADITIONAL


def test_forced_utf8_on_bom_file_drops_the_bom(tmp_path: Path) -> None:
    path = write(tmp_path, "plan.txt", codecs.BOM_UTF8 + SIMPLIFIED.encode())
    src = read_source(path, encoding="utf-8")
    assert (src.encoding, src.text) == ("utf-8-sig", SIMPLIFIED)


def test_forced_encoding_that_does_not_decode(tmp_path: Path) -> None:
    path = write(tmp_path, "plan.txt", SIMPLIFIED)
    with pytest.raises(DecodeError) as exc:
        read_source(path, encoding="ascii")
    assert_names_file(exc, path, "'ascii'", "offset 0")


@pytest.mark.parametrize("name", ["no-such-codec", "rot13"])
def test_forced_unknown_or_non_text_encoding(tmp_path: Path, name: str) -> None:
    path = write(tmp_path, "plan.txt", SIMPLIFIED)
    with pytest.raises(DecodeError) as exc:
        read_source(path, encoding=name)
    assert_names_file(exc, path, repr(name))


# --- bad input ----------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.txt"
    with pytest.raises(InputError) as exc:
        read_source(path)
    assert_names_file(exc, path, "not found")


def test_directory(tmp_path: Path) -> None:
    path = tmp_path / "plans.txt"
    path.mkdir()
    with pytest.raises(InputError) as exc:
        read_source(path)
    assert_names_file(exc, path, "is a directory, not a file")


@pytest.mark.parametrize("name", ["plan.rtf", "plan.doc", "README"])
def test_unsupported_extension_lists_supported_ones(tmp_path: Path, name: str) -> None:
    path = write(tmp_path, name, SIMPLIFIED)
    with pytest.raises(InputError) as exc:
        read_source(path)
    assert_names_file(exc, path, "unsupported", *sorted(SUPPORTED_SUFFIXES))


def test_suffix_is_case_insensitive(tmp_path: Path) -> None:
    assert read_source(write(tmp_path, "PLAN.TXT", SIMPLIFIED)).text == SIMPLIFIED


@pytest.mark.parametrize(
    "data", [b"", b" \n\t\r\n", codecs.BOM_UTF8, codecs.BOM_UTF16_LE, "　\n".encode()],
    ids=["0-bytes", "whitespace", "utf8-bom", "utf16-bom", "ideographic-space"],
)
def test_empty_file(tmp_path: Path, data: bytes) -> None:
    path = write(tmp_path, "plan.txt", data)
    with pytest.raises(InputError) as exc:
        read_source(path)
    assert_names_file(exc, path, "empty file")


def test_nul_bytes_in_utf8_text_is_binary(tmp_path: Path) -> None:
    path = write(tmp_path, "plan.txt", SIMPLIFIED.encode() + b"\x00\x00\x01" + SIMPLIFIED.encode())
    with pytest.raises(InputError) as exc:
        read_source(path)
    assert_names_file(exc, path, "looks like a binary file")


def test_png_renamed_txt_is_binary(tmp_path: Path) -> None:
    png = (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x02\x00\x00\x00"
        b"\x90\x91h6\x00\x00\x00\x0cIDATx\x9cc```\x00\x00\x00\x04\x00\x01\xf6\x178U"
        b"\x00\x00\x00\x00IEND\xaeB`\x82"
    )
    path = write(tmp_path, "scan.txt", png)
    with pytest.raises(InputError) as exc:
        read_source(path)
    assert_names_file(exc, path, "looks like a binary file")


def test_undecodable_bytes(tmp_path: Path) -> None:
    path = write(tmp_path, "plan.txt", bytes(range(0x80, 0x100)) * 40)
    with pytest.raises(DecodeError) as exc:
        read_source(path)
    assert_names_file(exc, path, "cannot decode", "UTF-8", "GB18030")


def test_utf8_with_corrupt_bytes_is_not_misread(tmp_path: Path) -> None:
    # Not UTF-8 any more, not GB18030 either; a single-byte guess is no Chinese.
    path = write(tmp_path, "plan.txt", "中文".encode() + b"\xff\x80\x81" * 20 + "规划".encode())
    with pytest.raises(DecodeError) as exc:
        read_source(path)
    assert_names_file(exc, path, "offset 6")


def test_text_without_chinese(tmp_path: Path) -> None:
    path = write(tmp_path, "plan.txt", "The 14th Five-Year Plan of Zhejiang.\n")
    with pytest.raises(InputError) as exc:
        read_source(path)
    assert_names_file(exc, path, "no Chinese text")


def test_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert ingest.MAX_BYTES >= 200 * 1024 * 1024
    monkeypatch.setattr(ingest, "MAX_BYTES", 100)
    path = write(tmp_path, "plan.txt", SIMPLIFIED)
    with pytest.raises(InputError) as exc:
        read_source(path)
    assert_names_file(exc, path, "limit")


def test_50_mb_text_reads_with_memory_proportional_to_input(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    block = (SIMPLIFIED.replace("\n", "\r\n") * 200).encode("utf-8")
    path = tmp_path / "big.txt"
    with path.open("wb") as fh:
        for _ in range(50 * 2**20 // len(block) + 1):
            fh.write(block)
    size = path.stat().st_size
    assert size >= 50 * 2**20
    tracemalloc.start()
    try:
        src = read_source(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert src.encoding == "utf-8"
    assert "\r" not in src.text and src.text.startswith(SIMPLIFIED)
    # bytes (1x) + CPython's UTF-8 decoder, which transiently allocates 2 bytes per
    # input byte before shrinking to the result (~0.7x): about 4x; a list per
    # character would be ~50x.
    assert peak < 5 * size, f"peak {peak / 2**20:.0f} MiB for a {size / 2**20:.0f} MiB file"
    # read, with one warning naming the file: far larger than a plan, it takes a while
    (warning,) = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert str(path) in warning and "larger than a plan" in warning


def test_import_is_cheap() -> None:
    code = (
        "import sys, align.reading.ingest; "
        "heavy = {'docx', 'pdfplumber', 'pdfminer', 'bs4', 'lxml', 'charset_normalizer'}; "
        "print(sorted(heavy & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --- docx ---------------------------------------------------------------------


def make_docx(path: Path) -> Path:
    import docx

    document = docx.Document()
    document.add_heading("台州市新型城镇化发展“十四五”规划", level=1)
    document.add_paragraph("第一章　发展基础")
    table = document.add_table(rows=2, cols=3)
    for r, row in enumerate([("指标", "2020年", "2025年"), ("城镇化率（%）", "72.2", "75")]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.add_paragraph("推进以人为核心的新型城镇化。")
    document.save(path)
    return path


def test_docx_paragraphs_and_table_rows_in_document_order(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "plan.docx")
    src = read_source(path)
    assert src.format == "docx" and src.encoding is None
    assert src.size_bytes == path.stat().st_size
    assert src.text.split("\n") == [
        "台州市新型城镇化发展“十四五”规划",
        "第一章　发展基础",
        "指标\t2020年\t2025年",
        "城镇化率（%）\t72.2\t75",
        "推进以人为核心的新型城镇化。",
    ]
    (table,) = src.tables
    assert src.text[table.start:table.end] == "指标\t2020年\t2025年\n城镇化率（%）\t72.2\t75"
    assert table.rows == (("指标", "2020年", "2025年"), ("城镇化率（%）", "72.2", "75"))


def test_docx_table_is_kept_aside_as_a_table_not_units(tmp_path: Path) -> None:
    """A small table (2 × 3) is too small for the flattened-table heuristics;
    its markup in the .docx says what it is."""
    path = make_docx(tmp_path / "plan.docx")
    doc = load_document(str(path))
    (table,) = doc.tables
    assert table.rows == (("指标", "2020年", "2025年"), ("城镇化率（%）", "72.2", "75"))
    texts = [u.text for u in doc.units("clause")]
    assert texts == ["推进以人为核心的新型城镇化。"]
    assert any(r.reason == "table" and r.detail == table.table_id for r in doc.cleaned.removals)


def test_docx_box_table_stays_text(tmp_path: Path) -> None:
    """A one-cell table is a box (专栏) of prose, not data: its text is read."""
    import docx

    document = docx.Document()
    document.add_paragraph("二、主要任务")
    box = document.add_table(rows=1, cols=1)
    box.cell(0, 0).text = "专栏1 重点工程\n实施千年古城复兴工程，打造历史文化名城。"
    path = tmp_path / "box.docx"
    document.save(path)
    doc = load_document(str(path))
    assert doc.source.tables == () and doc.tables == []
    assert [u.text for u in doc.units("sentence")] == ["实施千年古城复兴工程，打造历史文化名城。"]


def test_docx_merged_cells_appear_once(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("主要指标")
    table = document.add_table(rows=2, cols=3)
    table.cell(0, 0).merge(table.cell(0, 2)).text = "表1 城镇化主要指标"
    table.cell(1, 0).merge(table.cell(1, 1)).text = "常住人口"
    table.cell(1, 2).text = "万人"
    path = tmp_path / "merged.docx"
    document.save(path)
    src = read_source(path)
    assert src.text.split("\n") == ["主要指标", "表1 城镇化主要指标", "常住人口\t万人"]
    assert src.tables[0].rows == (("表1 城镇化主要指标",), ("常住人口", "万人"))


def test_docx_vertically_merged_cell_appears_once(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).merge(table.cell(1, 0)).text = "城镇化"
    table.cell(0, 1).text = "城镇化率"
    table.cell(1, 1).text = "户籍人口城镇化率"
    path = tmp_path / "vmerge.docx"
    document.save(path)
    src = read_source(path)
    assert src.text.split("\n") == ["城镇化\t城镇化率", "\t户籍人口城镇化率"]
    assert src.tables[0].rows == (("城镇化", "城镇化率"), ("", "户籍人口城镇化率"))


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (SIMPLIFIED.encode(), ("not a valid .docx (zip) file",)),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ("Word 97-2003",)),
    ],
    ids=["text", "old-doc"],
)
def test_invalid_docx(tmp_path: Path, data: bytes, words: tuple[str, ...]) -> None:
    path = write(tmp_path, "plan.docx", data)
    with pytest.raises(InputError) as exc:
        read_source(path)
    assert_names_file(exc, path, *words)


def test_zip_that_is_not_a_docx(tmp_path: Path) -> None:
    path = tmp_path / "plan.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "not a word document")
    with pytest.raises(InputError) as exc:
        read_source(path)
    assert_names_file(exc, path, "not a valid .docx file")


def test_truncated_docx(tmp_path: Path) -> None:
    good = make_docx(tmp_path / "good.docx").read_bytes()
    path = write(tmp_path, "plan.docx", good[: len(good) // 2])
    with pytest.raises(InputError) as exc:
        read_source(path)
    assert_names_file(exc, path, "not a valid .docx")


def test_docx_without_chinese(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("Only English here.")
    path = tmp_path / "plan.docx"
    document.save(path)
    with pytest.raises(InputError) as exc:
        read_source(path)
    assert_names_file(exc, path, "no Chinese text")


# --- pdf ----------------------------------------------------------------------


def cjk_font() -> Path:
    """A TTF mapping every code point, shipped with matplotlib (a project dependency).

    Last Resort draws placeholder glyphs, but fpdf2 writes a ToUnicode map, so
    the PDF's text layer holds the real characters.
    """
    import matplotlib

    font = Path(matplotlib.get_data_path(), "fonts", "ttf", "LastResortHE-Regular.ttf")
    if not font.exists():  # pragma: no cover - depends on the matplotlib build
        pytest.skip("no CJK-capable font available")
    return font


def test_pdf_text_of_every_page(tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("cjk", fname=str(cjk_font()))
    pdf.set_font("cjk", size=12)
    pdf.add_page()
    pdf.cell(text="浙江省新型城镇化发展“十四五”规划")
    pdf.ln()
    pdf.cell(text="推进以人为核心的新型城镇化。")
    pdf.add_page()
    pdf.cell(text="第二章共同富裕")
    path = tmp_path / "plan.pdf"
    pdf.output(str(path))
    src = read_source(path)
    assert (src.format, src.encoding) == ("pdf", None)
    assert src.text == "浙江省新型城镇化发展“十四五”规划\n推进以人为核心的新型城镇化。\n第二章共同富裕"


def test_pdf_without_text_layer(tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 60, style="F")  # what a scanned page amounts to
    path = tmp_path / "scan.pdf"
    pdf.output(str(path))
    with pytest.raises(InputError) as exc:
        read_source(path)
    assert_names_file(exc, path, "no text layer (scanned?)")


@pytest.mark.parametrize(
    "data", [b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage", SIMPLIFIED.encode()], ids=["corrupt", "text"]
)
def test_corrupt_pdf(tmp_path: Path, data: bytes) -> None:
    path = write(tmp_path, "plan.pdf", data)
    with pytest.raises(InputError) as exc:
        read_source(path)
    assert_names_file(exc, path, "not a valid PDF")


# --- html ---------------------------------------------------------------------


def test_gov_portal_page_keeps_title_and_article_only() -> None:
    path = FIXTURES / "gov_portal_page.html"
    src = read_source(path)
    assert (src.format, src.encoding) == ("html", "utf-8")
    lines = src.text.split("\n")
    assert lines[0] == "浙江省新型城镇化发展“十四五”规划"
    assert lines[1] == "一、迈入城镇化成熟稳定发展的新阶段"
    assert "浙江在全国率先实施新型城镇化战略，城镇化进程持续加快。目前我省常住人口城镇化率已突破70%，总体上进入城镇化成熟发展期。" in lines
    # a source line break between Chinese characters is dropped; <br> is a new line
    assert "“十三五”以来，我省深入实施新型城镇化战略，各项工作取得明显成效，城镇化整体水平稳居全国第一方阵。" in lines
    assert "一是人口加速流入，城镇化率全国领先。" in lines
    assert lines[-3:] == [
        "指标\t2020年\t2025年", "常住人口城镇化率（%）\t72.2\t75",
        "二是户籍制度改革全面深化，人口市民化水平不断提升。",
    ]
    (table,) = src.tables
    assert table.rows == (("指标", "2020年", "2025年"), ("常住人口城镇化率（%）", "72.2", "75"))
    assert src.text[table.start:table.end] == "\n".join(lines[-3:-1])
    for noise in ("当前位置", "首页", "政务公开", "版权所有", "备案", "ICP", "门户网站", "分享到",
                  "相关阅读", "脚本", "样式", "隐藏", "发布日期", "请输入"):
        assert noise not in src.text, noise


def test_html_table_is_kept_aside_and_layout_tables_are_read() -> None:
    doc = load_document(str(FIXTURES / "gov_portal_page.html"))
    (table,) = doc.tables
    assert table.rows[1] == ("常住人口城镇化率（%）", "72.2", "75")
    assert not [u for u in doc.units("clause") if "72.2" in u.text or u.text in ("指标", "75")]


def test_html_layout_table_of_prose_is_text(tmp_path: Path) -> None:
    long = "推进以人为核心的新型城镇化，" * 8 + "全面提升城市品质。"
    page = (f'<html><body><table><tr><td><div class="content"><p>一、总体要求</p><p>{long}</p>'
            f'<table><tr><td>{long}</td><td>{long}</td></tr><tr><td>{long}</td><td>加快建设。</td></tr></table>'
            '</div></td></tr></table></body></html>')
    src = read_source(write(tmp_path, "layout.html", page.encode("utf-8")))
    assert src.tables == ()
    assert src.text.count(long) == 4


def test_html_meta_charset_gb2312(tmp_path: Path) -> None:
    page = (
        '<html><head><meta charset="gb2312"><title>规划</title></head><body>'
        '<div class="nav"><a href="/">首页</a></div>'
        f'<div class="TRS_Editor"><p>{SIMPLIFIED}</p></div></body></html>'
    )
    src = read_source(write(tmp_path, "page.htm", page.encode("gbk")))
    assert src.encoding == "gb18030"
    assert "首页" not in src.text
    assert SIMPLIFIED.replace("\n", "") in src.text


def test_html_wrong_meta_charset_falls_back_to_detection(tmp_path: Path) -> None:
    page = f'<html><head><meta charset="utf-8"></head><body><h1>规划</h1><p>{SIMPLIFIED}</p></body></html>'
    src = read_source(write(tmp_path, "page.html", page.encode("gbk")))
    assert src.encoding == "gb18030"
    assert src.text.startswith("规划\n")


def test_html_without_content_class_uses_text_density(tmp_path: Path) -> None:
    paragraphs = "".join(f"<p>{line}</p>" for line in SIMPLIFIED.splitlines())
    links = "".join(f'<li><a href="/{i}">台州市新型城镇化发展规划解读之{i}</a></li>' for i in range(30))
    page = (
        "<html><head><title>浙江省新型城镇化发展规划_浙江省人民政府</title></head><body>"
        '<div class="top"><div class="crumb">当前位置：首页 &gt; 政务公开</div></div>'
        f'<div class="wrap"><div class="left"><ul>{links}</ul></div>'
        f'<div class="right"><div class="bd">{paragraphs}</div>'
        '<div class="foot">版权所有：浙江省人民政府办公厅</div></div></div>'
        "</body></html>"
    )
    src = read_source(write(tmp_path, "page.html", page))
    assert src.text.split("\n") == ["浙江省新型城镇化发展规划_浙江省人民政府", *SIMPLIFIED.splitlines()]


def test_aspnet_form_wrapping_the_page_is_kept(tmp_path: Path) -> None:
    page = (
        '<html><body><form id="form1"><input type="hidden" name="__VIEWSTATE" value="x">'
        f'<div class="content"><h1>规划</h1><p>{SIMPLIFIED}</p></div></form></body></html>'
    )
    src = read_source(write(tmp_path, "page.html", page))
    assert src.text.startswith("规划\n浙江在全国率先实施")


def test_html_without_chinese(tmp_path: Path) -> None:
    path = write(tmp_path, "page.html", "<html><body><p>Hello</p><script>var a='中文';</script></body></html>")
    with pytest.raises(InputError) as exc:
        read_source(path)
    assert_names_file(exc, path, "no Chinese text")
