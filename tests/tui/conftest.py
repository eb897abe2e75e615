"""Shared set-up of the TUI tests: a private result cache filled once.

Every test builds its own app with ``make_app`` (as the CLI does); the first
alignment of the corpus takes seconds, so the cache is filled once for the
package here and every app then reads it, as ``planecho tui`` does after
``planecho run``.  ``PLANECHO_CACHE_DIR`` points to a temporary folder, so
the tests neither depend on nor touch the user's cache.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(scope="package", autouse=True)
def tui_cache(tmp_path_factory):
    cache = tmp_path_factory.mktemp("planecho-tui-cache")
    old = os.environ.get("PLANECHO_CACHE_DIR")
    os.environ["PLANECHO_CACHE_DIR"] = str(cache)
    from compare.workspace import Workspace

    ws = Workspace.open(None, use_cache=True)
    for pair in ws.pairs():
        ws.alignment(pair.parent, pair.child)
    for parent in {pair.parent for pair in ws.pairs()}:
        ws.phrases(parent)
    yield cache
    if old is None:
        os.environ.pop("PLANECHO_CACHE_DIR", None)
    else:
        os.environ["PLANECHO_CACHE_DIR"] = old


@pytest.fixture(scope="package")
def workspace(tui_cache):
    """The engine's own view of the corpus, to check what the UI shows against."""
    from compare.workspace import Workspace

    return Workspace.open(None, use_cache=True)


@pytest.fixture
def out_dir(tmp_path) -> Path:
    return tmp_path / "outputs"
