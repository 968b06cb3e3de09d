#!/usr/bin/env python3
"""The README demo: real mail in a local Dovecot becomes tickets in a new Odoo database.

1. starts a private Dovecot on loopback and fills a mailbox with sample mail (real client
   replies, an auto-reply, and generated requests with an inline image and a PDF);
2. creates the Odoo database ``hmt_demo`` (dropped first if it exists) with the addon
   and its demo data, and an inbox pointing at that mailbox;
3. runs one fetch cycle and prints the tickets and every message's outcome;
4. leaves Odoo serving on http://127.0.0.1:8069 (login admin / admin) until Ctrl-C,
   unless ``--no-serve`` is given.

Needs an importable Odoo 18, PostgreSQL (``--db_host``/``--db_user``, default
127.0.0.1/root) and Debian's dovecot-imapd.
"""

import argparse
import importlib.util
import io
import os
import signal
import subprocess
import sys
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADDON_DIR = ROOT / "helpdesk_mail_ticket"
MAIL_DIR = ADDON_DIR / "demo" / "mail"
LOGIN = "support@helpdesk.example"


def load_harness():
    spec = importlib.util.spec_from_file_location("dovecot", ADDON_DIR / "tests" / "dovecot.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def generated_mail():
    """A request with an inline image and a PDF, a reply to it, an out-of-office."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 120), "white")
    ImageDraw.Draw(image).text((10, 50), "Error 0x80070005: access denied", fill="red")
    png = io.BytesIO()
    image.save(png, "PNG")
    request_id = make_msgid(domain="acme.example")
    request = EmailMessage()
    request["From"] = "Alice Martin <alice@acme.example>"
    request["To"] = LOGIN
    request["Subject"] = "Cannot open the shared drive"
    request["Date"] = format_datetime(__import__("datetime").datetime.now().astimezone())
    request["Message-ID"] = request_id
    request.set_content("Hello,\nthe shared drive says access denied (screenshot).\nAlice\n")
    request.add_alternative(
        "<p>Hello,</p><p>the shared drive says <b>access denied</b>:</p>"
        '<p><img src="cid:screenshot@acme.example" alt="screenshot"></p><p>Alice</p>',
        subtype="html",
    )
    request.get_payload()[1].add_related(
        png.getvalue(), "image", "png", cid="<screenshot@acme.example>", filename="screenshot.png"
    )
    request.add_attachment(
        b"%PDF-1.4\n% demo\n", maintype="application", subtype="pdf", filename="error-log.pdf"
    )
    reply = EmailMessage()
    reply["From"] = "Alice Martin <alice@acme.example>"
    reply["To"] = LOGIN
    reply["Subject"] = "Re: Cannot open the shared drive"
    reply["Message-ID"] = make_msgid(domain="acme.example")
    reply["In-Reply-To"] = request_id
    reply["References"] = request_id
    reply.set_content(
        "It works again after a restart, thanks!\n\n"
        "On Monday, Alice Martin wrote:\n> Hello,\n> the shared drive says access denied\n"
    )
    away = EmailMessage()
    away["From"] = "Bob <bob@acme.example>"
    away["To"] = LOGIN
    away["Subject"] = "Out Of Office: back on Monday"
    away["Message-ID"] = make_msgid(domain="acme.example")
    away.set_content("I am away until Monday.")
    return [request.as_bytes(), reply.as_bytes(), away.as_bytes()]


def odoo_args(options):
    return [
        f"--addons-path={options.addons_path}",
        f"--db_host={options.db_host}",
        f"--db_user={options.db_user}",
        "-d",
        options.database,
    ]


def create_database(options):
    subprocess.run(
        ["dropdb", "--if-exists", "-h", options.db_host, "-U", options.db_user, options.database],
        check=False,
    )
    print(f"Creating the database {options.database} with the addon (about a minute)...")
    subprocess.run(
        [sys.executable, "-m", "odoo", *odoo_args(options), "-i", "helpdesk_mail_ticket",
         "--stop-after-init", "--log-level=warn", "--without-demo=",
         f"--http-port={options.port}"],
        cwd=ROOT, check=True,
    )  # fmt: skip


def fetch_and_show(options, server, password):
    """Create the inbox, run one cycle, print the outcome (in-process Odoo)."""
    import odoo
    from odoo import SUPERUSER_ID, api

    odoo.tools.config.parse_config(odoo_args(options))
    registry = odoo.modules.registry.Registry(options.database)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        inbox = env["mail.inbox"].create(
            {
                "name": "Demo support inbox",
                "server": server.host,
                "port": server.imap_port,
                "protocol": "imap",
                "security": "none",
                "login": LOGIN,
                "password": password,
                "unknown_caller_behavior": "create_contact",
                "trace": True,
            }
        )
        env["res.partner"].create({"name": "Alice Martin", "email": "alice@acme.example"})
        cr.commit()
        result = inbox._fetch()
        print(f"\nOne fetch cycle: {result}\n")
        print("Tickets:")
        for ticket in env["helpdesk.mail.ticket"].search([("mail_inbox_id", "=", inbox.id)]):
            updates = ticket.message_ids.filtered(
                lambda m: m.subtype_id == env.ref("helpdesk_mail_ticket.mt_ticket_updated_by_email")
            )
            attachments = env["ir.attachment"].search_count(
                [("res_model", "=", ticket._name), ("res_id", "=", ticket.id)]
            )
            print(
                f"  {ticket.reference}  {ticket.name[:50]:50}  caller={ticket.partner_id.email}"
                f"  attachments={attachments}  updates={len(updates)}"
            )
        print("\nEvery message of the mailbox (Mailbox Content):")
        for message in env["mail.inbox.message"].search([("inbox_id", "=", inbox.id)], order="id"):
            what = message.action or ""
            print(
                f"  {message.state:10} {what:8} {(message.subject or '')[:45]:45}"
                f"  {message.reason or ''}"
            )
        cr.commit()
        return inbox.id


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", default="hmt_demo")
    parser.add_argument("--db_host", default=os.environ.get("HMT_DB_HOST", "127.0.0.1"))
    parser.add_argument("--db_user", default=os.environ.get("HMT_DB_USER", "root"))
    parser.add_argument("--port", type=int, default=8069, help="Odoo's HTTP port")
    parser.add_argument("--no-serve", action="store_true", help="exit after the cycle")
    options = parser.parse_args()
    sys.path.insert(0, str(ROOT / "tools"))
    from run_tests import odoo_paths

    options.addons_path = odoo_paths()
    if not options.addons_path:
        sys.exit("Odoo 18 is not importable by this python3: see README.rst, Development setup.")
    harness = load_harness()
    server = harness.Dovecot(workdir=str(ROOT / ".demo" / "dovecot")).start()
    try:
        password = "demo-password"
        server.add_user(LOGIN, password)
        mails = [path.read_bytes() for path in sorted(MAIL_DIR.glob("*.eml"))]
        for raw in [*generated_mail(), *mails]:
            server.append(LOGIN, raw)
        print(f"Dovecot on {server.host}:{server.imap_port} holds {len(server.uids(LOGIN))} mails")
        create_database(options)
        fetch_and_show(options, server, password)
        if options.no_serve:
            return 0
        print(f"\nOdoo serves http://127.0.0.1:{options.port} (admin/admin); Ctrl-C stops.")
        odoo_process = subprocess.Popen(
            [sys.executable, "-m", "odoo", *odoo_args(options), f"--http-port={options.port}"],
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
