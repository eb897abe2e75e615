from __future__ import annotations

import pytest

from align.reading.corpus import default_manifest_path, load_manifest
from align.reading.document import load_document
from helpers import ALL_IDS as IDS


@pytest.fixture(scope="session")
def manifest():
    return load_manifest(default_manifest_path())


@pytest.fixture(scope="session")
def docs(manifest):
    return {i: load_document(i, manifest=manifest) for i in IDS}
