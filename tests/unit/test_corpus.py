"""The corpus manifest: the bundled one, the hierarchy queries and every validation error."""
from __future__ import annotations

from pathlib import Path

import pytest

from align.reading.corpus import (
    LEVELS,
    DocumentEntry,
    Manifest,
    Pair,
    default_manifest_path,
    entry_for_path,
    load_manifest,
)
from align.errors import InputError, ManifestError

REPO = Path(__file__).resolve().parents[2]
BUNDLED = REPO / "corpora" / "manifest.toml"
ZJ = "zhejiang-urbanization-14fyp"
TZ = "taizhou-urbanization-14fyp"
TZD = "taizhou-daily-2021-02-10-gov-report"
LH = "linhai-14fyp-outline"
LQ = "luqiao-14fyp-outline"
MIIT = "miit-14fyp-smart-manufacturing-plan"
SD = "shandong-smart-manufacturing-action-2022"


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run in tmp_path, so messages show manifests there as plain "manifest.toml"."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="module")
def bundled() -> Manifest:
    return load_manifest(BUNDLED)


# --- the bundled manifest -------------------------------------------------------------


def test_bundled_manifest_lists_the_seven_texts_in_hierarchy_order(bundled: Manifest) -> None:
    assert bundled.ids() == [ZJ, TZ, TZD, LH, LQ, MIIT, SD]
    assert [d.level for d in bundled.documents] == [
        "province", "city", "city", "county", "district", "nation", "province"
    ]
    for doc in bundled.documents:
        assert doc.file.is_absolute() and doc.file.is_file()
        assert doc.file.name == f"{doc.id}.txt"
        assert doc.title and doc.region


def test_bundled_fields_match_the_corpus_readme(bundled: Manifest) -> None:
    zj = bundled.get(ZJ)
    assert (zj.title, zj.region, zj.date, zj.parents) == (
        "浙江省新型城镇化发展“十四五”规划", "浙江省", "2021-08", ()
    )
    assert bundled.get(TZ).date == "2021-09-29"
    assert bundled.get(TZD).parents == (ZJ,)
    assert bundled.get(LH).region == "临海市"
    assert bundled.get(LQ).date == "2023-06-19"


def test_default_manifest_path_finds_the_bundled_file(monkeypatch: pytest.MonkeyPatch,
                                                      tmp_path: Path) -> None:
    monkeypatch.chdir(REPO / "tests")  # searched upwards from here
    assert default_manifest_path() == BUNDLED
    monkeypatch.chdir(tmp_path)  # nothing above: falls back to the repository copy
    assert default_manifest_path() == BUNDLED


def test_linhai_ancestors_keep_the_smallest_distance(bundled: Manifest) -> None:
    ancestors = [(d.id, n) for d, n in bundled.ancestors(LH)]
    # Zhejiang is declared directly, so distance 1, not 2 via Taizhou; and listed once.
    assert ancestors == [(TZ, 1), (TZD, 1), (ZJ, 1)]


def test_ancestors_are_transitive_and_nearest_first(tmp_path: Path) -> None:
    m = load_manifest(_manifest(tmp_path, _doc("a"), _doc("b", ["a"]), _doc("c", ["b"])))
    assert [(d.id, n) for d, n in m.ancestors("c")] == [("b", 1), ("a", 2)]
    assert m.ancestors("a") == []


def test_parents_children_and_pairs(bundled: Manifest) -> None:
    assert [d.id for d in bundled.parents(LQ)] == [TZ, TZD, ZJ]
    assert [d.id for d in bundled.children(ZJ)] == [TZ, TZD, LH, LQ]
    assert bundled.children(LH) == ()
    pairs = bundled.pairs()
    assert len(pairs) == 9 == sum(len(d.parents) for d in bundled.documents)
    assert (pairs[0].child, pairs[0].parent) == (TZ, ZJ) and pairs[0] == Pair(child=TZ, parent=ZJ)
    assert Pair(child=SD, parent=MIIT) in pairs
    assert Pair(child=LH, parent=TZ) in pairs and Pair(child=TZ, parent=LH) not in pairs


def test_pairs_are_named_records_child_first() -> None:
    """Unpacking a pair the wrong way round gave plausible reversed scores: the record is named."""
    p = Pair(child="c", parent="p")
    assert p._fields == ("child", "parent") and tuple(p) == ("c", "p")
    assert p.child == "c" and p.parent == "p"


def test_topological_puts_parents_first(bundled: Manifest) -> None:
    order = [d.id for d in bundled.topological()]
    assert order[0] == ZJ
    assert sorted(order) == sorted(bundled.ids())
    for pair in bundled.pairs():
        assert order.index(pair.parent) < order.index(pair.child)


def test_topological_reorders_a_manifest_written_children_first(tmp_path: Path) -> None:
    m = load_manifest(_manifest(tmp_path, _doc("c", ["b"]), _doc("b", ["a"]), _doc("a")))
    assert [d.id for d in m.topological()] == ["a", "b", "c"]


def test_get_and_contains(bundled: Manifest) -> None:
    assert LH in bundled and "nowhere" not in bundled
    assert isinstance(bundled.get(LH), DocumentEntry)
    with pytest.raises(ManifestError, match=r'unknown document "linhai-outline"') as err:
        bundled.get("linhai-outline")
    assert f'did you mean "{LH}"' in str(err.value)
    assert ZJ in str(err.value)  # lists the known ids


def test_levels_rank_the_nation_highest() -> None:
    assert LEVELS == ("nation", "province", "city", "county", "district")


# --- optional fields and date forms ---------------------------------------------------


def test_optional_fields_and_a_toml_date(tmp_path: Path) -> None:
    doc = _doc("a", date="2021-09-29").replace('date = "2021-09-29"', "date = 2021-09-29")
    doc += 'encoding = "gb18030"\nnotes = "scanned"\n'
    entry = load_manifest(_manifest(tmp_path, doc)).get("a")
    assert (entry.date, entry.encoding, entry.notes) == ("2021-09-29", "gb18030", "scanned")


def test_file_is_relative_to_the_manifest_directory(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    path = _manifest(tmp_path, _doc("a"))
    monkeypatch.chdir(REPO)
    assert load_manifest(path).get("a").file == (tmp_path / "a.txt").resolve()


# --- errors: the manifest file itself -------------------------------------------------


def test_missing_manifest(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="not found") as err:
        load_manifest(tmp_path / "nope.toml")
    assert "nope.toml" in str(err.value)


def test_manifest_that_is_a_directory(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="is a directory"):
        load_manifest(tmp_path)


def test_bad_toml_reports_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "manifest.toml"
    path.write_text('[[document]]\nid = "a"\ntitle = = "x"\n', encoding="utf-8")
    with pytest.raises(ManifestError) as err:
        load_manifest(path)
    message = str(err.value)
    assert "manifest.toml:3: invalid TOML" in message
    assert "line 3, column" in message


def test_no_document_tables(tmp_path: Path) -> None:
    path = tmp_path / "manifest.toml"
    path.write_text("# nothing yet\n", encoding="utf-8")
    with pytest.raises(ManifestError, match=r"no \[\[document\]\] tables"):
        load_manifest(path)


def test_misspelt_document_tables_get_a_suggestion(tmp_path: Path) -> None:
    path = _manifest(tmp_path, _doc("a").replace("[[document]]", "[[documents]]"))
    assert 'no [[document]] tables (did you mean "documents"?)' in _error(path)


def test_single_document_table_instead_of_array(tmp_path: Path) -> None:
    path = _manifest(tmp_path, _doc("a").replace("[[document]]", "[document]"))
    with pytest.raises(ManifestError, match=r"double brackets"):
        load_manifest(path)


# --- errors: one document -------------------------------------------------------------


def test_missing_required_field_names_line_and_id(tmp_path: Path) -> None:
    path = _manifest(tmp_path, _doc("a"), _doc("b", ["a"]).replace('region = "某市"\n', ""))
    message = _error(path)
    assert 'manifest.toml:9: document "b": missing required field "region"' in message
    assert "\n" not in message  # one problem, one line


def test_missing_parents_says_how_to_write_none(tmp_path: Path) -> None:
    path = _manifest(tmp_path, _doc("a").replace("parents = []\n", ""))
    assert 'missing required field "parents"; add parents = []' in _error(path)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('title = "a 规划"', "title = 3", "title must be a string, not an integer"),
        ("parents = []", 'parents = "zj"', "parents must be a list of ids"),
        ("parents = []", "parents = [1]", "parents must be a list of ids"),
        ('region = "某市"', 'region = ""', "region is empty"),
        ('date = "2021-08"', 'date = "2021/08"', 'date "2021/08" is not an ISO date'),
        ('date = "2021-08"', 'date = "2021-13"', 'date "2021-13" is not an ISO date'),
        ('date = "2021-08"', "date = 2021-08-01T10:00:00", "date has a time of day"),
    ],
)
def test_wrong_field_types_point_at_the_field_line(tmp_path: Path, old: str, new: str,
                                                   expected: str) -> None:
    doc = _doc("a")
    assert old in doc
    path = _manifest(tmp_path, doc.replace(old, new))
    line = path.read_text(encoding="utf-8").splitlines().index(new) + 1
    message = _error(path)
    assert f"manifest.toml:{line}: document \"a\": {expected}" in message


def test_unknown_field_suggests_the_known_one(tmp_path: Path) -> None:
    path = _manifest(tmp_path, _doc("a") + 'note = "typo"\n')
    assert 'unknown field "note" (did you mean "notes"?)' in _error(path)


def test_unknown_encoding(tmp_path: Path) -> None:
    path = _manifest(tmp_path, _doc("a") + 'encoding = "gb9999"\n')
    assert 'unknown encoding "gb9999"' in _error(path)


def test_duplicate_id_names_the_first_line(tmp_path: Path) -> None:
    path = _manifest(tmp_path, _doc("a"), _doc("a"))
    assert 'manifest.toml:10: document "a": duplicate id (first at line 1)' in _error(path)


def test_unknown_level_lists_the_allowed_ones(tmp_path: Path) -> None:
    path = _manifest(tmp_path, _doc("a", level="prefecture"))
    message = _error(path)
    assert 'unknown level "prefecture" (did you mean "city"?)' in message
    assert "nation, province, city, county, district" in message


@pytest.mark.parametrize("bad_id", ["", "linhai outline", "taizhou/urbanization", "a\tb"])
def test_unusable_id(tmp_path: Path, bad_id: str) -> None:
    path = _manifest(tmp_path, _doc("a").replace('id = "a"', f'id = "{bad_id}"'))
    message = _error(path)
    assert "manifest.toml:2:" in message and "is not usable" in message


def test_unknown_parent_suggests_the_close_match(tmp_path: Path) -> None:
    path = _manifest(
        tmp_path, _doc(TZ), _doc(LH, ["taizhou-urbanisation-14fyp"], level="county")
    )
    assert _error(path) == (
        f'manifest.toml:15: document "{LH}": unknown parent "taizhou-urbanisation-14fyp" '
        f'(did you mean "{TZ}"?); parents must be ids of this manifest'
    )


def test_unknown_parent_in_a_multiline_list_points_at_its_own_line(tmp_path: Path) -> None:
    listed = 'parents = [\n    "a",\n    "x",\n]'
    doc = _doc("b", ["a", "x"]).replace('parents = ["a", "x"]', listed)
    path = _manifest(tmp_path, _doc("a"), doc)
    assert _error(path).startswith('manifest.toml:17: document "b": unknown parent "x"')


def test_own_parent(tmp_path: Path) -> None:
    path = _manifest(tmp_path, _doc("a", ["a"]))
    message = _error(path)
    assert 'manifest.toml:7: document "a": lists itself as a parent' in message
    assert "cycle" not in message  # reported once, as what it is


def test_parent_listed_twice(tmp_path: Path) -> None:
    path = _manifest(tmp_path, _doc("a"), _doc("b", ["a", "a"]))
    assert 'parent "a" listed twice' in _error(path)


def test_cycle_is_reported_as_a_chain(tmp_path: Path) -> None:
    path = _manifest(tmp_path, _doc("a", ["b"]), _doc("b", ["a"]), _doc("c", ["a"]))
    message = _error(path)
    assert 'manifest.toml:1: document "a": parents form a cycle a → b → a' in message
    assert "\n" not in message  # the one cycle, reported once


def test_longer_cycle(tmp_path: Path) -> None:
    path = _manifest(tmp_path, _doc("a", ["c"]), _doc("b", ["a"]), _doc("c", ["b"]))
    assert "cycle a → c → b → a" in _error(path)


def test_missing_text_file(tmp_path: Path) -> None:
    path = _manifest(tmp_path, _doc("a"))
    (tmp_path / "a.txt").unlink()
    message = _error(path)
    assert 'manifest.toml:6: document "a": file "a.txt" not found' in message
    assert "relative to the manifest's directory" in message


def test_text_file_that_is_a_directory(tmp_path: Path) -> None:
    path = _manifest(tmp_path, _doc("a"))
    (tmp_path / "a.txt").unlink()
    (tmp_path / "a.txt").mkdir()
    assert 'file "a.txt" is a directory' in _error(path)


# --- several problems at once ---------------------------------------------------------


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    path = _manifest(
        tmp_path,
        _doc("a", level="country"),  # lines 1-8
        _doc("b", ["zz"]).replace('title = "b 规划"\n', ""),  # lines 9-15
        _doc("a"),  # lines 16-23
        _doc("c", ["d"]),  # lines 24-31
        _doc("d", ["c"]),  # lines 32-39
    )
    (tmp_path / "c.txt").unlink()
    lines = _error(path).splitlines()
    assert lines == [
        "6 problems in manifest.toml:",
        'manifest.toml:3: document "a": unknown level "country" (did you mean "nation"?); '
        "use one of nation, province, city, county, district",
        'manifest.toml:9: document "b": missing required field "title"; add title = ...',
        'manifest.toml:14: document "b": unknown parent "zz"; '
        "parents must be ids of this manifest",
        'manifest.toml:17: document "a": duplicate id (first at line 1); ids must be unique',
        'manifest.toml:24: document "c": parents form a cycle c → d → c; '
        "remove one of these parent links",
        'manifest.toml:29: document "c": file "c.txt" not found '
        f"(looked for {tmp_path / 'c.txt'}); "
        "paths are relative to the manifest's directory",
    ]


# --- entry_for_path -------------------------------------------------------------------


def test_entry_for_a_plain_file(tmp_path: Path) -> None:
    text = tmp_path / "wenling-plan.txt"
    text.write_text("温岭市规划", encoding="utf-8")
    entry = entry_for_path(text)
    assert (entry.id, entry.title, entry.level, entry.parents) == (
        "wenling-plan", "wenling-plan", "", ()
    )
    assert entry.file == text.resolve()


def test_entry_for_a_bundled_text() -> None:
    entry = entry_for_path(REPO / "corpora" / f"{LH}.txt")
    assert entry.id == LH and entry.file.is_file()


def test_entry_for_a_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "gone.txt"
    with pytest.raises(InputError, match="no such file") as err:
        entry_for_path(missing)
    assert "gone.txt" in str(err.value)
    assert not isinstance(err.value, ManifestError)


def test_entry_for_a_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a directory"):
        entry_for_path(tmp_path)


# --- helpers --------------------------------------------------------------------------


def _doc(doc_id: str, parents: list[str] | None = None, *, level: str = "city",
         date: str = "2021-08") -> str:
    """One [[document]] table of exactly 8 lines (header first, parents on line 7)."""
    listed = ", ".join(f'"{p}"' for p in parents or [])
    return (
        "[[document]]\n"
        f'id = "{doc_id}"\n'
        f'level = "{level}"\n'
        f'title = "{doc_id} 规划"\n'
        f'region = "某市"\n'
        f'file = "{doc_id}.txt"\n'
        f"parents = [{listed}]\n"
        f'date = "{date}"\n'
    )


def _manifest(folder: Path, *docs: str) -> Path:
    """Write ``docs`` as folder/manifest.toml, with the text file each one names."""
    for doc in docs:
        for line in doc.splitlines():
            if line.startswith("file = "):
                name = line.split('"')[1]
                if name and "/" not in name:
                    (folder / name).write_text("规划正文", encoding="utf-8")
    path = folder / "manifest.toml"
    path.write_text("".join(docs), encoding="utf-8")
    return path


def _error(path: Path) -> str:
    """The message of the ManifestError that loading ``path`` raises."""
    with pytest.raises(ManifestError) as err:
        load_manifest(path)
    return str(err.value)
