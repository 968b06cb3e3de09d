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


def logged_run(run, names=(__name__, "odoo.tests.result")):
    """The log Odoo writes of ``run(result)`` (``result``: Odoo's real test result), with
    Odoo's log format on the loggers ``names``, and the result line as odoo.service.server
    reports each database's run; returns it with the result."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(netsvc.DBFormatter(ODOO_FORMAT))
    loggers = [logging.getLogger(name) for name in names]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    try:
        result = result_module.OdooTestResult()
        run(result)
        logging.getLogger("odoo.tests.result").log(
            logging.ERROR if result.failures_count else logging.INFO,
            "%s when loading database %r", result, "hmt_test_1",
        )  # fmt: skip
    finally:
        for logger in loggers:
            logger.removeHandler(handler)
            logger.propagate = True
    return stream.getvalue(), result


def odoo_log(names):
    return logged_run(unittest.TestSuite(Probe(name) for name in names).run)


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


# A skip Odoo logs for no test of its own count: subtests skipped inside one test, a
# class skipped in its setUpClass (no test of it started), a test skipped after one of
# its subtests failed. The passed count stays what passed, never below zero.

suite_module = pytest.importorskip("odoo.tests.suite")
case_module = pytest.importorskip("odoo.tests.case")


class SubtestProbe(case_module.TestCase):
    __test__ = False

    def test_passes(self):
        self.assertTrue(True)

    def test_skips_each_case(self):
        for case in ("imap", "pop3"):
            with self.subTest(case=case):
                self.skipTest(f"{case} is not installed")

    def test_fails_a_case_then_skips(self):
        with self.subTest(case="imap"):
            self.assertEqual(1, 2)
        self.skipTest("the rest needs pop3")


class SkippedClassProbe(case_module.TestCase):
    __test__ = False

    @classmethod
    def setUpClass(cls):
        raise unittest.SkipTest("no Dovecot")

    def test_one(self):
        pass

    def test_two(self):
        pass


def odoo_suite_log(tests):
    names = [__name__, "odoo.tests.result", "odoo.tests.suite", "unittest.suite"]
    return logged_run(suite_module.OdooSuite(tests).run, names)


def test_subtests_skipped_in_one_test_are_one_skipped_test():
    log, result = odoo_suite_log(
        [SubtestProbe("test_passes"), SubtestProbe("test_skips_each_case")]
    )
    assert result.testsRun == 2
    assert run_tests.summarize_odoo(log, 0) == (1, 0, 1), log


def test_a_class_skipped_in_setupclass_takes_no_pass_away():
    log, result = odoo_suite_log(
        [SubtestProbe("test_passes"), SkippedClassProbe("test_one"), SkippedClassProbe("test_two")]
    )
    assert result.testsRun == 1
    passed, failed, skipped = run_tests.summarize_odoo(log, 0)
    assert (passed, failed) == (1, 0), log
    assert skipped >= 1, log


def test_a_failed_test_that_then_skips_is_counted_once():
    log, result = odoo_suite_log(
        [SubtestProbe("test_passes"), SubtestProbe("test_fails_a_case_then_skips")]
    )
    assert result.testsRun == 2
    assert run_tests.summarize_odoo(log, 1) == (1, 1, 0), log


@unittest.skip("no POP3 server")
class DecoratedSkipProbe(case_module.TestCase):
    __test__ = False

    def test_one(self):
        pass

    def test_two(self):
        pass


def test_a_class_skipped_by_its_decorator_counts_each_test_skipped():
    log, result = odoo_suite_log(
        [
            SubtestProbe("test_passes"),
            DecoratedSkipProbe("test_one"),
            DecoratedSkipProbe("test_two"),
        ]
    )
    assert result.testsRun == 3
    assert run_tests.summarize_odoo(log, 0) == (1, 0, 2), log
