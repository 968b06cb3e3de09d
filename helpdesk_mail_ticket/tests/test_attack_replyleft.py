# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""A reply left new for a later cycle while an older email it may answer is still to
be processed: never held back for good, never a ticket of its own while that email
makes one, never a stale reason (attacks on the replyjob change)."""

from unittest.mock import patch

from odoo.tests import tagged

from ..mailharness.proxy import FaultProxy
from ..models.mail_inbox_message import MAX_ATTEMPTS
from . import test_robustness
from .common import MailTicketCase, make_email


def tickets(env, inbox):
    return env["helpdesk.mail.ticket"].search([("mail_inbox_id", "=", inbox.id)])


class ReplyLeftCase(MailTicketCase):
    """Helpers: an email an integrator's hook fails on for a number of cycles."""

    def reply(self, subject, message_id, answered, body="More details.\n"):
        return make_email(
            subject=subject,
            body=body,
            headers={"In-Reply-To": answered[-1], "References": " ".join(answered)},
            message_id=message_id,
        )

    def fetch_failing(self, title, cycles=1):
        """``cycles`` cycles in which an integrator's hook fails on the email ``title``."""
        ticket_class = type(self.env["helpdesk.mail.ticket"])
        original = ticket_class._mail_ticket_prepare_create_vals

        def hook(model, email_vals):
            if email_vals["title"] == title:
                raise ConnectionResetError("the integrator's service hung up")
            return original(model, email_vals)

        with (
            patch.object(ticket_class, "_mail_ticket_prepare_create_vals", hook),
            self.assertLogs("odoo.addons.helpdesk_mail_ticket", "WARNING"),
        ):
            for _cycle in range(cycles):
                self.fetch()


@tagged("post_install", "-at_install")
class TestReplyChainLeft(ReplyLeftCase):
    """An email, a reply to it, and a reply to the reply: the email fails once. Both
    replies wait, then land on the email's one ticket."""

    def deliver_chain(self):
        self.deliver(make_email(subject="Chain", message_id="<ch-1@client.example>"))
        self.deliver(self.reply("Re: Chain", "<ch-2@client.example>", ["<ch-1@client.example>"]))
        self.deliver(
            self.reply(
                "Re: Re: Chain",
                "<ch-3@client.example>",
                ["<ch-1@client.example>", "<ch-2@client.example>"],
            )
        )

    def check_chain(self):
        self.deliver_chain()
        self.fetch_failing("Chain")
        email, first, second = self.ledger().sorted("id")
        self.assertEqual([m.state for m in (email, first, second)], ["new"] * 3)
        self.assertFalse(tickets(self.env, self.inbox))
        self.fetch()
        self.assertEqual([m.state for m in (email, first, second)], ["processed"] * 3)
        self.assertEqual(
            [m.action for m in (email, first, second)], ["created", "updated", "updated"]
        )
        self.assertEqual(tickets(self.env, self.inbox), self.ticket_of(email), "one ticket")
        self.assertEqual((first.attempts, second.attempts), (1, 1))

    def test_in_a_batch(self):
        self.check_chain()

    def test_alone(self):
        self.env["ir.config_parameter"].set_param("helpdesk_mail_ticket.batch_size", "1")
        self.check_chain()


@tagged("post_install", "-at_install")
class TestReplyToTwoEmailsLeft(ReplyLeftCase):
    """A reply quoting two older emails of the inbox, the second of which fails once:
    the reply waits for it, then updates a ticket; three tickets are never made."""

    def test_the_reply_waits_for_the_one_retried(self):
        self.deliver(make_email(subject="First", message_id="<two-1@client.example>"))
        self.deliver(make_email(subject="Second", message_id="<two-2@client.example>"))
        self.deliver(
            self.reply(
                "Re: Second",
                "<two-3@client.example>",
                ["<two-1@client.example>", "<two-2@client.example>"],
            )
        )
        self.fetch_failing("Second")
        first, second, reply = self.ledger().sorted("id")
        self.assertEqual((first.state, second.state, reply.state), ("processed", "new", "new"))
        self.fetch()
        self.assertEqual((second.state, second.action), ("processed", "created"))
        self.assertEqual((reply.state, reply.action), ("processed", "updated"))
        self.assertEqual(len(tickets(self.env, self.inbox)), 2, "no ticket of the reply's own")


@tagged("post_install", "-at_install")
class TestReplyLeftPop3Delete(test_robustness.TestReplyToAnEmailRetried):
    """As TestReplyToAnEmailRetried, on POP3 deleting processed mail."""

    protocol = "pop3"
    allow_inherited_tests_method = True

    def setUp(self):
        super().setUp()
        self.inbox.email_storage = "delete"


@tagged("post_install", "-at_install")
class TestReplyLeftBudget(ReplyLeftCase):
    """A run's budget of one message: the email fails, the next runs take it, then the
    reply: one ticket, the reply never held back for good."""

    def test_budget_of_one(self):
        self.env["ir.config_parameter"].set_param("helpdesk_mail_ticket.max_messages_per_run", "1")
        self.env["mail.inbox"].search([("id", "!=", self.inbox.id)]).active = False
        self.deliver(make_email(subject="Budget", message_id="<bu-1@client.example>"))
        self.deliver(self.reply("Re: Budget", "<bu-2@client.example>", ["<bu-1@client.example>"]))
        ticket_class = type(self.env["helpdesk.mail.ticket"])
        original = ticket_class._mail_ticket_prepare_create_vals
        calls = []

        def hook(model, email_vals):
            if email_vals["title"] == "Budget" and not calls:
                calls.append(1)
                raise ConnectionResetError("once")
            return original(model, email_vals)

        with (
            patch.object(ticket_class, "_mail_ticket_prepare_create_vals", hook),
            self.assertLogs("odoo.addons.helpdesk_mail_ticket", "WARNING"),
        ):
            for _run in range(4):
                self.env["mail.inbox"]._cron_fetch()
        email, reply = self.ledger().sorted("id")
        self.assertEqual((email.state, reply.state), ("processed", "processed"))
        self.assertEqual(reply.action, "updated")
        self.assertEqual(len(tickets(self.env, self.inbox)), 1)


@tagged("post_install", "-at_install")
class TestReplyLeftThenSetAside(ReplyLeftCase):
    """A reply left for later once, whose processing then kills its worker at every
    attempt: set aside with a reason that says so, not one saying it waits."""

    def test_no_stale_left_reason(self):
        self.deliver(make_email(subject="Killer", message_id="<ki-1@client.example>"))
        self.deliver(self.reply("Re: Killer", "<ki-2@client.example>", ["<ki-1@client.example>"]))
        self.fetch_failing("Killer")
        email, reply = self.ledger().sorted("id")
        self.assertIn("Left for the next cycle", reply.reason)
        # Each attempt on the reply since killed its worker while it was parsed: each
        # counted (and committed) before the parse, as _process_attempt counts it.
        for _death in range(MAX_ATTEMPTS):
            reply._count_attempt("ki-2@client.example")
            self.assertNotIn("Left for the next cycle", reply.reason or "", "it was tried")
        self.fetch()
        self.assertEqual(email.state, "processed")
        self.assertEqual(reply.state, "error")
        self.assertIn(f"failed {MAX_ATTEMPTS} times", reply.reason)
        self.assertNotIn("Left for the next cycle", reply.reason, "it waits no more")


@tagged("post_install", "-at_install")
class TestReplyLeftEmailGoneOrIgnored(ReplyLeftCase):
    """The email fails once, then leaves the server (another client) or is ignored by
    an admin: the reply waits for it no longer."""

    def deliver_pair(self):
        self.deliver(make_email(subject="Gone", message_id="<go-1@client.example>"))
        self.deliver(self.reply("Re: Gone", "<go-2@client.example>", ["<go-1@client.example>"]))
        self.fetch_failing("Gone")
        return self.ledger().sorted("id")

    def test_ignored(self):
        email, reply = self.deliver_pair()
        email.action_ignore()
        self.fetch()
        self.assertEqual((reply.state, reply.action), ("processed", "created"))

    def test_gone_from_the_server(self):
        email, reply = self.deliver_pair()
        with self.dovecot.imap(self.mailbox_login, "INBOX") as client:
            client.uid("STORE", str(self.server_uids()[0]), "+FLAGS", r"(\Deleted)")
            client.expunge()
        self.fetch()
        self.assertFalse(email.on_server)
        self.assertEqual((reply.state, reply.action), ("processed", "created"))


@tagged("post_install", "-at_install")
class TestReplyToAnEmailTheServerRefuses(ReplyLeftCase):
    """The email the reply answers is refused by the server (its attempt counted, its
    stable id never read) or kills the connection while downloaded: the reply waits,
    never for good, and lands on the email's ticket once the email goes through."""

    def setUp(self):
        super().setUp()
        self.uids = [
            self.deliver(make_email(subject="Refused", message_id="<rf-1@client.example>")),
            self.deliver(
                self.reply("Re: Refused", "<rf-2@client.example>", ["<rf-1@client.example>"])
            ),
        ]

    def proxied(self, **faults):
        proxy = FaultProxy(self.dovecot.imap_port, "imap", **faults).start()
        self.addCleanup(proxy.stop)
        self.inbox.port = proxy.port
        return proxy

    def test_refused_once(self):
        proxy = self.proxied(fail_uids=[self.uids[0]])
        self.fetch()
        email, reply = self.ledger().sorted("id")
        self.assertEqual((email.state, email.attempts, email.stable_id), ("new", 1, False))
        self.assertEqual((reply.state, reply.attempts), ("new", 0), "left for later")
        proxy.fail_uids.clear()
        self.fetch()
        self.assertEqual((email.action, reply.action), ("created", "updated"))
        self.assertEqual(self.ticket_of(reply), self.ticket_of(email))

    def test_refused_for_good(self):
        self.proxied(fail_uids=[self.uids[0]])
        for _cycle in range(MAX_ATTEMPTS):
            self.fetch()
        email, reply = self.ledger().sorted("id")
        self.assertEqual(email.state, "error")
        self.assertEqual((reply.state, reply.action, reply.attempts), ("processed", "created", 1))

    def test_its_download_keeps_dying(self):
        self.proxied(reset_uids=[self.uids[0]])
        for _cycle in range(MAX_ATTEMPTS):
            with self.assertLogs("odoo.addons.helpdesk_mail_ticket.models.mail_inbox", "WARNING"):
                self.assertTrue(self.inbox._fetch().get("failure"))
        self.fetch()
        email, reply = self.ledger().sorted("id")
        self.assertEqual(email.state, "error")
        self.assertEqual((reply.state, reply.action), ("processed", "created"))


@tagged("post_install", "-at_install")
class TestReplyLeftDownloadedOnce(ReplyLeftCase):
    """A reply whose email failed just before it in their batch is left for the next
    cycle: downloaded once by that cycle (the batch's download), not a second time
    to be left alone all the same."""

    def test_one_download_a_cycle(self):
        from ..mailsource import imap

        self.deliver(make_email(subject="Once", message_id="<on-1@client.example>"))
        reply_uid = self.deliver(
            self.reply("Re: Once", "<on-2@client.example>", ["<on-1@client.example>"])
        )
        original = imap.ImapSource.fetch
        fetched = []

        def fetch(source, uid):
            fetched.append(uid)
            return original(source, uid)

        with patch.object(imap.ImapSource, "fetch", fetch):
            self.fetch_failing("Once")
        email, reply = self.ledger().sorted("id")
        self.assertEqual((email.state, reply.state), ("new", "new"))
        self.assertIn("Left for the next cycle", reply.reason)
        self.assertEqual(
            [uid for uid in fetched if uid == reply.server_uid], [reply.server_uid], reply_uid
        )


@tagged("post_install", "-at_install")
class TestReplyWhoseEmailLeavesTheBatch(ReplyLeftCase):
    """The email leaves its batch (another worker holds its email's lock for a
    moment): this worker processes it alone later in the cycle, so its reply, new in
    the same batch, goes alone after it (not left for the next cycle) and updates
    the email's ticket in the same cycle."""

    def test_the_reply_follows_its_email_alone(self):
        import threading

        from ..transaction import email_lock_key

        self.deliver(make_email(subject="Busy lock", message_id="<al-1@client.example>"))
        self.deliver(
            self.reply("Re: Busy lock", "<al-2@client.example>", ["<al-1@client.example>"])
        )
        other = self._real_env()
        key = email_lock_key("al-1@client.example")
        other.cr.execute("SELECT pg_advisory_lock(%s)", [key])
        timer = threading.Timer(1.0, other.cr.execute, ["SELECT pg_advisory_unlock(%s)", [key]])
        timer.start()
        try:
            self.fetch()
        finally:
            timer.join(10)
        email, reply = self.ledger().sorted("id")
        self.assertEqual((email.action, reply.action), ("created", "updated"))
        self.assertEqual(self.ticket_of(reply), self.ticket_of(email))
