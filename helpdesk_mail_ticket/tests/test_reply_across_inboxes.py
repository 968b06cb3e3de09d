# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""A reply in one inbox to an email still new in another inbox (another mailbox, or
another folder of the same one): the reply waits for the email's ticket instead of
making one of its own, a bounded wait that never stalls it."""

import socket
from datetime import timedelta

from odoo.tests import tagged

from ..models.mail_inbox_message import MAX_ATTEMPTS
from .common import make_email
from .test_attack_replyleft import ReplyLeftCase

EMAIL_ID = "<xi-1@client.example>"
REPLY_ID = "<xi-2@client.example>"


def closed_port():
    """A local port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@tagged("post_install", "-at_install")
class TestReplyAcrossInboxes(ReplyLeftCase):
    """The email lands in ``self.inbox`` (A), the reply in ``self.other`` (B), on a
    mailbox of its own; B's cycle runs while the email is still new in A."""

    def setUp(self):
        super().setUp()
        login, password = self.new_mailbox()
        self.other_login = login
        self.other = self.create_inbox(login, password)

    def deliver_pair(self, subject="Screen flickers"):
        self.deliver(make_email(subject=subject, message_id=EMAIL_ID))
        self.deliver(self.reply(f"Re: {subject}", REPLY_ID, [EMAIL_ID]), login=self.other_login)

    def all_tickets(self):
        """The tickets of both inboxes but the unrelated email's."""
        return self.env["helpdesk.mail.ticket"].search(
            [("mail_inbox_id", "in", (self.inbox | self.other).ids), ("name", "!=", "Unrelated")]
        )

    def email_synced_not_processed(self):
        self.deliver_pair()
        self.assertFalse(self.inbox._fetch(limit=0).get("failure"))
        (email,) = self.ledger()
        self.assertEqual(email.state, "new")
        return email

    def reply_line(self):
        return self.ledger(self.other).sorted("id")[-1]

    def assert_left(self, reply):
        self.assertEqual((reply.state, reply.attempts), ("new", 0), "left, its attempt given back")
        self.assertIn("another inbox", reply.reason)
        self.assertFalse(self.all_tickets(), "no ticket of the reply's own")

    def assert_on_the_emails_ticket(self, email, reply):
        self.assertEqual((email.state, email.action), ("processed", "created"))
        self.assertEqual((reply.state, reply.action), ("processed", "updated"))
        self.assertEqual(self.ticket_of(reply), self.ticket_of(email))
        self.assertEqual(self.all_tickets(), self.ticket_of(email), "one ticket, not two")
        self.assertEqual(reply.attempts, 1, "the reply counted once")

    def assert_own_ticket(self, reply):
        self.assertEqual((reply.state, reply.action), ("processed", "created"))
        self.assertNotIn("Left for the next cycle", reply.reason or "")

    # The wait -------------------------------------------------------------

    def check_waits_for_the_email_synced(self):
        email = self.email_synced_not_processed()
        self.fetch(self.other)
        reply = self.reply_line()
        self.assert_left(reply)
        self.fetch()
        self.fetch(self.other)
        self.assert_on_the_emails_ticket(email, reply)

    def test_waits_in_a_batch(self):
        self.deliver(make_email(subject="Unrelated", message_id="<xi-0@client.example>"),
                     login=self.other_login)  # fmt: skip
        self.check_waits_for_the_email_synced()

    def test_waits_alone(self):
        self.env["ir.config_parameter"].set_param("helpdesk_mail_ticket.batch_size", "1")
        self.check_waits_for_the_email_synced()

    def test_waits_for_the_email_retried_in_the_other_inbox(self):
        """A's attempt on the email failed: the reply waits for its retry."""
        self.deliver_pair("Retried")
        self.fetch_failing("Retried")
        (email,) = self.ledger()
        self.assertEqual((email.state, email.attempts), ("new", 1))
        self.fetch(self.other)
        reply = self.reply_line()
        self.assert_left(reply)
        self.fetch()
        self.fetch(self.other)
        self.assertEqual(email.attempts, 2)
        self.assert_on_the_emails_ticket(email, reply)

    def test_another_folder_of_the_same_mailbox(self):
        """A second inbox on another folder of the same mailbox."""
        self.env["ir.config_parameter"].set_param("helpdesk_mail_ticket.batch_size", "1")
        self.other.active = False
        with self.dovecot.imap(self.mailbox_login, "INBOX") as client:
            client.create("Escalated")
        folder = self.create_inbox(self.mailbox_login, self.mailbox_password, mailbox="Escalated")
        self.deliver(make_email(subject="Folder", message_id=EMAIL_ID), folder="Escalated")
        self.deliver(self.reply("Re: Folder", REPLY_ID, [EMAIL_ID]))
        self.assertFalse(folder._fetch(limit=0).get("failure"))
        self.fetch()
        (reply,) = self.ledger()
        self.assertEqual(reply.state, "new")
        self.assertIn("another inbox", reply.reason)
        self.fetch(folder)
        self.fetch()
        (email,) = self.ledger(folder)
        self.assertEqual((email.action, reply.action), ("created", "updated"))
        self.assertEqual(self.ticket_of(reply), self.ticket_of(email))

    def test_an_unrelated_new_email_holds_no_reply(self):
        self.deliver(make_email(subject="Other", message_id="<xi-9@client.example>"))
        self.deliver(self.reply("Re: Elsewhere", REPLY_ID, [EMAIL_ID]), login=self.other_login)
        self.assertFalse(self.inbox._fetch(limit=0).get("failure"))
        self.fetch(self.other)
        self.assert_own_ticket(self.reply_line())

    def test_the_reason_is_no_stale_once_the_reply_is_tried(self):
        self.email_synced_not_processed()
        self.fetch(self.other)
        reply = self.reply_line()
        self.assertIn("another inbox", reply.reason)
        reply._count_attempt("xi-2@client.example")
        self.assertNotIn("Left for the next cycle", reply.reason or "", "it was tried")

    def test_not_for_an_email_already_on_a_ticket(self):
        """The same email, sent to both addresses, already made its ticket through the
        reply's inbox: its copy still new in A holds the reply back no longer."""
        self.deliver(make_email(subject="Copied", message_id=EMAIL_ID), login=self.other_login)
        self.deliver_pair("Copied")
        self.assertFalse(self.inbox._fetch(limit=0).get("failure"))
        self.fetch(self.other)
        copy, reply = self.ledger(self.other).sorted("id")
        self.assertEqual((copy.action, reply.action), ("created", "updated"))
        self.assertEqual(self.ticket_of(reply), self.ticket_of(copy))
        self.assertEqual(self.ledger().state, "new", "A's copy still new")

    def test_not_for_an_email_already_on_a_reachable_ticket(self):
        """The email it answers is Odoo's own, posted on a ticket (its copy came back
        to A, where it is still new: an echo A will mark a duplicate): the reply
        reaches that ticket now, waiting for the echo would gain nothing."""
        self.deliver(make_email(subject="Known", message_id="<xi-7@client.example>"),
                     login=self.other_login)  # fmt: skip
        self.fetch(self.other)
        ticket = self.ticket_of(self.reply_line())
        ticket.message_post(body="On it.", message_id="<xi-n@odoo.example>")
        self.deliver(make_email(subject="Re: Known", message_id="<xi-n@odoo.example>"))
        self.assertFalse(self.inbox._fetch(limit=0).get("failure"))
        self.assertEqual(self.ledger().state, "new", "the echo still new in A")
        answered = ["<xi-7@client.example>", "<xi-n@odoo.example>"]
        self.deliver(self.reply("Re: Known", REPLY_ID, answered), login=self.other_login)
        self.fetch(self.other)
        reply = self.reply_line()
        self.assertEqual((reply.state, reply.action), ("processed", "updated"), reply.reason)
        self.assertEqual(self.ticket_of(reply), ticket)

    # Never a stall --------------------------------------------------------

    def test_not_for_an_archived_inbox(self):
        self.email_synced_not_processed()
        self.inbox.active = False
        self.fetch(self.other)
        self.assert_own_ticket(self.reply_line())

    def test_not_for_a_failing_inbox(self):
        self.email_synced_not_processed()
        self.inbox.port = closed_port()
        with self.assertLogs("odoo.addons.helpdesk_mail_ticket.models.mail_inbox", "WARNING"):
            self.assertTrue(self.inbox._fetch().get("failure"))
        self.fetch(self.other)
        self.assert_own_ticket(self.reply_line())

    def test_not_for_an_inbox_no_longer_polled(self):
        """A's last poll succeeded, but longer ago than the bound (its cron stopped, or
        its cycles die before the end while B is polled by its own IDLE loop): A is
        no inbox that processes its line soon, the reply waits for nothing."""
        from ..models.mail_inbox_message_claim import CROSS_INBOX_WAIT

        self.email_synced_not_processed()
        self.assertEqual(self.inbox.state, "ok")
        self.inbox.last_run_date -= CROSS_INBOX_WAIT + timedelta(minutes=1)
        self.fetch(self.other)
        self.assert_own_ticket(self.reply_line())

    def test_not_for_an_email_set_aside_or_ignored(self):
        email = self.email_synced_not_processed()
        email.action_ignore()
        self.fetch(self.other)
        self.assert_own_ticket(self.reply_line())

    def test_not_for_an_email_over_its_attempts(self):
        email = self.email_synced_not_processed()
        email.attempts = MAX_ATTEMPTS  # the next cycle of A sets it aside unread
        self.fetch(self.other)
        self.assert_own_ticket(self.reply_line())

    def test_not_for_a_deleted_line(self):
        email = self.email_synced_not_processed()
        self.fetch(self.other)
        self.assert_left(self.reply_line())
        email.unlink()
        self.fetch(self.other)
        self.assert_own_ticket(self.reply_line())

    def test_not_beyond_the_bound(self):
        """Left once, the reply waits no longer than CROSS_INBOX_WAIT after it was
        recorded, even while A is active and its line new (A's cycles keep leaving it)."""
        from ..models.mail_inbox_message_claim import CROSS_INBOX_WAIT

        email = self.email_synced_not_processed()
        self.fetch(self.other)
        reply = self.reply_line()
        self.assert_left(reply)
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE mail_inbox_message SET create_date = create_date - %s WHERE id = %s",
            [CROSS_INBOX_WAIT + timedelta(minutes=1), reply.id],
        )
        self.env.invalidate_all()
        self.fetch(self.other)
        self.assert_own_ticket(reply)
        self.assertEqual(email.state, "new")

    def test_not_across_companies(self):
        """An inbox of another company: the reply could never thread there."""
        other_company = self.env["res.company"].create({"name": "Other Co"})
        self.inbox.company_id = other_company
        self.email_synced_not_processed()
        self.fetch(self.other)
        self.assert_own_ticket(self.reply_line())

    def test_same_company_still_waits(self):
        """The control of the test above: both inboxes in one company, it waits."""
        self.assertEqual(self.inbox.company_id, self.other.company_id)
        self.email_synced_not_processed()
        self.fetch(self.other)
        self.assert_left(self.reply_line())

    # An email naming itself ---------------------------------------------

    def check_copies_naming_themselves(self, unrelated=False):
        """One email sent to both addresses, whose References name its own Message-ID
        (some clients write it so), both copies recorded before either is processed
        (a backlog, or queue_job): each copy is no email the other answers, so neither
        waits for the other (a wait of each for the other, until the bound)."""
        raw = self.reply("Looping", EMAIL_ID, ["<xi-8@client.example>", EMAIL_ID])
        for index, login in enumerate((self.mailbox_login, self.other_login)):
            if unrelated:  # a batch of two in each inbox
                unrelated_id = f"<xi-u{index}@client.example>"
                self.deliver(make_email(subject="Unrelated", message_id=unrelated_id), login=login)
            self.deliver(raw, login=login)
        for inbox in (self.inbox, self.other):
            self.assertFalse(inbox._fetch(limit=0).get("failure"))
        self.fetch()
        self.fetch(self.other)
        copies = self.ledger().sorted("id")[-1] | self.ledger(self.other).sorted("id")[-1]
        self.assertEqual(
            copies.mapped("state"), ["processed", "processed"], copies.mapped("reason")
        )
        self.assertEqual(sorted(copies.mapped("action")), ["created", "duplicate"])
        self.assertEqual(len(self.all_tickets()), 1, "one ticket for the one email")

    def test_copies_naming_themselves_alone(self):
        self.check_copies_naming_themselves()

    def test_copies_naming_themselves_in_a_batch(self):
        self.check_copies_naming_themselves(unrelated=True)
