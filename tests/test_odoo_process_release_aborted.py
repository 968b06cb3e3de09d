"""The statement giving back a message's lease and its email's lock after its
processing also reads the inbox's row (``_release_reading_inbox``), flushing the
inbox's pending writes first. When the processing failed on a query (the transaction
is aborted) with a write of the inbox pending (an integrator's hook), that flush must
not keep the locks from being given back: they are session locks, which would outlive
the message on the worker's connection, the message skipped by every other worker
until that process ends.

A real Odoo process on a fresh database (its commits and rollbacks are real ones).
"""

import os

WORKER = """
    from odoo.addons.helpdesk_mail_ticket.transaction import LEASE_NS
    inbox = env["mail.inbox"].create({
        "name": "aborted", "server": "127.0.0.1", "protocol": "imap", "security": "none",
        "port": 9, "login": "aborted@helpdesk.example", "password": "pw",
        "email_storage": "keep", "unknown_caller_behavior": "reject_email",
    })
    line = env["mail.inbox.message"].create(
        {"inbox_id": inbox.id, "uid": "9:1", "server_uid": "9:1", "subject": "S"}
    )
    cr.commit()
    # The message's lease and its email's lock, as its processing holds them.
    cr.execute("SELECT pg_advisory_lock(%s, %s), pg_advisory_lock(%s)", [LEASE_NS, line.id, 4242])
    cr.commit()
    inbox.failure_count = 1  # a hook's write of the inbox, not flushed yet
    try:
        cr.execute("SELECT 1 / 0")  # the processing fails on a query
    except Exception:
        pass
    raised = None
    try:
        line._release_reading_inbox([4242])
    except Exception as error:
        raised = type(error).__name__
    cr.rollback()
    env.invalidate_all()
    cr.execute(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
        "AND pid = pg_backend_pid()"
    )
    print(json.dumps([raised, cr.fetchone()[0]]))
"""


def test_the_release_gives_the_locks_back_after_a_failed_query(faults, addons, tmp_path):
    db = faults.OdooDatabase(f"hmt_relabort_{os.getpid()}", addons, str(tmp_path))
    try:
        db.create()
        raised, held = db.script(WORKER, {})
    finally:
        db.drop()
    assert (raised, held) == (None, 0), (raised, held)
