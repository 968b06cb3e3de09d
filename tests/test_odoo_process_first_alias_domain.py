"""The alias domain Odoo's ``message_post`` records on a ticket's posts when the
company has none (the first one, ``_mail_get_alias_domains``) is cached once a registry
(``mail.alias.domain._mail_ticket_first_domain_id``). Another Odoo worker deleting that
domain signals the change, but a cron job checks the signals only when it starts: the
posts later in the same job must still record a domain that exists, as Odoo's own
search would find it, not fail on the deleted one.

Real Odoo processes on a fresh database: the cycle's own (a cron job), and another
worker's that deletes the domain, commits and signals its changes as Odoo does.
"""

import os

OTHER_WORKER = """
    domains = env["mail.alias.domain"].search([], order="sequence, id")
    env["mail.alias.domain"].create({"name": "second.example", "sequence": 99})
    domains[:1].unlink()
    cr.commit()
    registry.signal_changes()
    print("[]")
"""

CYCLE = """
    import subprocess
    company = env.company
    first = env["mail.alias.domain"].create({"name": "first.example", "sequence": 1})
    company.alias_domain_id = False  # Odoo gives it to the companies
    partner = env["res.partner"].create({"name": "Caller", "email": "caller@example.com"})
    inbox = env["mail.inbox"].create({
        "name": "cycle", "server": "127.0.0.1", "protocol": "imap", "security": "none",
        "port": 9, "login": "cycle@helpdesk.example", "password": "pw",
        "email_storage": "keep", "unknown_caller_behavior": "reject_email",
    })
    lines = env["mail.inbox.message"].create([
        {"inbox_id": inbox.id, "uid": f"9:{n}", "server_uid": f"9:{n}", "subject": "S"}
        for n in (1, 2)
    ])
    cr.commit()

    def post(ticket, number):
        try:
            with cr.savepoint():
                message = ticket._mail_ticket_post_email(
                    f"<p>{number}</p>", partner, env["ir.attachment"], f"<{number}@x>",
                    "mail.mt_comment",
                )
                return message.record_alias_domain_id.name
        except Exception as error:  # the insert of the post
            return type(error).__name__

    # A message's processing: its claim, then its post, in one transaction.
    assert lines[0]._claim()
    ticket = env["helpdesk.mail.ticket"].create({"name": "T1"})
    assert post(ticket, 1) == "first.example"
    cr.commit()
    subprocess.run(
        [sys.executable, "-c", os.environ["HMT_OTHER_WORKER"], "{}"], check=True,
        capture_output=True,
    )
    # Later in the same cron job (no check of the signals in between): a lone message.
    other = env["helpdesk.mail.ticket"].create({"name": "T2"})
    expected = other.sudo()._mail_get_alias_domains(default_company=env.company)[other.id]
    got = post(other, 2)
    # The next message's processing: its claim reads the domains as they are now.
    assert lines[1]._claim()
    print(json.dumps([expected.name, got, post(other, 3)]))
"""


def test_a_post_after_another_worker_deleted_the_first_alias_domain(faults, addons, tmp_path):
    db = faults.OdooDatabase(f"hmt_firstdom_{os.getpid()}", addons, str(tmp_path))
    os.environ["HMT_OTHER_WORKER"] = faults.SCRIPT_PRELUDE + OTHER_WORKER
    try:
        db.create()
        expected, got, claimed = db.script(CYCLE, {})
    finally:
        os.environ.pop("HMT_OTHER_WORKER", None)
        db.drop()
    assert (expected, got, claimed) == ("second.example",) * 3, (expected, got, claimed)
