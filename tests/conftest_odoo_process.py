"""Fixtures of the tests that run real Odoo processes (engine: ``bench/faults.py``)."""

import importlib.util
import sys
from pathlib import Path

import pytest


def load_by_path(name, path):
    """The module at ``path``, loaded once under ``name`` (a script outside any package)."""
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


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
