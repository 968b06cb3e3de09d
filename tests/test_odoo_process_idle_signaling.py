"""A ``helpdesk_fetch --idle`` watcher lives for hours in one process: what other Odoo
workers change and signal (an alias domain created in the settings clears the cached
alias domains, ``mail.inbox._read_alias_domains``) reaches it at its next cycle, as
every Odoo worker checks the database's signals before a request or a cron job.

Real Odoo processes on a fresh database: the watcher's own, and another worker's that
creates the domain, commits and signals its changes as Odoo does after a request.
"""

import os

OTHER_WORKER = """
    env["mail.alias.domain"].create({"name": "late-domain.example"})
    cr.commit()
    registry.signal_changes()
    print("[]")
"""

WATCHER = """
    import subprocess
    inbox = env["mail.inbox"].create({
        "name": "watched", "server": "127.0.0.1", "protocol": "imap", "security": "none",
        "port": 9, "login": "watched@helpdesk.example", "password": "pw",
        "email_storage": "keep", "unknown_caller_behavior": "reject_email",
    })
    before = "late-domain.example" in env["mail.inbox"]._get_mail_domains()
    cr.commit()
    subprocess.run(
        [sys.executable, "-c", os.environ["HMT_OTHER_WORKER"], "{}"], check=True,
        capture_output=True,
    )
    inbox._run_idle_loop(max_seconds=1)  # a cycle of the watcher (its fetch fails: no server)
    after = "late-domain.example" in env["mail.inbox"]._get_mail_domains()
    print(json.dumps([before, after]))
"""


def test_an_idle_watcher_sees_an_alias_domain_another_worker_created(faults, addons, tmp_path):
    db = faults.OdooDatabase(f"hmt_signal_{os.getpid()}", addons, str(tmp_path))
    os.environ["HMT_OTHER_WORKER"] = faults.SCRIPT_PRELUDE + OTHER_WORKER
    try:
        db.create()
        before, after = db.script(WATCHER, {})
    finally:
        os.environ.pop("HMT_OTHER_WORKER", None)
        db.drop()
    assert (before, after) == (False, True), "the watcher kept the alias domains it read first"
