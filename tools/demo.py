#!/usr/bin/env python3
"""The README demo: a morning of a helpdesk's mail becomes tickets in a new Odoo database.

1. starts a private Dovecot on loopback and puts the first mail of the story in a
   mailbox (``tools/demo_mail.py``: a request with a screenshot, a request in French and
   one in German, a bounce);
2. uses the PostgreSQL at ``--db_host``/``--db_port``/``--db_user`` (or ``PG*``,
   ``HMT_DB_*``), or starts a private one when none answers there (``tools/pgcluster.py``);
3. creates the Odoo database ``hmt_demo`` (dropped first if it exists) with the addon
   and its demo data, and an inbox pointing at that mailbox;
4. runs a fetch cycle, answers the first ticket as an agent would from its chatter, puts
   the customer's answer and an out-of-office in the mailbox, runs a second cycle, and
   prints each ticket (caller, title, attachments, the new part of each reply) and the
   outcome of every message;
5. leaves Odoo serving on http://127.0.0.1:8069 (login admin / admin) until Ctrl-C,
   unless ``--no-serve`` is given.

Needs an importable Odoo 18 (``bash setup/install-odoo.sh``) and Debian's dovecot-imapd;
``bash setup/prepare.sh python3 tools/demo.py`` installs what is missing first.
"""

import argparse
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADDON_DIR = ROOT / "helpdesk_mail_ticket"
sys.path.insert(0, str(ROOT / "tools"))

import demo_mail  # noqa: E402
import pgcluster  # noqa: E402

LOGIN = demo_mail.MAILBOX


def load_harness():
    """The test servers' package (``helpdesk_mail_ticket/mailharness``): its Dovecot."""
    sys.path.append(str(ADDON_DIR))
    from mailharness import dovecot

    return dovecot


def odoo_args(options):
    return [
        f"--addons-path={options.addons_path}",
        f"--db_host={options.db_host}",
        f"--db_port={options.db_port}",
        f"--db_user={options.db_user}",
        "-d",
        options.database,
    ]


def create_database(options):
    import psycopg2

    connection = psycopg2.connect(
        host=options.db_host, port=options.db_port, user=options.db_user, dbname="postgres"
    )
    connection.autocommit = True
    with connection.cursor() as cr:
        cr.execute(f'DROP DATABASE IF EXISTS "{options.database}" WITH (FORCE)')
    connection.close()
    print(f"Creating the database {options.database} with the addon (about a minute)...")
    subprocess.run(
        [sys.executable, "-m", "odoo", *odoo_args(options), "-i", "helpdesk_mail_ticket",
         "--stop-after-init", "--log-level=warn", "--without-demo=",
         f"--http-port={options.port}", "--http-interface=127.0.0.1"],
        cwd=ROOT, check=True,
    )  # fmt: skip


def cycle(inbox, number):
    result = inbox._fetch()
    seen = result["processed"] + result["undesired"] + result["error"]
    print(
        f"Fetch cycle {number}: {seen} new messages: {result['processed']} processed, "
        f"{result['undesired']} undesired, {result['error']} in error"
        + (f" (failure: {result['failure']})" if result.get("failure") else "")
    )
    inbox.env.cr.commit()


def answer_as_agent(env, ticket):
    """The agent answers the caller from the ticket's chatter: the mail Odoo sends
    carries the posted message's Message-ID, which the customer's reply refers to."""
    from markupsafe import Markup

    message = ticket.message_post(
        body=Markup(demo_mail.AGENT_REPLY),
        message_type="comment",
        subtype_xmlid="mail.mt_comment",
        partner_ids=ticket.message_partner_ids.ids,
    )
    env.cr.commit()
    print(f"An agent answered {ticket.partner_id.name} on {ticket.reference} from its chatter.")
    return message.message_id


def show(env, inbox, known_partners):
    from odoo.tools import html2plaintext

    updated = env.ref("helpdesk_mail_ticket.mt_ticket_updated_by_email")
    print("\nTickets (Helpdesk > Tickets):")
    tickets = env["helpdesk.mail.ticket"].search([("mail_inbox_id", "=", inbox.id)], order="id")
    for ticket in tickets:
        caller = ticket.partner_id
        new = "" if caller.id in known_partners else "  (new contact, created from the email)"
        attachments = env["ir.attachment"].search(
            [("res_model", "=", ticket._name), ("res_id", "=", ticket.id)], order="id"
        )
        print(f"  {ticket.reference}  {ticket.name}")
        print(f"    caller       {caller.name} <{caller.email}>{new}")
        print(f"    attachments  {', '.join(attachments.mapped('name')) or '-'}")
        print(f"    followers    {', '.join(ticket.message_partner_ids.mapped('name'))}")
        for update in ticket.message_ids.filtered(lambda m: m.subtype_id == updated)[::-1]:
            text = " ".join(html2plaintext(update.body).split())
            print(f"    reply        {update.author_id.name}: {text[:300]}")
    print("\nEvery message of the mailbox (the inbox's Mailbox Content tab):")
    messages = env["mail.inbox.message"].search([("inbox_id", "=", inbox.id)], order="id")
    for message in messages:
        ticket = message._get_ticket()
        outcome = dict(message._fields["action"].selection).get(message.action, "")
        outcome = f"{outcome} {ticket.reference}" if ticket and outcome else outcome
        reason = f"  ({message.reason})" if message.reason else ""
        print(f"  {message.state:9}  {outcome or '-':22}  {message.subject}{reason}")


def run_story(options, server, password):
    """Create the inbox, run both cycles around the agent's answer, print the outcome."""
    import odoo
    from odoo import SUPERUSER_ID, api

    odoo.tools.config.parse_config([*odoo_args(options), "--log-level=warn"])
    registry = odoo.modules.registry.Registry(options.database)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        acme = env["res.partner"].create({"name": "ACME", "is_company": True})
        for name, email in (demo_mail.ALICE, demo_mail.BOB):
            env["res.partner"].create({"name": name, "email": email, "parent_id": acme.id})
        known_partners = set(env["res.partner"].with_context(active_test=False).search([]).ids)
        inbox = env["mail.inbox"].create(
            {
                "name": "ACME IT support",
                "server": server.host,
                "port": server.imap_port,
                "protocol": "imap",
                "security": "none",
                "login": LOGIN,
                "password": password,
                "unknown_caller_behavior": "create_contact",
                "import_additional_contacts": "always",
                "trace": True,
            }
        )
        cr.commit()
        cycle(inbox, 1)
        first = env["mail.inbox.message"].search(
            [("inbox_id", "=", inbox.id), ("action", "=", "created")], order="id", limit=1
        )
        ticket = env[first.ticket_model].browse(first.ticket_id)
        agent_id = answer_as_agent(env, ticket)
        for _label, raw in demo_mail.second_cycle(
            f"<{first.message_id}>", agent_id, ticket.reference
        ):
            server.append(LOGIN, raw)
        cycle(inbox, 2)
        show(env, inbox, known_partners)
        cr.commit()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", default="hmt_demo")
    parser.add_argument("--db_host", help="default: HMT_DB_HOST, PGHOST or 127.0.0.1")
    parser.add_argument("--db_port", type=int, help="default: HMT_DB_PORT, PGPORT or 5432")
    parser.add_argument("--db_user", help="default: HMT_DB_USER, PGUSER or root")
    parser.add_argument("--port", type=int, default=8069, help="Odoo's HTTP port")
    parser.add_argument("--no-serve", action="store_true", help="exit after the cycles")
    options = parser.parse_args()
    from run_tests import odoo_paths

    options.addons_path = odoo_paths()
    if not options.addons_path:
        sys.exit(
            f"Odoo 18 is not importable by {sys.executable}: run bash setup/install-odoo.sh,"
            " or the README's demo command, which installs it."
        )
    database = pgcluster.database_server(options.db_host, options.db_port, options.db_user)
    options.db_host, options.db_port, options.db_user = database[:3]
    harness = load_harness()
    server = harness.Dovecot().start()  # a fresh mailbox in a temporary folder
    try:
        password = "demo-password"
        server.add_user(LOGIN, password)
        for _label, raw in demo_mail.first_cycle():
            server.append(LOGIN, raw)
        print(f"Dovecot on {server.host}:{server.imap_port} holds {len(server.uids(LOGIN))} mails")
        create_database(options)
        run_story(options, server, password)
        if options.no_serve:
            kept = "is removed with the private PostgreSQL" if database.cluster else "stays"
            print(f"\n--no-serve: the database {options.database} {kept}; Odoo does not serve.")
            return 0
        print(
            f"\nOdoo serves http://127.0.0.1:{options.port} (login admin, password admin): "
            "Helpdesk > Tickets. Ctrl-C stops it."
        )
        odoo_process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "odoo",
                *odoo_args(options),
                f"--http-port={options.port}",
                "--http-interface=127.0.0.1",
            ],  # admin/admin: this machine only
            cwd=ROOT,
        )
        try:
            odoo_process.wait()
        except KeyboardInterrupt:
            odoo_process.send_signal(signal.SIGINT)
            odoo_process.wait()
        return 0
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
