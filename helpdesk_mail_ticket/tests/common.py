# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Shared base of the Odoo tests: a real Dovecot and SMTP sink, users, an inbox.

One Dovecot serves the whole test run (started on first use, stopped at exit); each
test class gets mailbox users of its own, so no test sees another's mail.
"""

import atexit
import itertools
import os
import uuid
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from odoo import SUPERUSER_ID, api
from odoo.sql_db import db_connect
from odoo.tests import TransactionCase, new_test_user

from ..mailharness import dovecot
from ..mailharness.smtp import SmtpSink

_SERVERS = {}
_COUNTER = itertools.count(1)
SAMPLES = os.path.join(os.path.dirname(__file__), "samples")


def get_dovecot(oauth2=False):
    """The run's Dovecot, started on first use. Fails loudly when Dovecot is missing:
    these tests are about real mailboxes. ``oauth2=True``: a second one that also takes
    XOAUTH2 logins, with its token endpoint as ``.oauth2``."""
    key = "dovecot-oauth2" if oauth2 else "dovecot"
    if key not in _SERVERS:
        if not dovecot.available():
            raise RuntimeError(
                "Dovecot is not installed (Debian: apt-get install dovecot-imapd "
                "dovecot-pop3d); the mailbox tests cannot run."
            )
        server = dovecot.Dovecot(oauth2=oauth2).start()
        _SERVERS[key] = server
        atexit.register(server.stop)
    return _SERVERS[key]


def get_smtp_sink():
    if "smtp" not in _SERVERS:
        sink = SmtpSink().start()
        _SERVERS["smtp"] = sink
        atexit.register(sink.stop)
    return _SERVERS["smtp"]


def sample(name):
    with open(os.path.join(SAMPLES, name), "rb") as handle:
        return handle.read()


def make_email(
    subject="Printer broken",
    body="The printer on the 2nd floor is broken.",
    sender="Alice Martin <alice@acme.example>",
    to="support@helpdesk.example",
    html=None,
    headers=None,
    attachments=(),
    message_id=None,
    related=(),
    date=None,
):
    """A real email as bytes, built with the standard library (``date``: its Date
    field, now by default)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    if subject is not None:
        message["Subject"] = subject
    message["Date"] = date or format_datetime(__import__("datetime").datetime.now().astimezone())
    message["Message-ID"] = message_id or make_msgid(domain="client.example")
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    if html is not None:
        message.add_alternative(html, subtype="html")
    for filename, content_type, data, cid in related:
        maintype, subtype = content_type.split("/")
        message.get_payload()[1].add_related(
            data, maintype, subtype, cid=f"<{cid}>", filename=filename
        )
    for filename, content_type, data in attachments:
        maintype, subtype = content_type.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes()


def fail_a_commit_once(cr, when):
    """A real failure of PostgreSQL, once: the first commit after an update of a ledger
    line matching the trigger condition ``when`` (SQL on NEW and OLD) fails its
    deferred check with a serialization failure (all undone with the test)."""
    # The condition is the test's own constant text, never data.
    cr.execute(  # pylint: disable=sql-injection
        f"""CREATE SEQUENCE hmt_test_fail_once;
            CREATE FUNCTION hmt_test_fail_once() RETURNS trigger AS $$
            BEGIN
                IF nextval('hmt_test_fail_once') = 1 THEN
                    RAISE EXCEPTION 'concurrent update' USING ERRCODE = '40001';
                END IF;
                RETURN NULL;
            END $$ LANGUAGE plpgsql;
            CREATE CONSTRAINT TRIGGER hmt_test_fail_once AFTER UPDATE ON mail_inbox_message
                DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
                WHEN ({when}) EXECUTE FUNCTION hmt_test_fail_once()"""
    )


class MailTicketCase(TransactionCase):
    """A helpdesk manager, an agent, a known caller and an IMAP inbox on Dovecot."""

    protocol = "imap"
    security = "none"

    def _real_env(self):
        """An environment on a connection of its own, as another worker has (its commits
        are real; closed at the end of the test)."""
        cursor = db_connect(self.env.cr.dbname).cursor()
        self.addCleanup(cursor.close)
        return api.Environment(cursor, SUPERUSER_ID, {})

    def _after_an_admins_write(self, step, inbox, values):
        """``step`` (a method of the inbox's model) wrapped: its first call is preceded by
        an administrator's write of ``values`` to the inbox, committed on a connection of
        its own. Returns the wrapper and the list telling whether the write ran."""
        changed = []

        def wrapped(record, *args, **kwargs):
            if not changed:  # the administrator's write, committed in between
                admin = self._real_env()
                admin["mail.inbox"].browse(inbox.id).write(values)
                admin.cr.commit()
                changed.append(True)
            return step(record, *args, **kwargs)

        return wrapped, changed

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.dovecot = get_dovecot()
        cls.manager = new_test_user(
            cls.env,
            login="hmt_manager",
            groups="helpdesk_mail_ticket.group_helpdesk_mail_ticket_manager",
        )
        cls.agent = new_test_user(
            cls.env,
            login="hmt_agent",
            groups="helpdesk_mail_ticket.group_helpdesk_mail_ticket_user",
        )
        cls.acme = cls.env["res.partner"].create({"name": "Acme Corp", "is_company": True})
        cls.alice = cls.env["res.partner"].create(
            {"name": "Alice Martin", "email": "Alice@Acme.example", "parent_id": cls.acme.id}
        )

    def setUp(self):
        super().setUp()
        # A fresh mailbox per test: Dovecot's mail is not rolled back with the database.
        self.mailbox_login, self.mailbox_password = self.new_mailbox()
        self.inbox = self.create_inbox(self.mailbox_login, self.mailbox_password)

    @classmethod
    def new_mailbox(cls):
        login = f"support{next(_COUNTER)}-{uuid.uuid4().hex[:8]}@helpdesk.example"
        password = uuid.uuid4().hex
        cls.dovecot.add_user(login, password)
        return login, password

    @classmethod
    def create_inbox(cls, login, password, **values):
        ports = {
            ("imap", "none"): cls.dovecot.imap_port,
            ("imap", "starttls"): cls.dovecot.imap_port,
            ("imap", "ssl"): cls.dovecot.imaps_port,
            ("pop3", "none"): cls.dovecot.pop3_port,
            ("pop3", "starttls"): cls.dovecot.pop3_port,
            ("pop3", "ssl"): cls.dovecot.pop3s_port,
        }
        protocol = values.pop("protocol", cls.protocol)
        security = values.pop("security", cls.security)
        vals = {
            "name": login,
            "server": cls.dovecot.host,
            "protocol": protocol,
            "security": security,
            "port": ports[(protocol, security)],
            "login": login,
            "password": password,
            "verify_certificate": False,
            "title_pattern": "/R-([0-9]{6})/",
        }
        vals.update(values)
        return cls.env["mail.inbox"].create(vals)

    def committed_inbox(self, mails, name, batch_size=None):
        """An IMAP inbox committed on a connection of its own (so that other workers'
        connections see it), on a mailbox of its own holding ``mails``; ``batch_size``
        messages a processing batch. Removed at the end with its tickets and the
        contacts they made."""
        # A mailbox of its own: the test's inbox is not committed, and a second inbox on
        # its mailbox would wait on the test transaction (unique mailbox key).
        login, password = self.new_mailbox()
        for raw in mails:
            self.deliver(raw, login=login)
        setup = self._real_env()
        inbox = setup["mail.inbox"].create(
            {
                "name": name,
                "server": self.dovecot.host,
                "port": self.dovecot.imap_port,
                "protocol": "imap",
                "security": "none",
                "login": login,
                "password": password,
                "unknown_caller_behavior": "create_contact",
                "mailbox": "INBOX",
            }
        )
        if batch_size:
            parameters = setup["ir.config_parameter"]
            parameters.set_param("helpdesk_mail_ticket.batch_size", str(batch_size))
        setup.cr.commit()
        self.addCleanup(self._drop_committed_inbox, inbox.id)
        return inbox

    def _drop_committed_inbox(self, inbox_id):
        env = self._real_env()
        inbox = env["mail.inbox"].browse(inbox_id)
        tickets = env["helpdesk.mail.ticket"].search([("mail_inbox_id", "=", inbox_id)])
        partners = tickets.mapped("partner_id")
        tickets.unlink()
        inbox.unlink()
        partners.filtered(lambda p: not p.user_ids).unlink()
        env["ir.config_parameter"].set_param("helpdesk_mail_ticket.batch_size", False)
        env.cr.commit()

    def committed_message_ids(self, inbox, on_server=False):
        """The Message-IDs of ``inbox``'s ledger lines as committed (read on a
        connection of its own), sorted; with ``on_server``, those still on the server."""
        check = self.env.registry.cursor()
        try:
            check.execute(
                "SELECT message_id FROM mail_inbox_message WHERE inbox_id = %s"
                + (" AND on_server" if on_server else ""),
                [inbox.id],
            )
            return sorted(row[0] for row in check.fetchall())
        finally:
            check.close()

    def only_inboxes_with_mail(self, count, prefix):
        """``count`` new inboxes (sequence 0, 1...), each on a mailbox of its own
        holding one mail (Message-ID ``<prefix-N@client.example>``), the others
        archived: what a cron run then polls."""
        self.env["mail.inbox"].search([]).active = False
        inboxes = self.env["mail.inbox"]
        for number in range(count):
            login, password = self.new_mailbox()
            inboxes |= self.create_inbox(login, password, sequence=number)
            self.deliver(make_email(message_id=f"<{prefix}-{number}@client.example>"), login=login)
        return inboxes

    def use_smtp_sink(self):
        """Route outgoing mail to the run's SMTP sink (emptied) and return it."""
        sink = get_smtp_sink()
        sink.clear()
        self.env["ir.mail_server"].search([]).active = False
        self.env["ir.mail_server"].create(
            {
                "name": "SMTP sink",
                "smtp_host": "127.0.0.1",
                "smtp_port": sink.port,
                "smtp_encryption": "none",
            }
        )
        return sink

    def deliver(self, raw, login=None, folder="INBOX"):
        return self.dovecot.append(login or self.mailbox_login, raw, folder=folder)

    def server_uids(self, login=None, folder="INBOX"):
        return self.dovecot.uids(login or self.mailbox_login, folder)

    def fetch(self, inbox=None):
        result = (inbox or self.inbox)._fetch()
        self.assertFalse(result.get("failure"), result.get("failure"))
        return result

    def ledger(self, inbox=None):
        return self.env["mail.inbox.message"].search([("inbox_id", "=", (inbox or self.inbox).id)])

    def ticket_of(self, ledger_line):
        return ledger_line._get_ticket()

    def ticket_with_alias(self, name):
        """The ticket "Printer" of a fetched request (``<first@client.example>``) and an
        alias ``name`` whose parent is that ticket (an integrator's per-ticket address)."""
        self.deliver(make_email(subject="Printer", message_id="<first@client.example>"))
        self.fetch()
        (ticket,) = self.env["helpdesk.mail.ticket"].search([("name", "=", "Printer")])
        domain = self.env["mail.alias.domain"].search([], limit=1) or self.env[
            "mail.alias.domain"
        ].create({"name": "tickets.example"})
        model = self.env["ir.model"]._get(ticket._name)
        alias = self.env["mail.alias"].create(
            {
                "alias_name": name,
                "alias_model_id": model.id,
                "alias_parent_model_id": model.id,
                "alias_parent_thread_id": ticket.id,
                "alias_domain_id": domain.id,
            }
        )
        return ticket, alias


class OAuth2MailTicketCase(MailTicketCase):
    """MailTicketCase on the Dovecot that also takes XOAUTH2: ``endpoint`` (the harness's
    loopback OAuth2 server) issues, refreshes and revokes the tokens it checks."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dovecot = get_dovecot(oauth2=True)
        cls.endpoint = cls.dovecot.oauth2
