"""What the cron's connections opened ahead must not change: an inbox polled on a
connection opened ahead reads what its own connection would have read, with the
settings it has at its turn, on a live session, and its debug trace keeps the lines
its connection wrote."""

import poplib
import socket
from unittest.mock import patch

from odoo.tests import tagged

from ..mailharness.proxy import FaultProxy
from ..mailsource.ahead import ConnectAhead
from .common import MailTicketCase, make_email


@tagged("post_install", "-at_install")
class TestAttackAhead(MailTicketCase):
    def setUp(self):
        super().setUp()
        self.deliver(make_email(message_id="<first-box@client.example>", subject="First box"))

    def test_an_unchanged_inbox_is_polled_on_its_connection_opened_ahead(self):
        """What the checks above must not cost: an inbox whose settings did not change
        and whose session is alive is polled on the connection opened ahead, not on a
        second one."""
        with FaultProxy(self.dovecot.imap_port) as proxy:
            self.inbox.port = proxy.port
            with ConnectAhead(width=1) as ahead:
                self.inbox._connect_ahead(ahead)
                ahead.wait(self.inbox.id)
                result = self.inbox._fetch(ahead=ahead)
            self.assertEqual(proxy.connections, 1)
        self.assertFalse(result.get("failure"), result.get("failure"))
        self.assertEqual(self.ledger().state, "processed")

    def test_an_inbox_edited_after_its_connection_was_opened_reads_its_new_mailbox(self):
        """An administrator moves the inbox to another mailbox (login and password)
        while the cron polls the inboxes before it: its cycle reads the new mailbox,
        not the old one on the connection opened with the old settings."""
        login, password = self.new_mailbox()
        self.deliver(make_email(message_id="<second-box@client.example>"), login=login)
        with ConnectAhead(width=1) as ahead:
            self.inbox._connect_ahead(ahead)
            ahead.wait(self.inbox.id)
            self.inbox.write({"login": login, "password": password})
            result = self.inbox._fetch(ahead=ahead)
        self.assertFalse(result.get("failure"), result.get("failure"))
        self.assertEqual(self.ledger().mapped("message_id"), ["second-box@client.example"])

    def test_an_inbox_whose_session_the_server_ended_meanwhile_is_polled(self):
        """The server ends the session opened ahead before the inbox's turn (an idle
        timeout, a restart, an administrator's kick): the cycle connects again and
        processes the mail, instead of failing on a dead connection."""
        with ConnectAhead(width=1) as ahead:
            self.inbox._connect_ahead(ahead)
            ahead.wait(self.inbox.id)
            self.dovecot.kick(self.mailbox_login)
            result = self.inbox._fetch(ahead=ahead)
        self.assertFalse(result.get("failure"), result.get("failure"))
        self.assertEqual(self.inbox.state, "ok", self.inbox.last_error)
        self.assertEqual(self.ledger().state, "processed")

    def test_the_trace_of_a_connection_opened_ahead_is_kept(self):
        """An inbox opened ahead behind a slow server (its connection waiting for a
        thread when its turn comes) still has the lines its connection traced in its
        Debug Trace tab: the connection's trace is the cycle's, even while empty."""
        silent = socket.create_server(("127.0.0.1", 0))  # accepts, never greets
        self.addCleanup(silent.close)
        self.env["ir.config_parameter"].set_param("helpdesk_mail_ticket.socket_timeout", "2")
        slow_login, slow_password = self.new_mailbox()
        slow = self.create_inbox(slow_login, slow_password, port=silent.getsockname()[1])
        self.inbox.trace = True
        with ConnectAhead(width=1) as ahead:
            (slow | self.inbox)._connect_ahead(ahead)
            result = self.inbox._fetch(ahead=ahead)
        self.assertFalse(result.get("failure"), result.get("failure"))
        self.assertIn("connecting", self.inbox.debug_trace)
        self.assertIn("LOGIN", self.inbox.debug_trace)

    def test_a_pop3_mailbox_two_inboxes_read_under_two_host_names_is_not_opened_ahead(self):
        """Two POP3 inboxes read one mailbox under two names of its server (127.0.0.1
        and localhost: the unique mailbox key tells them apart). A POP3 server locks a
        mailbox for one session (RFC 1939): the second's session opened ahead while the
        first polls made the first's login refused, every run. Without the lock, the
        session opened ahead listed the mail the first then deleted."""
        login, password = self.new_mailbox()
        self.dovecot.add_user(login, password, pop3_lock=True)
        self.deliver(make_email(message_id="<alias@client.example>"), login=login)
        values = {"protocol": "pop3", "email_storage": "delete"}
        first = self.create_inbox(login, password, sequence=1, **values)
        second = self.create_inbox(
            login, password, sequence=2, server="localhost", name="alias", **values
        )
        shared = self.env["mail.inbox"].search([])._pop3_mailboxes_shared()
        with ConnectAhead(width=1) as ahead:
            second._connect_ahead(ahead, shared)
            ahead.wait(second.id)
            results = [first._fetch(ahead=ahead), second._fetch(ahead=ahead)]
        for inbox, result in zip((first, second), results, strict=True):
            self.assertFalse(result.get("failure"), result.get("failure"))
            self.assertEqual(inbox.state, "ok", inbox.last_error)
        self.assertEqual(self.ledger(first).state, "processed")
        self.assertFalse(self.ledger(second), "the second listed the mail the first deleted")
        self.assertFalse(self.server_uids(login))

    def test_inboxes_deleted_during_the_cron_run_do_not_end_it(self):
        """An administrator deletes two inboxes while the cron polls the first: one
        whose connection was already opened ahead, one whose turn to be opened ahead
        comes next. The run goes on with the inboxes left; it failed on the deleted
        records and polled none of the next inboxes."""
        inboxes = self.only_inboxes_with_mail(6, "deleted")
        deleted = inboxes[1] | inboxes[5]
        kept = inboxes - deleted
        original = type(inboxes)._fetch_from_source

        def fetch_from_source(inbox, source, limit):
            if inbox == inboxes[0]:
                deleted.unlink()
            return original(inbox, source, limit)

        with patch.object(type(inboxes), "_fetch_from_source", fetch_from_source):
            self.env["mail.inbox"]._cron_fetch()
        self.assertFalse(deleted.exists())
        for inbox in kept:
            self.assertEqual(inbox.state, "ok", inbox.last_error)
            self.assertEqual(self.ledger(inbox).state, "processed")

    def test_a_connection_opened_ahead_is_closed_when_its_turn_cannot_prepare_settings(self):
        """The settings change during the run so that the inbox's connection cannot be
        prepared at its turn (a timeout that is no number): its cycle fails, and the
        POP3 session opened ahead is closed then, not at the end of the run: it held
        the mailbox's lock meanwhile: any other client's login was refused or kept
        waiting (queue jobs of the inbox, the user's mail client)."""
        login, password = self.new_mailbox()
        self.dovecot.add_user(login, password, pop3_lock=True)
        inbox = self.create_inbox(login, password, protocol="pop3")
        with ConnectAhead(width=1) as ahead:
            inbox._connect_ahead(ahead)
            ahead.wait(inbox.id)
            self.env["ir.config_parameter"].set_param("helpdesk_mail_ticket.socket_timeout", "soon")
            with self.assertLogs("odoo.addons.helpdesk_mail_ticket.models.mail_inbox", "ERROR"):
                result = inbox._fetch(ahead=ahead)
            self.assertIn("soon", result["failure"])
            client = poplib.POP3(self.dovecot.host, self.dovecot.pop3_port, timeout=10)
            try:
                client.user(login)
                client.pass_(password)  # not while the session opened ahead is open
            finally:
                client.quit()
