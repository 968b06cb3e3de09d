"""Fixtures of the tests that run real Odoo processes (engine: ``bench/faults.py``)."""

import importlib.util
from pathlib import Path

import pytest
from conftest_dovecot import load_by_path

FAULTS_PATH = Path(__file__).resolve().parent.parent / "bench" / "faults.py"


def load_faults():
    return load_by_path("hmt_bench_faults", FAULTS_PATH)


@pytest.fixture(scope="session")
def faults():
    return load_faults()


@pytest.fixture(scope="module")
def addons(faults):
    """The addons path, or a skip when Odoo is not importable (reported as skipped)."""
    if importlib.util.find_spec("odoo") is None:
        pytest.skip("Odoo is not importable: the Odoo process tests cannot run")
    path = faults.addons_path()
    assert path, "odoo is importable but its addons path was not found"
    return path
