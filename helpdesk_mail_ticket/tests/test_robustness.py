# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Never duplicate, never loop: renumbered mailboxes, one mail in two inboxes, poison mail.

(Killed processes and concurrent workers are proven with real Odoo processes by the
top-level ``tests/test_odoo_process_*.py``.)
"""

import os
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import tagged

from ..models.mail_inbox_message import MAX_ATTEMPTS
from .common import MailTicketCase, make_email


def tickets(env):
    return env["helpdesk.mail.ticket"].search([])


@tagged("post_install", "-at_install")
class TestRenumberedMailbox(MailTicketCase):
    """A UIDVALIDITY change (a migrated or rebuilt server) or UIDs that change between
    sessions (Gmail) must not import the mailbox a second time."""

    def _fill(self):
        self.deliver(make_email(subject="Laptop", message_id="<rn-1@client.example>"))
        self.deliver(
            make_email(
                subject="Re: Laptop",
                body="Still broken.",
                message_id="<rn-2@client.example>",
                headers={"In-Reply-To": "<rn-1@client.example>"},
            )
        )
        self.deliver(make_email(sender="x@unknown.example", message_id="<rn-3@client.example>"))
        # No Message-ID at all: the content hash is the second key.
        raw = make_email(subject="No id", message_id="<rn-4@client.example>")
        self.deliver(raw.replace(b"Message-ID: <rn-4@client.example>\n", b""))
        self.inbox.write(
            {"notify_errors_to": "admin@helpdesk.example", "notify_errors_from": "hd@h.example"}
        )
        self.fetch()
        self.assertEqual(
            sorted(self.ledger().mapped("state")), ["error", "processed", "processed", "processed"]
        )

    def _forwards(self):
        return self.env["mail.mail"].search([("email_to", "=", "admin@helpdesk.example")])

    def test_uidvalidity_change_imports_nothing_twice(self):
        self._fill()
        before_tickets = tickets(self.env)
        self.assertEqual(len(before_tickets), 2)
        messages_before = before_tickets.message_ids
        forwards_before = self._forwards()
        self.assertEqual(len(forwards_before), 1)
        old_uids = set(self.ledger().mapped("uid"))

        self.dovecot.reset_uidvalidity(self.mailbox_login)
        self.fetch()

        ledger = self.ledger()
        self.assertEqual(tickets(self.env), before_tickets, "no ticket created again")
        self.assertEqual(before_tickets.message_ids, messages_before, "no update logged again")
        # Each message now on the server has one ledger line, with a final state.
        on_server = ledger.filtered("on_server")
        self.assertEqual(len(on_server), 4)
        self.assertFalse(set(on_server.mapped("uid")) & old_uids, "the new keys are used")
        self.assertEqual(sorted(on_server.mapped("state")), ["error"] + ["processed"] * 3)
        self.assertEqual(len(set(on_server.mapped("stable_id"))), 4)
        self.assertEqual(self._forwards(), forwards_before, "the admin is not told twice")


@tagged("post_install", "-at_install")
class TestRenumberedPop3Mailbox(TestRenumberedMailbox):
    """POP3: Dovecot's UIDLs derive from the IMAP UIDs, so the same reset changes every
    UIDL between two sessions, as Gmail's POP3 does."""

    protocol = "pop3"
    allow_inherited_tests_method = True  # Odoo's loader runs inherited tests only then


@tagged("post_install", "-at_install")
class TestOneMailTwoInboxes(MailTicketCase):
    """A mail sent to two of our addresses (To: support, Cc: sales) makes one ticket."""

    def setUp(self):
        super().setUp()
        self.other_login, other_password = self.new_mailbox()
        self.other = self.create_inbox(self.other_login, other_password)
        self.raw = make_email(subject="Both", message_id="<two-1@client.example>")
        self.deliver(self.raw)
        self.deliver(self.raw, login=self.other_login)

    def test_one_ticket_by_default(self):
        self.fetch()
        self.fetch(self.other)
        first, second = self.ledger(), self.ledger(self.other)
        self.assertEqual(first.action, "created")
        self.assertEqual(second.action, "duplicate")
        self.assertEqual(self.ticket_of(second), self.ticket_of(first))
        self.assertEqual(len(tickets(self.env)), 1)
        self.assertEqual(
            self.env["mail.message"].search_count([("message_id", "=", "<two-1@client.example>")]),
            1,
        )

    def test_one_ticket_per_inbox_when_the_setting_is_off(self):
        self.env["ir.config_parameter"].set_param(
            "helpdesk_mail_ticket.one_ticket_per_email", "False"
        )
        self.fetch()
        self.fetch(self.other)
        self.assertEqual(self.ledger().action, "created")
        self.assertEqual(self.ledger(self.other).action, "created")
        self.assertEqual(len(tickets(self.env)), 2)


@tagged("post_install", "-at_install")
class TestPoisonMessage(MailTicketCase):
    """A message whose processing crashes is retried MAX_ATTEMPTS times, then set aside
    with the reason, and never blocks the messages after it."""

    def _deliver_three(self):
        self.deliver(make_email(subject="Before", message_id="<p-1@client.example>"))
        self.deliver(make_email(subject="POISON", message_id="<p-2@client.example>"))
        self.deliver(make_email(subject="After", message_id="<p-3@client.example>"))

    def test_an_integrator_hook_that_raises(self):
        ticket_class = type(self.env["helpdesk.mail.ticket"])
        original = ticket_class._mail_ticket_prepare_create_vals

        def hook(model, email_vals):
            # An integrator's override that fails on one email.
            if email_vals["title"] == "POISON":
                raise ZeroDivisionError("integrator hook broke on this one")
            return original(model, email_vals)

        self._deliver_three()
        with (
            patch.object(ticket_class, "_mail_ticket_prepare_create_vals", hook),
            self.assertLogs("odoo.addons.helpdesk_mail_ticket", "WARNING"),
        ):
            for cycle in range(1, MAX_ATTEMPTS + 2):
                result = self.fetch()
                poison = self.ledger().filtered(lambda m: m.message_id == "p-2@client.example")
                if cycle == 1:
                    self.assertEqual(result["processed"], 2, "the others go on")
                if cycle < MAX_ATTEMPTS:
                    self.assertEqual(poison.state, "new")
                    self.assertEqual(poison.attempts, cycle)
                    self.assertIn("integrator hook broke", poison.reason)
        self.assertEqual(poison.state, "error")
        self.assertEqual(poison.attempts, MAX_ATTEMPTS)
        self.assertIn("integrator hook broke on this one", poison.reason)
        self.assertFalse(self.ticket_of(poison))
        self.assertEqual(sorted(tickets(self.env).mapped("name")), ["After", "Before"])
        self.assertTrue(poison.raw_attachment_id, "the poison mail is kept for the admin")
        # Set aside: further cycles leave it alone.
        self.assertEqual(self.fetch()["error"], 0)

    def test_a_process_killed_on_it_every_time(self):
        """The attempt is committed before processing (proven by the SIGKILL test); a
        message whose attempts all died with their process is set aside unprocessed."""
        self._deliver_three()
        self.inbox._sync_with_server(self._list_remote())
        poison = self.ledger().sorted("id")[1]
        self.env.cr.execute(
            "UPDATE mail_inbox_message SET attempts = %s WHERE id = %s",
            [MAX_ATTEMPTS, poison.id],
        )
        poison.invalidate_recordset()
        result = self.fetch()
        self.assertEqual(result["processed"], 2)
        self.assertEqual(poison.state, "error")
        self.assertIn(f"failed {MAX_ATTEMPTS} times", poison.reason)
        # Never parsed, yet the admin sees what it is.
        self.assertEqual(poison.message_id, "p-2@client.example")
        self.assertEqual(poison.subject, "POISON")
        self.assertEqual(poison.email_from, "alice@acme.example")
        self.assertEqual(sorted(tickets(self.env).mapped("name")), ["After", "Before"])

    def _list_remote(self):
        with self.inbox._open_source() as source:
            return source.list_messages()


@tagged("post_install", "-at_install")
class TestKeptCopyLost(MailTicketCase):
    """A kept raw email whose file left the file store (a database restored without
    its filestore, a disk cleaned by hand): read again from the server while the server
    still has it, else set aside with the reason; never retried forever, and the inbox
    goes on."""

    def _kept_but_lost(self, attempts):
        """The first of two delivered mails recorded and kept, its file then gone, with
        ``attempts`` made on it (0: reset by the admin, as after an error)."""
        self.deliver(make_email(subject="Kept", message_id="<kl-1@client.example>"))
        self.deliver(make_email(subject="Next", message_id="<kl-2@client.example>"))
        with self.inbox._open_source() as source:
            self.inbox._sync_with_server(source.list_messages())
        kept = self.ledger().sorted("id")[0]
        kept._keep_raw(self.dovecot.fetch(self.mailbox_login, self.server_uids()[0]))
        kept.attempts = attempts
        attachment = kept.raw_attachment_id
        self.assertTrue(attachment.store_fname, "kept in the file store")
        os.unlink(attachment._full_path(attachment.store_fname))
        attachment.invalidate_recordset()
        return kept

    def _read_again(self, attempts):
        kept = self._kept_but_lost(attempts)
        self.fetch()
        self.assertEqual(kept.state, "processed", kept.reason)
        self.assertEqual(sorted(tickets(self.env).mapped("name")), ["Kept", "Next"])
        self.assertIn("printer on the 2nd floor", self.ticket_of(kept).description)
        self.assertFalse(
            kept.raw_attachment_id and not kept.raw_attachment_id.raw, "no empty copy linked"
        )

    def _set_aside(self, attempts):
        kept = self._kept_but_lost(attempts)
        with self.dovecot.imap(self.mailbox_login, "INBOX") as client:
            client.uid("STORE", str(self.server_uids()[0]), "+FLAGS", r"(\Deleted)")
            client.expunge()
        self.fetch()
        self.assertEqual(kept.state, "error")
        self.assertIn("kept copy", kept.reason)
        self.assertEqual(tickets(self.env).mapped("name"), ["Next"], "the inbox goes on")
        # Set aside: the next cycle leaves it alone.
        self.assertEqual(self.fetch()["error"], 0)
        self.assertEqual(kept.state, "error")

    def test_still_on_the_server_alone(self):
        self._read_again(attempts=1)

    def test_still_on_the_server_in_a_batch(self):
        self._read_again(attempts=0)

    def test_gone_from_the_server_alone(self):
        self._set_aside(attempts=1)

    def test_gone_from_the_server_in_a_batch(self):
        self._set_aside(attempts=0)

    def test_reset_status_and_download_say_the_copy_is_missing(self):
        """Set aside, off the server, its copy lost: Reset Status would only set it
        aside again, and the download would give an empty file. Both say why."""
        self._set_aside(attempts=1)
        kept = self.ledger().sorted("id")[0]
        self.assertFalse(kept.on_server)
        with self.assertRaisesRegex(UserError, "kept copy is missing from the file store"):
            kept.action_reset_status()
        with self.assertRaisesRegex(UserError, "kept copy is missing from the file store"):
            kept.action_download_raw()
        self.assertEqual(kept.state, "error", "left as it was")

    def test_reset_status_of_a_lost_copy_still_on_the_server(self):
        """The server still has it: Reset Status is accepted, the next cycle reads it
        again from there."""
        kept = self._kept_but_lost(attempts=3)
        kept.state = "error"
        kept.action_reset_status()
        self.assertEqual(kept.state, "new")
        self.fetch()
        self.assertEqual(kept.state, "processed", kept.reason)


@tagged("post_install", "-at_install")
class TestReplyToAnEmailRetried(MailTicketCase):
    """A customer's email fails its first attempt (retried by the next cycle); the
    customer's reply to it comes after it in the same cycle. The reply must not make
    a ticket of its own: once both are done, one ticket, made by the email and
    updated by the reply."""

    def deliver_email_and_reply(self):
        self.deliver(make_email(subject="Laptop broken", message_id="<rt-1@client.example>"))
        self.deliver(
            make_email(
                subject="Re: Laptop broken",
                body="It does not start at all now.\n",
                headers={
                    "In-Reply-To": "<rt-1@client.example>",
                    "References": "<rt-1@client.example>",
                },
                message_id="<rt-2@client.example>",
            )
        )

    def fetch_with_the_email_failing(self, cycles=1):
        """``cycles`` cycles in which an integrator's hook fails on the email."""
        ticket_class = type(self.env["helpdesk.mail.ticket"])
        original = ticket_class._mail_ticket_prepare_create_vals
        failed = []

        def hook(model, email_vals):
            if email_vals["title"] == "Laptop broken":
                failed.append(email_vals["title"])
                raise ConnectionResetError("the integrator's service hung up")
            return original(model, email_vals)

        with (
            patch.object(ticket_class, "_mail_ticket_prepare_create_vals", hook),
            self.assertLogs("odoo.addons.helpdesk_mail_ticket", "WARNING"),
        ):
            for _cycle in range(cycles):
                self.fetch()
        self.assertEqual(failed, ["Laptop broken"] * cycles)

    def assert_one_ticket_updated_by_the_reply(self):
        email, reply = self.ledger().sorted("id")
        self.assertEqual((email.state, email.action), ("processed", "created"))
        self.assertEqual((reply.state, reply.action), ("processed", "updated"))
        ticket = self.ticket_of(email)
        self.assertEqual(self.ticket_of(reply), ticket, "the reply is on the email's ticket")
        self.assertEqual(tickets(self.env), ticket, "one ticket, not two")
        self.assertIn("It does not start at all now.", "".join(ticket.message_ids.mapped("body")))
        self.assertEqual((email.attempts, reply.attempts), (2, 1), "the reply counted once")

    def test_a_reply_alone_waits_for_its_email_retried(self):
        self.env["ir.config_parameter"].set_param("helpdesk_mail_ticket.batch_size", "1")
        self.deliver_email_and_reply()
        self.fetch_with_the_email_failing()
        self.fetch()
        self.assert_one_ticket_updated_by_the_reply()

    def test_a_reply_in_its_emails_batch_waits_for_its_email_retried(self):
        self.deliver_email_and_reply()
        self.fetch_with_the_email_failing()
        self.fetch()
        self.assert_one_ticket_updated_by_the_reply()

    def test_an_email_that_fails_for_good_holds_its_reply_back_no_longer(self):
        """The email fails at every attempt: set aside in error at its last attempt, it
        no longer holds the reply back, which is processed in the same cycle (a ticket
        of its own: the email it answers made none), its attempt counted once."""
        self.deliver_email_and_reply()
        self.fetch_with_the_email_failing(cycles=MAX_ATTEMPTS - 1)
        email, reply = self.ledger().sorted("id")
        self.assertEqual((email.state, email.attempts), ("new", MAX_ATTEMPTS - 1))
        self.assertEqual((reply.state, reply.attempts), ("new", 0), "held back, uncounted")
        self.assertIn("older message", reply.reason)
        self.assertFalse(tickets(self.env))
        self.fetch_with_the_email_failing()
        self.assertEqual((email.state, email.attempts), ("error", MAX_ATTEMPTS))
        self.assertEqual((reply.state, reply.action, reply.attempts), ("processed", "created", 1))
        self.assertEqual(tickets(self.env), self.ticket_of(reply))
