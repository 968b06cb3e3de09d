#!/usr/bin/env python3
"""Run every test of the project: lint, the pure pytest suite, then the Odoo tests.

The Odoo tests run for real when ``odoo`` is importable: a fresh PostgreSQL database,
the addon installed in it, Odoo's test runner with the addon's tests (which start their
own Dovecot, SMTP sink and, for browser tests, Chromium). Without Odoo a loud banner
says that half of the suite did not run.

The last line is the total: ``total: N passed, N failed, N skipped``. The exit status is
non-zero when anything failed, including when Odoo was expected (``HMT_REQUIRE_ODOO=1``)
and is missing.

Environment: ``HMT_DB_HOST`` (127.0.0.1), ``HMT_DB_PORT`` (5432), ``HMT_DB_USER`` (root),
or ``PGHOST``/``PGPORT``/``PGUSER``; when no PostgreSQL answers there, a private cluster is
started for the run and removed after it (``tools/pgcluster.py``),
``HMT_ODOO_TEST_TAGS`` (to run a subset), ``HMT_ONLY`` (a development shortcut: a comma
list of ``lint``, ``pylint``, ``pytest``, ``odoo``, ``platform`` (Odoo's own mail test suites
with our addons installed, ``run_platform_suites``; ``HMT_PLATFORM_TAGS`` narrows them, in
``--test-tags`` syntax: only modules the run installs have tests run); every part runs when unset),
``HMT_KEEP_DB=1`` (keep the test database),
``HMT_EXTRA_ADDONS`` (a folder of OCA addons, default ``~/.cache/hmt/oca/odoo/addons`` where
``setup/install-test-deps.sh`` unpacks ``helpdesk_mgmt``): when it has ``helpdesk_mgmt``, the
bridge addon ``helpdesk_mail_ticket_helpdesk_mgmt`` is installed and tested too, and when it has
OCA's ``queue_job`` (unpacked there as well), ``helpdesk_mail_ticket_queue_job``; otherwise a
banner says their tests did not run. The OAuth2 bridges (Gmail, Microsoft 365) are always
installed and tested: their Odoo modules are part of Odoo community. So are the addons
of ``test_addons/``, which only the tests use.
"""

import importlib.util
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADDON = "helpdesk_mail_ticket"
BRIDGE = "helpdesk_mail_ticket_helpdesk_mgmt"
QUEUE_JOB_BRIDGE = "helpdesk_mail_ticket_queue_job"
# Bridges to Odoo community modules (google_gmail, microsoft_outlook): always installed.
OAUTH2_BRIDGES = ["helpdesk_mail_ticket_google_gmail", "helpdesk_mail_ticket_microsoft_outlook"]
# Addons used only by the tests (test_addons/, e.g. a Maildir mail source proving that
# sources plug in): always installed and tested, never shipped.
TEST_ADDONS_DIR = ROOT / "test_addons"
TEST_ADDONS = sorted(path.parent.name for path in TEST_ADDONS_DIR.glob("*/__manifest__.py"))
DEFAULT_EXTRA_ADDONS = Path.home() / ".cache" / "hmt" / "oca" / "odoo" / "addons"


def banner(text):
    line = "=" * 78
    print(f"\n{line}\n{text}\n{line}", flush=True)


def run_lint():
    """Ruff (lint and format) over the project's Python code, prettier over its XML."""
    if not shutil.which("ruff"):
        banner("LINT FAILED: ruff is not installed (pip install ruff)")
        return 0, 1
    checks = [["ruff", "check", "."], ["ruff", "format", "--check", "."]]
    ok = all(subprocess.run(command, cwd=ROOT, check=False).returncode == 0 for command in checks)
    return (1, 0) if ok and run_prettier() else (0, 1)


def run_prettier():
    """Prettier with its XML plugin (.prettierrc.cjs) over the addons' XML files, from
    the copy setup/install-test-deps.sh installs (HMT_NODE_MODULES, default
    ~/.cache/hmt/node/node_modules)."""
    modules = Path(
        os.environ.get("HMT_NODE_MODULES") or Path.home() / ".cache/hmt/node/node_modules"
    )
    prettier = modules / ".bin" / "prettier"
    if not prettier.exists():
        banner(f"LINT FAILED: prettier is not installed in {modules} (setup/install-test-deps.sh)")
        return False
    listed = subprocess.run(
        ["git", "ls-files", "*.xml"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    files = [
        name
        for name in listed.stdout.split()
        if "/tests/samples/" not in name and not name.startswith("tests/data/")
    ]
    if not files:  # not a git checkout: check every XML file of the addons
        files = [
            str(path.relative_to(ROOT))
            for path in ROOT.glob("[!.]*/[!t]*/**/*.xml")
            if not any(part.startswith(".") for part in path.relative_to(ROOT).parts)
        ]  # not .venv, .git...
    env = {**os.environ, "NODE_PATH": str(modules)}
    result = subprocess.run([str(prettier), "--check", *files], cwd=ROOT, env=env, check=False)
    return result.returncode == 0


def run_pylint_odoo():
    """pylint-odoo with OCA's mandatory checks (.pylintrc-mandatory) on every addon."""
    if importlib.util.find_spec("pylint_odoo") is None:
        banner("PYLINT-ODOO NOT INSTALLED: OCA's mandatory checks did not run")
        return 0, 0, 1
    addons = sorted(path.parent.name for path in ROOT.glob("*/__manifest__.py"))
    command = [sys.executable, "-m", "pylint", "--rcfile=.pylintrc-mandatory", *addons]
    result = subprocess.run(command, cwd=ROOT, check=False)
    return (1, 0) if result.returncode == 0 else (0, 1)


def run_pytest():
    """The pure suite (no Odoo): the email core, the mail sources on Dovecot."""
    with tempfile.TemporaryDirectory() as tmp:
        junit = Path(tmp) / "pytest.xml"
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", f"--junitxml={junit}", "tests"],
            cwd=ROOT,
            check=False,
        )
        if not junit.exists():
            return 0, 1, 0
        suite = ET.parse(junit).getroot()
        suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
        total = int(suite.get("tests", 0))
        failed = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skipped = int(suite.get("skipped", 0))
        if result.returncode not in (0, 5) and not failed:
            failed = 1
        return total - failed - skipped, failed, skipped


def odoo_paths():
    """(python executable, addons path) for the importable Odoo, or None."""
    probe = subprocess.run(
        [sys.executable, "-c", "import odoo, os; print(os.path.dirname(odoo.__file__))"],
        capture_output=True,
        text=True,
        check=False,
    )
    if probe.returncode:
        return None
    package = Path(probe.stdout.strip())
    paths = [str(ROOT), str(TEST_ADDONS_DIR), str(package / "addons")]
    sibling = package.parent / "addons"
    if (sibling / "mail").is_dir():
        paths.append(str(sibling))
    extra = extra_addons_dir() or extra_addons_dir("queue_job")
    if extra:
        paths.append(str(extra))
    return ",".join(paths)


def extra_addons_dir(addon="helpdesk_mgmt"):
    """The folder of OCA addons holding ``addon``, or None."""
    extra = Path(os.environ.get("HMT_EXTRA_ADDONS") or DEFAULT_EXTRA_ADDONS).expanduser()
    return extra.resolve() if (extra / addon / "__manifest__.py").is_file() else None


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def drop_database(name, host, port, user):
    subprocess.run(
        ["dropdb", "--if-exists", "-h", host, "-p", port, "-U", user, name],
        check=False,
        capture_output=True,
    )


def use_database_server():
    """Point HMT_DB_* at a PostgreSQL that answers, for the Odoo tests and the pure tests'
    Odoo processes alike: the one configured, or a private one started now and removed at
    exit (tools/pgcluster.py)."""
    sys.path.insert(0, str(ROOT / "tools"))
    from pgcluster import database_server

    try:
        host, port, user, _cluster = database_server()
    except (RuntimeError, OSError) as error:
        banner(
            f"!!! NO POSTGRESQL: THE ODOO TEST SUITE CANNOT RUN !!!\n{error}\n"
            "Install Debian's postgresql package (setup/prepare.sh) or point\n"
            "--db_host/--db_port (PGHOST/PGPORT) at a running server."
        )
        return False
    os.environ.update(HMT_DB_HOST=host, HMT_DB_PORT=str(port), HMT_DB_USER=user)
    return True


def run_odoo(addons_path):
    host = os.environ.get("HMT_DB_HOST", "127.0.0.1")
    port = os.environ.get("HMT_DB_PORT", "5432")
    user = os.environ.get("HMT_DB_USER", "root")
    database = f"hmt_test_{os.getpid()}"
    modules = [ADDON, *OAUTH2_BRIDGES, *([BRIDGE] if extra_addons_dir() else [])]
    modules += [QUEUE_JOB_BRIDGE] if extra_addons_dir("queue_job") else []
    modules += TEST_ADDONS
    tags = os.environ.get("HMT_ODOO_TEST_TAGS", ",".join(f"/{module}" for module in modules))
    data_dir = tempfile.mkdtemp(prefix="hmt-odoo-data-")
    log_path = Path(data_dir) / "odoo-test.log"
    command = [
        sys.executable, "-m", "odoo",
        f"--addons-path={addons_path}",
        f"--data-dir={data_dir}",
        f"--db_host={host}", f"--db_port={port}", f"--db_user={user}",
        "-d", database, "-i", ",".join(modules),
        "--without-demo=all",
        "--test-enable", f"--test-tags={tags}",
        "--stop-after-init", "--log-level=test",
        f"--http-port={free_port()}", "--workers=0", "--max-cron-threads=0",
    ]  # fmt: skip
    drop_database(database, host, port, user)
    banner(f"ODOO TESTS: database {database}, tags {tags}")
    try:
        with open(log_path, "w", encoding="utf-8") as log:
            process = subprocess.Popen(
                command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
            )
            for line in process.stdout:
                sys.stdout.write(line)
                log.write(line)
            returncode = process.wait()
        return summarize_odoo(log_path.read_text(encoding="utf-8"), returncode)
    finally:
        if not os.environ.get("HMT_KEEP_DB"):
            drop_database(database, host, port, user)
        shutil.rmtree(data_dir, ignore_errors=True)


def _odoo_test_of(description):
    """The test a description of Odoo's test result names: a subtest's is its test's."""
    match = re.fullmatch(r"Subtest (\S+) \(.*\)", description, flags=re.DOTALL)
    return match.group(1) if match else description


def odoo_skips(log):
    """``(tests, classes)`` Odoo's test result logged as skipped, each in a record of its own
    ("... INFO db module: skipped Test.test_x : reason"): the tests started and skipped, a
    test counted once whatever its subtests skipped and never when it also failed; the
    classes or modules skipped before any of their tests started ("skipped setUpClass
    (module.Test) : reason"), counted in no test run. Words in a failure's message (SQL's
    "SKIP LOCKED") are none."""
    head = r"^\S+ \S+ \d+ {} \S+ \S+: "
    skipped = re.findall(head.format("INFO") + r"skipped (.+?) : ", log, flags=re.MULTILINE)
    failed = re.findall(
        head.format("(?:ERROR|CRITICAL)") + r"(?:FAIL|ERROR): (.+)$", log, flags=re.MULTILINE
    )
    failed = {_odoo_test_of(name.strip()) for name in failed}
    before = r"(?:setUpClass|setUpModule|tearDownClass|tearDownModule) \(.*\)"
    classes = [name for name in skipped if re.fullmatch(before, name)]
    tests = {_odoo_test_of(name) for name in skipped if name not in classes} - failed
    return len(tests), len(classes)


def odoo_skipped(log):
    """How many tests and classes Odoo's test result logged as skipped (``odoo_skips``)."""
    return sum(odoo_skips(log))


def summarize_odoo(log, returncode):
    """Counts from Odoo's own test result lines; any ERROR logged counts as a failure."""
    run = failed = 0
    for failures, errors, tests in re.findall(
        r"(\d+) failed, (\d+) error\(s\) of (\d+) tests", log
    ):
        failed += int(failures) + int(errors)
        run += int(tests)
    started_skipped, classes_skipped = odoo_skips(log)
    logged_errors = len(re.findall(r"^\S+ \S+ \d+ (?:ERROR|CRITICAL) ", log, flags=re.MULTILINE))
    if logged_errors and not failed:
        failed = logged_errors
    if run == 0:
        print("No Odoo test ran: the addon's tests were not found or did not load.")
        return 0, 1, 0
    if returncode and not failed:
        failed = 1
    passed = max(run - failed - started_skipped, 0)
    return passed, failed, started_skipped + classes_skipped


# Odoo's own test suites the addons can influence (followers and their default subtypes,
# the mail gateway, message_post, the query counts of the chatter), run with every addon of
# this repository installed. A few of their test classes cannot run beside a third-party
# dependency of a bridge (tools/platform_suites_apart.txt says which and why): those run in
# a second database with every addon of ours but that bridge. No failure is tolerated.
# Why test_mail alone: the gateway, followers, thread and performance classes issue 16
# names (TestMailgateway, AdvancedFollowersTest, TestMailThread..., TestMailAPIPerformance)
# live in test_mail, not in mail; mail's own suite (370 tests, mostly its web client,
# Discuss, activities and controllers) measured 525.9 s of tests, about 9.5 min with its
# install, on a 2-core machine: more than the test command's time budget allows, for
# code the addons do not touch. The guard's cost is what the run prints
# ("N tests of /test_mail in X min"): installing the addons and test_mail alone took
# 2.1 min (narrowed run of 2 tests, 2026-12-04), the whole of test_mail comes on top:
# 505 tests in 3.7 min and 3 apart in 0.5 min on a clean clone (2026-12-04), ~8 min in all.
PLATFORM_SUITES = ("test_mail",)
PLATFORM_APART = ROOT / "tools" / "platform_suites_apart.txt"
# The fewest tests the database of the whole suites must run: test_mail has 508 in Odoo 18.0
# (measured 2026-12-04), the classes run apart a few of them. Far fewer is tags selecting
# less than meant (a typo, a suite that did not load, classes Odoo renamed): a failure, not
# a success. A database of classes apart runs at least one test per class; a run narrowed by
# HMT_PLATFORM_TAGS at least one test.
PLATFORM_MINIMUM = 480
PLATFORM_FAILURE = re.compile(
    r"^\S+ \S+ \d+ (?:ERROR|CRITICAL) \S+ odoo\.(?:addons|tests)\S*: (?:FAIL|ERROR): "
    r"(?:Subtest )?(?:(\w+)\.(\w+)|(setUpClass|tearDownClass) \([\w.]*?(\w+)\))",
    flags=re.MULTILINE,
)


def platform_apart():
    """{bridge addon: [test classes of Odoo's suites that cannot run beside it]}."""
    apart = {}
    for line in PLATFORM_APART.read_text(encoding="utf-8").splitlines():
        words = line.split("#")[0].split()
        if len(words) == 2:
            apart.setdefault(words[0], []).append(words[1])
    return apart


def platform_runs(ours, narrowed=None, apart=None):
    """The databases of the platform part: [(modules installed, test tags, the fewest tests
    it must run)]. ``narrowed``: HMT_PLATFORM_TAGS; ``apart``: ``platform_apart()``."""
    if narrowed:
        return [(ours, narrowed, 1)]
    suites = ",".join(f"/{suite}" for suite in PLATFORM_SUITES)
    runs = [(ours, suites, PLATFORM_MINIMUM)]
    for bridge, classes in (platform_apart() if apart is None else apart).items():
        if bridge in ours:
            tags = [f"/{suite}:{name}" for suite in PLATFORM_SUITES for name in classes]
            runs[0] = (ours, ",".join([runs[0][1], *(f"-{tag}" for tag in tags)]), runs[0][2])
            runs.append(([m for m in ours if m != bridge], ",".join(tags), len(classes)))
    return runs


def platform_failures(run, failed, minimum):
    """What a platform database counts as failed: each failing test, and one more when it
    ran fewer than ``minimum`` tests (none at all included)."""
    return len(failed) + (1 if run < minimum else 0)


def run_platform_suites(addons_path):
    """Odoo's own mail test suites (``PLATFORM_SUITES``) in a database of their own where
    every addon of this repository is installed first, so that the suites' at-install
    tests run with them too; the classes of ``PLATFORM_APART`` in a second database
    without the bridge they cannot run beside. Any failure fails the test command, and so
    does a database running fewer tests than it must (``platform_runs``)."""
    ours = [ADDON, *OAUTH2_BRIDGES, *([BRIDGE] if extra_addons_dir() else [])]
    ours += [QUEUE_JOB_BRIDGE] if extra_addons_dir("queue_job") else []
    totals = [0, 0, 0]
    for modules, tags, minimum in platform_runs(ours, os.environ.get("HMT_PLATFORM_TAGS")):
        run, failed, (skipped, classes_skipped) = run_platform_database(addons_path, modules, tags)
        if 0 < run < minimum:
            banner(f"ONLY {run} TESTS OF {tags} RAN, AT LEAST {minimum} EXPECTED")
        totals[0] += max(run - len(failed) - skipped, 0)
        totals[1] += platform_failures(run, failed, minimum)
        totals[2] += skipped + classes_skipped
    return tuple(totals)


def run_platform_database(addons_path, modules, tags):
    """Install ``modules``, then the suites with ``tags``, in a fresh database: (tests run,
    the names of those that failed, ``odoo_skips``)."""
    host = os.environ.get("HMT_DB_HOST", "127.0.0.1")
    port = os.environ.get("HMT_DB_PORT", "5432")
    user = os.environ.get("HMT_DB_USER", "root")
    database = f"hmt_platform_{os.getpid()}"
    data_dir = tempfile.mkdtemp(prefix="hmt-odoo-platform-")
    common = [
        sys.executable, "-m", "odoo", f"--addons-path={addons_path}", f"--data-dir={data_dir}",
        f"--db_host={host}", f"--db_port={port}", f"--db_user={user}", "-d", database,
        "--without-demo=all", "--stop-after-init", "--workers=0", "--max-cron-threads=0",
    ]  # fmt: skip
    steps = [
        [*common, "-i", ",".join(modules), "--log-level=warn", "--http-port=0"],
        [*common, "-i", ",".join(PLATFORM_SUITES), "--test-enable", f"--test-tags={tags}",
         "--log-level=test", f"--http-port={free_port()}"],
    ]  # fmt: skip
    banner(f"ODOO'S OWN SUITES WITH {', '.join(modules)}: {tags}, database {database}")
    started, log = time.monotonic(), ""
    drop_database(database, host, port, user)
    try:
        for command in steps:
            result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
            log += result.stdout + result.stderr
            if result.returncode and "--test-enable" not in command:
                print(log[-5000:])
                banner(f"INSTALLING {', '.join(modules)} FAILED: Odoo's suites did not run")
                return 0, {"(install)"}, (0, 0)
    finally:
        drop_database(database, host, port, user)
        shutil.rmtree(data_dir, ignore_errors=True)
    run = sum(int(n) for n in re.findall(r"\d+ failed, \d+ error\(s\) of (\d+) tests", log))
    reported = sum(
        int(f) + int(e) for f, e in re.findall(r"(\d+) failed, (\d+) error\(s\) of \d+ tests", log)
    )
    failed = {f"{m[0]}.{m[1]}" if m[0] else f"{m[3]}.{m[2]}" for m in PLATFORM_FAILURE.findall(log)}
    if reported > len(failed):  # some failures the log does not name: counted all the same
        failed |= {f"(unnamed failure {n})" for n in range(1, reported - len(failed) + 1)}
    # Each failure with its traceback (up to the next log line).
    for block in re.findall(
        r"^\S+ \S+ \d+ (?:ERROR|CRITICAL) .*?(?:FAIL|ERROR): .*?(?=^\d{4}-\d\d-\d\d |\Z)",
        log,
        flags=re.MULTILINE | re.DOTALL,
    ):
        print(block.rstrip())
    minutes = (time.monotonic() - started) / 60
    print(f"{run} tests of {tags} in {minutes:.1f} min; failing: {len(failed)}")
    if not run:
        print(log[-5000:])
        banner(f"NO TEST OF {tags} RAN")
    elif failed:
        banner("FAILING WITH OUR ADDONS:\n" + "\n".join(sorted(failed)))
    return run, failed, odoo_skips(log)


def main():
    totals = [0, 0, 0]

    def add(counts, label):
        passed, failed, *rest = counts
        skipped = rest[0] if rest else 0
        print(f"{label}: {passed} passed, {failed} failed, {skipped} skipped", flush=True)
        totals[0] += passed
        totals[1] += failed
        totals[2] += skipped

    only = {part.strip() for part in os.environ.get("HMT_ONLY", "").split(",") if part.strip()}

    def wanted(part):
        return not only or part in only

    if only:
        banner(f"HMT_ONLY={','.join(sorted(only))}: THE OTHER PARTS OF THE SUITE DID NOT RUN")
    if wanted("lint"):
        banner("LINT (ruff, ruff format, prettier for XML)")
        add(run_lint(), "lint")
    if wanted("pylint"):
        banner("PYLINT-ODOO (OCA mandatory checks)")
        add(run_pylint_odoo(), "pylint-odoo")
    database = True
    if (wanted("pytest") or wanted("odoo")) and importlib.util.find_spec("odoo"):
        database = use_database_server()
    if wanted("pytest"):
        banner("PURE TESTS (pytest, no Odoo)")
        add(run_pytest(), "pytest")
    addons_path = odoo_paths() if wanted("odoo") else None
    if not wanted("odoo"):
        pass
    elif not database:
        add((0, 1, 0), "odoo (no PostgreSQL)")
    elif addons_path:
        add(run_odoo(addons_path), "odoo")
        if not extra_addons_dir():
            banner(
                f"!!! OCA helpdesk_mgmt NOT FOUND: THE TESTS OF {BRIDGE} DID NOT RUN !!!\n"
                "Run setup/install-test-deps.sh (it unpacks helpdesk_mgmt into\n"
                f"{DEFAULT_EXTRA_ADDONS}) or point HMT_EXTRA_ADDONS at an addons folder\n"
                "that has it."
            )
            add((0, 0, 1), f"{BRIDGE} (not run)")
        if not extra_addons_dir("queue_job"):
            banner(
                f"!!! OCA queue_job NOT FOUND: THE TESTS OF {QUEUE_JOB_BRIDGE} DID NOT RUN !!!\n"
                "Run setup/install-test-deps.sh (it unpacks queue_job into\n"
                f"{DEFAULT_EXTRA_ADDONS}) or point HMT_EXTRA_ADDONS at an addons folder\n"
                "that has it."
            )
            add((0, 0, 1), f"{QUEUE_JOB_BRIDGE} (not run)")
    else:
        banner(
            "!!! ODOO IS NOT IMPORTABLE: THE ODOO TEST SUITE DID NOT RUN !!!\n"
            "Only the pure tests ran. Make Odoo 18 importable by python3 (README.rst,\n"
            "'Development setup') and run this command again."
        )
        if os.environ.get("HMT_REQUIRE_ODOO"):
            totals[1] += 1
    if wanted("platform") and (platform_path := addons_path or odoo_paths()):
        add(run_platform_suites(platform_path), "odoo's own suites with our addons")
    print(f"\ntotal: {totals[0]} passed, {totals[1]} failed, {totals[2]} skipped", flush=True)
    return 1 if totals[1] else 0


if __name__ == "__main__":
    sys.exit(main())
