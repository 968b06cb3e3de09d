"""Two Odoo processes polling the same inboxes at the same time make no duplicate.

Real ``helpdesk_fetch`` processes on a fresh database and a private Dovecot (an IMAP
mailbox kept, a POP3 mailbox deleted, a third of the requests delivered to both), started
in pairs, several rounds with new mail in between. Skipped only when Odoo is not
importable.
"""

import importlib.util
import sys
from pathlib import Path

import pytest

FAULTS_PATH = Path(__file__).resolve().parent.parent / "bench" / "faults.py"


def load_faults():
    name = "hmt_bench_faults"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, FAULTS_PATH)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


faults = load_faults()


@pytest.fixture(scope="module")
def addons():
    if importlib.util.find_spec("odoo") is None:
        pytest.skip("Odoo is not importable: the Odoo process tests cannot run")
    path = faults.addons_path()
    assert path, "odoo is importable but its addons path was not found"
    return path


def test_two_processes_on_the_same_inboxes_make_no_duplicate(addons):
    # No replies: which of two racing workers sees a reply's parent first is a matter
    # of timing, not of duplicates. Every other outcome is exact.
    with faults.Experiment(
        messages=240, kills=0, seed=4242, reply_ratio=0.0, shared_ratio=0.35
    ) as experiment:
        experiment.setup(addons)
        codes = experiment.race(rounds=3, processes=2)
        assert codes == [0] * 6, f"a fetch process failed:\n{experiment.db.failed_logs()}"
        experiment.finish()
        report = experiment.verify()
        with experiment.db.connect() as conn, conn.cursor() as cr:
            cr.execute("SELECT count(*) FROM mail_inbox_message WHERE action = 'duplicate'")
            duplicates_recognised = cr.fetchone()[0]
    assert duplicates_recognised > 0, "no mail reached both inboxes: the race was not tried"
    assert report["lost"] == []
    assert report["duplicated"] == []
    assert report["wrong"] == []
