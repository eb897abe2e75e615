"""One answer everywhere: a pair's echo is the same from every entry point, and
does not depend on what else the manifest holds."""
from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

CORPORA = Path(__file__).resolve().parents[2] / "corpora"
PARENT, CHILD = "miit-14fyp-smart-manufacturing-plan", "shandong-smart-manufacturing-action-2022"
OTHER = "taizhou-daily-2021-02-10-gov-report"  # unrelated to the pair


def _cli(*args, env):
    r = subprocess.run([sys.executable, "-m", "compare.cli", *args], capture_output=True, text=True,
                       env={**os.environ, **env})
    assert r.returncode == 0, r.stderr
    return r.stdout


def _manifest(folder: Path, ids: list[str]) -> Path:
    """A manifest of some bundled plans, copied with their files."""
    from align.reading.corpus import load_manifest

    bundled = load_manifest(CORPORA / "manifest.toml")
    folder.mkdir()
    blocks = []
    for entry in bundled.documents:
        if entry.id not in ids:
            continue
        shutil.copy(entry.file, folder / entry.file.name)
        parents = ", ".join(f'"{p}"' for p in entry.parents if p in ids)
        blocks.append(f'[[document]]\nid = "{entry.id}"\ntitle = "{entry.title}"\nlevel = "{entry.level}"\n'
                      f'region = "{entry.region}"\ndate = "{entry.date}"\nfile = "{entry.file.name}"\n'
                      f"parents = [{parents}]\n")
    path = folder / "manifest.toml"
    path.write_text("\n".join(blocks), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    return {"PLANECHO_CACHE_DIR": str(tmp_path_factory.mktemp("cache"))}


def test_the_echo_of_a_pair_is_the_same_from_every_entry_point_and_every_manifest(tmp_path, env):
    from align.reading.document import load_document
    from compare.run import compute
    from compare.score import score
    from compare.workspace import Workspace

    # the Python API on the two documents alone
    parent, child = load_document(PARENT), load_document(CHILD)
    api = score([child], parent=parent).iloc[0]
    # planecho score, on the bundled manifest and on manifests with and without an unrelated plan
    small = _manifest(tmp_path / "pair", [PARENT, CHILD])
    larger = _manifest(tmp_path / "more", [PARENT, CHILD, OTHER, "zhejiang-urbanization-14fyp"])
    rows = []
    for manifest in (None, small, larger):
        out = _cli("score", *([] if manifest is None else ["--manifest", str(manifest)]), "--no-cache", env=env)
        table = pd.read_csv(io.StringIO(out))
        rows.append(table[(table.child_doc == CHILD) & (table.parent_doc == PARENT)].iloc[0])
    # planecho run's tables, from its compare-layer computation
    results = compute(Workspace.open(larger, corrections=False))
    scores = results.tables["scores"]
    run = scores[(scores.child_doc == CHILD) & (scores.parent_doc == PARENT)].iloc[0]
    for row in rows + [run]:
        assert row["echo"] == pytest.approx(api["echo"], abs=5e-5)  # the CLI rounds to 4 places
        assert row["coverage"] == pytest.approx(api["coverage"], abs=5e-5)
        assert (row["verbatim"], row["adapted"], row["partial"], row["local"]) == (
            api["verbatim"], api["adapted"], api["partial"], api["local"])


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="needs sched_setaffinity")
def test_score_shares_its_pairs_with_a_worker_and_gives_what_one_process_gives(env):
    """With two cores `planecho score` scores pairs in this process and a forked
    worker together; on one core, in one process: the same rows either way."""
    from compare.sidework import can_fork

    def run(*args, one_core: bool):
        r = subprocess.run([sys.executable, "-m", "compare.cli", "score", *args, "--no-cache"], capture_output=True,
                           text=True, env={**os.environ, **env},
                           preexec_fn=(lambda: os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})) if one_core else None)
        assert r.returncode == 0, r.stderr
        return r

    for args in ([], ["linhai-14fyp-outline", "luqiao-14fyp-outline", "--parent", "zhejiang-urbanization-14fyp"]):
        shared, alone = run(*args, one_core=False), run(*args, one_core=True)
        assert shared.stdout == alone.stdout and shared.stdout.count("\n") == (10 if not args else 3)
        assert "from the worker" not in alone.stderr
        if can_fork():
            assert "from the worker" in shared.stderr
