"""The guard of Odoo's own suites (``tools/run_tests.py``, part ``platform``) fails when a
database runs far fewer tests than it must: tags that select less than meant (a typo, a
class Odoo renamed) would otherwise pass as a success, having tested nothing."""

from pathlib import Path

from conftest_odoo_process import load_by_path

ROOT = Path(__file__).resolve().parent.parent
run_tests = load_by_path("hmt_run_tests", ROOT / "tools" / "run_tests.py")

OURS = [run_tests.ADDON, run_tests.BRIDGE, run_tests.QUEUE_JOB_BRIDGE]
APART = {run_tests.BRIDGE: ["TestMailFlow", "TestOther"]}


def test_each_database_has_a_minimum_of_tests():
    runs = run_tests.platform_runs(OURS, apart=APART)
    (modules, tags, minimum), (apart_modules, apart_tags, apart_minimum) = runs
    assert modules == OURS and tags.startswith("/test_mail,")
    assert "-/test_mail:TestMailFlow" in tags.split(",")
    assert minimum == run_tests.PLATFORM_MINIMUM
    assert run_tests.PLATFORM_MINIMUM >= 400  # most of test_mail's 508 tests
    assert run_tests.BRIDGE not in apart_modules
    assert apart_tags == "/test_mail:TestMailFlow,/test_mail:TestOther"
    assert apart_minimum == 2  # one test per class at least
    # Without the bridge, a single database runs everything.
    assert run_tests.platform_runs([run_tests.ADDON], apart=APART) == [
        ([run_tests.ADDON], "/test_mail", run_tests.PLATFORM_MINIMUM)
    ]


def test_a_narrowed_run_must_run_a_test():
    assert run_tests.platform_runs(OURS, "/test_mail:TestX", APART) == [
        (OURS, "/test_mail:TestX", 1)
    ]


def test_far_fewer_tests_than_the_minimum_is_a_failure():
    minimum = run_tests.PLATFORM_MINIMUM
    assert run_tests.platform_failures(minimum + 25, set(), minimum) == 0
    assert run_tests.platform_failures(minimum, set(), minimum) == 0
    # A tag typo leaving a handful of tests, or none: no failing test, yet a failure.
    assert run_tests.platform_failures(3, set(), minimum) == 1
    assert run_tests.platform_failures(0, set(), minimum) == 1
    assert run_tests.platform_failures(0, {"(install)"}, minimum) == 2
    assert run_tests.platform_failures(minimum + 25, {"A.test_a", "B.test_b"}, minimum) == 2
