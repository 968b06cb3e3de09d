"""``odoo helpdesk_deliver``: one email on standard input, as a mail server pipes it.

Real subprocesses against real PostgreSQL: a database with the addon installed, the
command run as an MTA runs it, its exit status, and what the database then holds.
Skipped only when Odoo is not importable (the test command says so loudly).
"""

import importlib.util
import os
import socket
import subprocess
import sys
import uuid
from email.message import EmailMessage
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EX_TEMPFAIL = 75
EX_NOUSER = 67
EX_DATAERR = 65

if importlib.util.find_spec("odoo") is None:
    pytest.skip("Odoo is not importable: the delivery command cannot run", allow_module_level=True)
psycopg2 = pytest.importorskip("psycopg2")


def _load_run_tests():
    spec = importlib.util.spec_from_file_location("hmt_run_tests", ROOT / "tools" / "run_tests.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ADDONS_PATH = _load_run_tests().odoo_paths()
DB_HOST = os.environ.get("HMT_DB_HOST", "127.0.0.1")
DB_PORT = os.environ.get("HMT_DB_PORT", "5432")
DB_USER = os.environ.get("HMT_DB_USER", "root")

SETUP_SCRIPT = """
import sys
import odoo
from odoo import SUPERUSER_ID, api
odoo.tools.config.parse_config(sys.argv[1:])
registry = odoo.modules.registry.Registry(odoo.tools.config["db_name"])
with registry.cursor() as cr:
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["mail.inbox"].create({
        "name": "support-push", "server": "mail.invalid", "login": "support@helpdesk.example",
        "unknown_caller_behavior": "create_contact",
    })
    env["mail.inbox"].create({
        "name": "sleeping", "server": "mail.invalid", "login": "sleep@helpdesk.example",
        "active": False,
    })
"""


def odoo_command(*args, db_port=DB_PORT):
    return [
        sys.executable, "-m", "odoo", f"--addons-path={ADDONS_PATH}", *args,
        f"--db_host={DB_HOST}", f"--db_port={db_port}", f"--db_user={DB_USER}",
    ]  # fmt: skip


def deliver(raw, database, inbox="support-push", db_port=DB_PORT):
    command = odoo_command("helpdesk_deliver", "-d", database, "--inbox", inbox, db_port=db_port)
    return subprocess.run(command, input=raw, capture_output=True, timeout=300, check=False)


def make_email(subject, message_id, body="The printer on the 2nd floor is broken."):
    message = EmailMessage()
    message["From"] = "Bob Pusher <bob@client.example>"
    message["To"] = "support@helpdesk.example"
    message["Subject"] = subject
    message["Message-ID"] = message_id
    message.set_content(body)
    return message.as_bytes()


def query(database, sql, params=()):
    with psycopg2.connect(host=DB_HOST, port=DB_PORT, user=DB_USER, dbname=database) as conn:
        with conn.cursor() as cr:
            cr.execute(sql, params)
            return cr.fetchall()


@pytest.fixture(scope="module")
def database():
    name = f"hmt_deliver_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    dropdb = ["dropdb", "--if-exists", "-h", DB_HOST, "-p", DB_PORT, "-U", DB_USER, name]
    install = odoo_command(
        "-d", name, "-i", "helpdesk_mail_ticket", "--without-demo=all", "--stop-after-init",
        "--log-level=warn", "--http-port=0", "--max-cron-threads=0",
    )  # fmt: skip
    try:
        subprocess.run(install, check=True, capture_output=True, timeout=900)
        setup = [sys.executable, "-c", SETUP_SCRIPT, f"--addons-path={ADDONS_PATH}", "-d", name]
        setup += [f"--db_host={DB_HOST}", f"--db_port={DB_PORT}", f"--db_user={DB_USER}"]
        subprocess.run(setup, check=True, capture_output=True, timeout=300)
        yield name
    finally:
        subprocess.run(dropdb, check=False, capture_output=True)


def test_delivered_email_becomes_a_ticket_once(database):
    raw = make_email("Push: printer broken", "<push-1@client.example>")
    result = deliver(raw, database)
    assert result.returncode == 0, result.stderr.decode()
    assert b"push:push-1@client.example processed" in result.stdout
    tickets = query(
        database,
        "SELECT id, origin FROM helpdesk_mail_ticket WHERE name = %s",
        ["Push: printer broken"],
    )
    assert len(tickets) == 1 and tickets[0][1] == "mail"
    ledger = query(
        database,
        "SELECT state, action, ticket_model, ticket_id, on_server, raw_attachment_id IS NOT NULL "
        "FROM mail_inbox_message WHERE uid = %s",
        ["push:push-1@client.example"],
    )
    assert ledger == [("processed", "created", "helpdesk.mail.ticket", tickets[0][0], False, True)]
    caller = query(
        database,
        "SELECT p.email FROM helpdesk_mail_ticket t JOIN res_partner p ON p.id = t.partner_id "
        "WHERE t.id = %s",
        [tickets[0][0]],
    )
    assert caller == [("bob@client.example",)]
    # The mail server delivers the same message again (it lost our answer): no second ticket.
    again = deliver(raw, database)
    assert again.returncode == 0, again.stderr.decode()
    count = query(
        database,
        "SELECT count(*) FROM helpdesk_mail_ticket WHERE name = %s",
        ["Push: printer broken"],
    )
    assert count == [(1,)]


def test_auto_reply_is_recorded_as_undesired_with_exit_0(database):
    raw = make_email("Out of Office: away until Monday", "<push-ooo@client.example>")
    raw = b"Auto-Submitted: auto-replied\n" + raw
    result = deliver(raw, database)
    assert result.returncode == 0, result.stderr.decode()
    state = query(
        database,
        "SELECT state FROM mail_inbox_message WHERE uid = %s",
        ["push:push-ooo@client.example"],
    )
    assert state == [("undesired",)]


def test_unknown_database_is_a_temporary_failure():
    result = deliver(
        make_email("Lost?", "<push-2@client.example>"), f"hmt_missing_{uuid.uuid4().hex}"
    )
    assert result.returncode == EX_TEMPFAIL, result.stderr.decode()
    assert b"temporary failure" in result.stderr


def test_unreachable_postgresql_is_a_temporary_failure():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = str(sock.getsockname()[1])
    # Nothing listens on that port once the socket is closed.
    result = deliver(
        make_email("Lost?", "<push-3@client.example>"), "postgres", db_port=closed_port
    )
    assert result.returncode == EX_TEMPFAIL, result.stderr.decode()
    assert b"temporary failure" in result.stderr


def test_inactive_inbox_is_a_temporary_failure_and_records_nothing(database):
    result = deliver(make_email("Later", "<push-4@client.example>"), database, inbox="sleeping")
    assert result.returncode == EX_TEMPFAIL, result.stderr.decode()
    assert query(
        database, "SELECT count(*) FROM mail_inbox_message WHERE uid LIKE %s", ["%push-4%"]
    ) == [(0,)]


def test_unknown_inbox_and_empty_input_are_permanent(database):
    unknown = deliver(make_email("Where?", "<push-5@client.example>"), database, inbox="nope")
    assert unknown.returncode == EX_NOUSER, unknown.stderr.decode()
    empty = deliver(b"", database)
    assert empty.returncode == EX_DATAERR, empty.stderr.decode()


def test_a_different_email_reusing_a_message_id_is_processed(database):
    """A scanner (or a broken mailer) sends every email with the same Message-ID: the
    second one is another email, recorded and made a ticket, not answered "success"
    with nothing recorded."""
    first = make_email("Scan 1", "<push-scan@client.example>", body="First scanned page.")
    second = make_email("Scan 2", "<push-scan@client.example>", body="Second scanned page.")
    for raw in (first, second):
        result = deliver(raw, database)
        assert result.returncode == 0, result.stderr.decode()
        assert b" processed" in result.stdout, result.stdout
    tickets = query(
        database,
        "SELECT name FROM helpdesk_mail_ticket WHERE name LIKE %s ORDER BY name",
        ["Scan %"],
    )
    assert tickets == [("Scan 1",), ("Scan 2",)]
    lines = query(
        database,
        "SELECT state, action FROM mail_inbox_message WHERE uid LIKE %s ORDER BY id",
        ["push:push-scan@client.example%"],
    )
    assert lines == [("processed", "created"), ("processed", "created")]
    # The same second email delivered again is a duplicate of itself: nothing more.
    again = deliver(second, database)
    assert again.returncode == 0, again.stderr.decode()
    count = query(
        database, "SELECT count(*) FROM helpdesk_mail_ticket WHERE name LIKE %s", ["Scan %"]
    )
    assert count == [(2,)]
