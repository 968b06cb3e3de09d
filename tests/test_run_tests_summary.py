"""The Odoo part's summary (``tools/run_tests.py``) counts what Odoo's own test result
logged: a skipped test is counted as skipped, never as passed, and SQL quoted in a
failure's message ("FOR UPDATE SKIP LOCKED") is no skipped test. The log is written by
Odoo's real test result and log formatter, as an Odoo test run writes it."""

import io
import logging
import unittest
from pathlib import Path

import pytest
from conftest_odoo_process import load_by_path

result_module = pytest.importorskip("odoo.tests.result")
netsvc = pytest.importorskip("odoo.netsvc")

ROOT = Path(__file__).resolve().parent.parent
run_tests = load_by_path("hmt_run_tests", ROOT / "tools" / "run_tests.py")
ODOO_FORMAT = "%(asctime)s %(pid)s %(levelname)s %(dbname)s %(name)s: %(message)s"


class Probe(unittest.TestCase):
    __test__ = False  # run below by Odoo's test result, not collected by pytest

    def test_passes(self):
        self.assertTrue(True)

    def test_skipped(self):
        self.skipTest("Dovecot is not installed")

    def test_fails_quoting_sql(self):
        statements = ["SELECT id FROM mail_inbox_message WHERE id = 1 FOR UPDATE SKIP LOCKED"]
        self.assertLessEqual(len(statements), 0, "\n".join(statements))


def odoo_log(names):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(netsvc.DBFormatter(ODOO_FORMAT))
    loggers = [logging.getLogger(__name__), logging.getLogger("odoo.tests.result")]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    try:
        result = result_module.OdooTestResult()
        unittest.TestSuite(Probe(name) for name in names).run(result)
        # As odoo.service.server reports each database's run.
        logging.getLogger("odoo.tests.result").log(
            logging.ERROR if result.failures_count else logging.INFO,
            "%s when loading database %r", result, "hmt_test_1",
        )  # fmt: skip
    finally:
        for logger in loggers:
            logger.removeHandler(handler)
            logger.propagate = True
    return stream.getvalue(), result


def test_a_skipped_test_is_counted_as_skipped_not_passed():
    log, result = odoo_log(["test_passes", "test_skipped"])
    assert result.skipped == 1
    assert run_tests.summarize_odoo(log, 0) == (1, 0, 1)


def test_sql_quoted_in_a_failure_is_no_skipped_test():
    log, result = odoo_log(["test_passes", "test_fails_quoting_sql"])
    assert "SKIP LOCKED" in log and result.failures_count == 1
    assert run_tests.summarize_odoo(log, 1) == (1, 1, 0)


def test_each_of_pass_skip_and_fail_counted_once():
    log, _result = odoo_log(["test_passes", "test_skipped", "test_fails_quoting_sql"])
    assert run_tests.summarize_odoo(log, 1) == (1, 1, 1)


def test_odoo_own_suites_count_their_skips_apart_too():
    log, _result = odoo_log(["test_passes", "test_skipped", "test_fails_quoting_sql"])
    assert run_tests.odoo_skipped(log) == 1
