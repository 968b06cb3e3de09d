# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Downloads that fail, on the real Dovecot behind the harness's FaultProxy: a message
the server never hands over counts against itself alone and is set aside after the
attempt limit; a lost connection counts against the cycle, never against the message."""

from odoo.tests import tagged

from ..mailharness.proxy import FaultProxy
from ..models.mail_inbox_message import MAX_ATTEMPTS
from .common import MailTicketCase, make_email

ANSWER = "[UNAVAILABLE] Message damaged (test proxy)"


class DownloadFaultCase(MailTicketCase):
    def setUp(self):
        super().setUp()
        self.uids = [
            self.deliver(
                make_email(subject=f"Request {number}", message_id=f"<dl-{number}@client.example>")
            )
            for number in (1, 2, 3)
        ]

    def proxied_inbox(self, protocol, **faults):
        """The test's mailbox read through a FaultProxy making ``faults``."""
        port = self.dovecot.imap_port if protocol == "imap" else self.dovecot.pop3_port
        proxy = FaultProxy(port, protocol, **faults).start()
        self.addCleanup(proxy.stop)
        self.inbox.write({"protocol": protocol, "port": proxy.port})
        return proxy

    def line(self, number):
        return self.ledger().filtered(lambda m: m.message_id == f"dl-{number}@client.example")

    def by_uid(self, position):
        """The ledger line of the ``position``-th delivered message (before its headers
        are read, it has no Message-ID)."""
        return self.ledger().sorted("id")[position]


@tagged("post_install", "-at_install")
class TestDownloadRefused(DownloadFaultCase):
    def _check_refused_message_set_aside(self, proxy, protocol):
        self.inbox.write(
            {"notify_errors_to": "admin@it.example", "notify_errors_from": "helpdesk@it.example"}
        )
        for cycle in range(1, MAX_ATTEMPTS + 1):
            result = self.fetch()
            refused = self.by_uid(1)
            self.assertEqual(self.inbox.state, "ok", "a refused message is not the inbox's failure")
            if cycle < MAX_ATTEMPTS:
                self.assertEqual(refused.state, "new")
                self.assertEqual(refused.attempts, cycle)
                self.assertIn(ANSWER, refused.reason, "the server's answer is kept")
            if cycle == 1:
                # The rest of the inbox went on in the same cycle.
                self.assertEqual(result["processed"], 2, result)
                self.assertEqual(self.line(1).state, "processed")
                self.assertEqual(self.line(3).state, "processed")
        self.assertEqual(result["error"], 1, result)
        self.assertEqual(refused.state, "error")
        self.assertEqual(refused.attempts, MAX_ATTEMPTS)
        self.assertIn(ANSWER, refused.reason)
        self.assertEqual(refused.subject, "Request 2", "its headers tell the admin what it is")
        self.assertEqual(len(proxy.failed), MAX_ATTEMPTS)
        forwarded = self.env["mail.mail"].search([("email_to", "=", "admin@it.example")])
        self.assertEqual(len(forwarded), 1, "the admin is told as of any error")
        self.assertIn(ANSWER, str(forwarded.body_html))
        # Set aside: never downloaded again.
        self.fetch()
        self.assertEqual(len(proxy.failed), MAX_ATTEMPTS)
        self.assertEqual(refused.state, "error")
        self.assertEqual(len(self.server_uids()), 3, "nothing deleted (error behaviour: keep)")

    def test_imap_fetch_refused_every_time(self):
        proxy = self.proxied_inbox("imap", fail_uids=[self.uids[1]])
        self._check_refused_message_set_aside(proxy, "imap")

    def test_pop3_retr_refused_every_time(self):
        proxy = self.proxied_inbox("pop3", fail_numbers=[2])
        self._check_refused_message_set_aside(proxy, "pop3")


@tagged("post_install", "-at_install")
class TestDownloadConnectionLost(DownloadFaultCase):
    def test_connection_lost_while_reading_one_message_sets_it_aside(self):
        """A lost connection fails the cycle and is not an attempt of the message; but a
        message whose download kills the connection every time is set aside after
        MAX_ATTEMPTS such cycles in a row (kept on the server, the admin told), and the
        rest of the inbox goes on."""
        self.inbox.write(
            {"notify_errors_to": "admin@it.example", "notify_errors_from": "helpdesk@it.example"}
        )
        proxy = self.proxied_inbox("imap", reset_uids=[self.uids[1]])
        for cycle in range(1, MAX_ATTEMPTS + 1):
            with self.assertLogs("odoo.addons.helpdesk_mail_ticket.models.mail_inbox", "WARNING"):
                result = self.inbox._fetch()
            self.assertTrue(result.get("failure"), result)
            self.assertEqual(self.inbox.state, "error", "the cycle failed")
            line = self.line(2)
            self.assertEqual(line.state, "new")
            self.assertEqual(line.attempts, 0, "a lost connection is not an attempt")
            self.assertIn("dl-2@client.example", self.inbox.last_error, "the line is named")
            self.assertIn(f"{cycle} of {MAX_ATTEMPTS}", self.inbox.last_error)
            self.assertEqual(self.line(3).state, "new", "after it, nothing is read")
        self.assertEqual(self.line(1).state, "processed")
        self.assertEqual(len(proxy.failed), MAX_ATTEMPTS)
        result = self.fetch()
        self.assertEqual(self.inbox.state, "ok")
        line = self.line(2)
        self.assertEqual(line.state, "error")
        self.assertIn("connection", line.reason)
        self.assertEqual(line.subject, "Request 2", "its headers tell the admin what it is")
        self.assertEqual(self.line(3).state, "processed", "the rest of the inbox goes on")
        self.assertEqual(len(proxy.failed), MAX_ATTEMPTS, "not downloaded again")
        self.assertEqual(len(self.server_uids()), 3, "kept on the server")
        forwarded = self.env["mail.mail"].search([("email_to", "=", "admin@it.example")])
        self.assertEqual(len(forwarded), 1, "the admin is told as of any error")
        # Once the connection holds, Reset Status processes it like any other.
        proxy.reset_uids.clear()
        line.action_reset_status()
        self.fetch()
        self.assertEqual(sorted(self.ledger().mapped("state")), ["processed"] * 3)

    def test_a_connection_lost_once_is_forgotten_once_the_download_succeeds(self):
        proxy = self.proxied_inbox("imap", reset_uids=[self.uids[1]])
        for _cycle in range(MAX_ATTEMPTS - 1):
            with self.assertLogs("odoo.addons.helpdesk_mail_ticket.models.mail_inbox", "WARNING"):
                self.inbox._fetch()
        proxy.reset_uids.clear()
        self.fetch()
        self.assertEqual(self.line(2).state, "processed")
        self.assertFalse(self.line(2).connection_failures)

    def test_connection_lost_while_reading_headers_fails_the_cycle_cleanly(self):
        """The headers read to record new mail (_record_batch): a connection lost there
        fails the cycle; nothing is half recorded, and the next cycle records and
        processes every message once."""
        proxy = self.proxied_inbox("imap", reset_header_uids=[self.uids[1]])
        with self.assertLogs("odoo.addons.helpdesk_mail_ticket.models.mail_inbox", "WARNING"):
            result = self.inbox._fetch()
        self.assertTrue(result.get("failure"), result)
        self.assertEqual(self.inbox.state, "error")
        self.assertEqual(proxy.failed, [("reset-header", self.uids[1])])
        self.assertFalse(self.ledger().filtered(lambda m: m.state != "new"))
        proxy.reset_header_uids.clear()
        self.fetch()
        self.assertEqual(sorted(self.ledger().mapped("state")), ["processed"] * 3)
        self.assertEqual(len(set(self.ledger().mapped("ticket_id"))), 3, "one ticket each")


@tagged("post_install", "-at_install")
class TestBudget(MailTicketCase):
    """``max_messages_per_run`` bounds a cron run across inboxes, and *Fetch now*."""

    def setUp(self):
        super().setUp()
        self.env["mail.inbox"].search([("id", "!=", self.inbox.id)]).active = False
        self.env["ir.config_parameter"].set_param("helpdesk_mail_ticket.max_messages_per_run", "2")
        self.cron = self.env.ref("helpdesk_mail_ticket.ir_cron_mail_inbox_fetch")

    def deliver_requests(self, count, login=None, prefix="b"):
        for number in range(count):
            self.deliver(make_email(message_id=f"<{prefix}-{number}@client.example>"), login=login)

    def processed(self, *inboxes):
        return sum(self.ledger(inbox).mapped("state").count("processed") for inbox in inboxes)

    def test_spent_budget_leaves_the_next_inboxes_for_the_next_run(self):
        other_login, other_password = self.new_mailbox()
        other = self.create_inbox(other_login, other_password, name="second")
        self.deliver_requests(3)
        self.deliver_requests(2, login=other_login, prefix="o")
        cron, progress = self.cron._add_progress()
        self.env["mail.inbox"].with_context(**cron.env.context)._cron_fetch()
        self.assertEqual(self.processed(self.inbox, other), 2, "the budget holds across inboxes")
        self.assertEqual((progress.done, progress.remaining), (2, 3), "the cron runs again")
        for _run in range(2):
            self.env["mail.inbox"]._cron_fetch()
        self.assertEqual(self.processed(self.inbox, other), 5)

    def test_fetch_now_is_bounded_and_leaves_the_rest_to_the_cron(self):
        self.deliver_requests(3)
        before = self.env["ir.cron.trigger"].search([("cron_id", "=", self.cron.id)])
        action = self.inbox.with_user(self.manager).action_fetch_now()
        self.assertEqual(self.processed(self.inbox), 2, "no more than a run's budget")
        self.assertEqual(self.ledger().mapped("state").count("new"), 1)
        triggers = self.env["ir.cron.trigger"].search([("cron_id", "=", self.cron.id)]) - before
        self.assertTrue(triggers, "the cron is triggered for the rest")
        self.assertIn("1 more will be processed", action["params"]["message"])
        self.env["mail.inbox"]._cron_fetch()
        self.assertEqual(self.processed(self.inbox), 3)


@tagged("post_install", "-at_install")
class TestDeleteWithoutUidplus(MailTicketCase):
    """A server without UIDPLUS (Dovecot behind a proxy that strips it): our deletions
    never expunge mail another client flagged \\Deleted; ours wait, flagged, and are
    retried until they can be removed alone."""

    def test_other_clients_deleted_mail_survives_our_cycle(self):
        proxy = FaultProxy(self.dovecot.imap_port, "imap", strip={"UIDPLUS"}).start()
        self.addCleanup(proxy.stop)
        self.inbox.write(
            {
                "port": proxy.port,
                "error_behavior": "delete",
                "unknown_caller_behavior": "reject_email",
                "trace": True,
            }
        )
        theirs = self.deliver(make_email(subject="Kept", message_id="<kept@client.example>"))
        self.fetch()
        with self.dovecot.imap(self.mailbox_login, "INBOX") as client:
            client.uid("STORE", str(theirs), "+FLAGS", "(\\Deleted)")  # another client's
        ours = self.deliver(
            make_email(sender="stranger@unknown.example", message_id="<err@client.example>")
        )
        self.fetch()
        error = self.ledger().filtered(lambda m: m.message_id == "err@client.example")
        self.assertEqual(error.state, "error")
        self.assertEqual(self.server_uids(), [theirs, ours], "no plain EXPUNGE of theirs")
        self.assertEqual(self.dovecot.flags(self.mailbox_login, theirs), {"\\Deleted"})
        self.assertEqual(self.dovecot.flags(self.mailbox_login, ours), {"\\Deleted"})
        self.assertTrue(error.on_server, "still on the server: to delete again")
        self.assertIn("left flagged", self.inbox.debug_trace or "")
        # Once the other client is done with its mail, ours is removed, alone.
        with self.dovecot.imap(self.mailbox_login, "INBOX") as client:
            client.uid("STORE", str(theirs), "-FLAGS", "(\\Deleted)")
        self.fetch()
        self.assertEqual(self.server_uids(), [theirs])
        self.assertFalse(error.on_server)

    def _other_clients_flag(self, uid, flag="+FLAGS"):
        with self.dovecot.imap(self.mailbox_login, "INBOX") as client:
            client.uid("STORE", str(uid), flag, "(\\Deleted)")

    def test_mail_deleted_by_hand_and_left_flagged_is_expunged_later(self):
        proxy = FaultProxy(self.dovecot.imap_port, "imap", strip={"UIDPLUS"}).start()
        self.addCleanup(proxy.stop)
        self.inbox.port = proxy.port
        theirs = self.deliver(make_email(subject="Kept", message_id="<kept2@client.example>"))
        ours = self.deliver(make_email(subject="Ours", message_id="<ours2@client.example>"))
        self.fetch()
        line = self.ledger().filtered(lambda m: m.message_id == "ours2@client.example")
        self._other_clients_flag(theirs)
        line.with_user(self.manager).action_delete_from_server()
        self.assertEqual(self.server_uids(), [theirs, ours], "no plain EXPUNGE of theirs")
        self.assertTrue(line.on_server, "left flagged: still on the server")
        self.assertTrue(line.flagged_deleted)
        self._other_clients_flag(theirs, "-FLAGS")
        self.fetch()
        self.assertEqual(self.server_uids(), [theirs], "our own flag is expunged later")
        self.assertFalse(line.on_server)
        # Our flag gone, a later deletion is not held up by it.
        self.assertFalse(self.dovecot.flags(self.mailbox_login, theirs))

    def test_mail_moved_without_move_or_uidplus_is_copied_once(self):
        proxy = FaultProxy(self.dovecot.imap_port, "imap", strip={"UIDPLUS", "MOVE"}).start()
        self.addCleanup(proxy.stop)
        self.inbox.write(
            {
                "port": proxy.port,
                "email_storage": "move",
                "target_folder": "Done",
                "unknown_caller_behavior": "reject_email",
            }
        )
        # An email in error, kept in the folder, that another client flags \Deleted.
        theirs = self.deliver(
            make_email(sender="stranger@unknown.example", message_id="<kept3@client.example>")
        )
        self._other_clients_flag(theirs)
        ours = self.deliver(make_email(subject="Ours", message_id="<ours3@client.example>"))
        self.fetch()
        line = self.ledger().filtered(lambda m: m.message_id == "ours3@client.example")
        self.assertEqual(line.state, "processed")
        self.assertEqual(self.server_uids(), [theirs, ours])
        self.assertTrue(line.on_server and line.flagged_deleted)
        self.fetch()
        self._other_clients_flag(theirs, "-FLAGS")
        self.fetch()
        self.assertEqual(self.server_uids(), [theirs])
        self.assertFalse(line.on_server)
        self.assertEqual(len(self.server_uids(folder="Done")), 1, "copied once")
