# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Paths the earlier hunts left open (edges3): one mailbox named INBOX in another case,
a caller's address written inside a display name's encoded words, processed mail moved
into the folder it was read from, our own mailbox under a sub-address, an email of more
MIME parts than the parse reads."""

from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import MailTicketCase, make_email


@tagged("post_install", "-at_install")
class TestHuntEdges3(MailTicketCase):
    # INBOX is one mailbox whatever its case (RFC 3501 5.1): Dovecot opens the same mail
    # for "inbox", "Inbox" and "INBOX", and POP3 reads it too.

    def test_a_second_inbox_on_inbox_in_another_case_is_refused(self):
        self.deliver(make_email(message_id="<case-0@client.example>"))
        for folder, protocol in (("inbox", "imap"), ("Inbox", "imap"), (False, "pop3")):
            with self.subTest(folder=folder, protocol=protocol):
                with self.assertRaises(ValidationError), mute_logger("odoo.sql_db"):
                    self.create_inbox(
                        self.mailbox_login,
                        self.mailbox_password,
                        name=f"again {folder} {protocol}",
                        mailbox=folder,
                        protocol=protocol,
                    )

    def test_inbox_in_another_case_reads_the_same_mail_once(self):
        # The inbox's own folder written in lower case: the same mailbox, no new one.
        self.deliver(make_email(message_id="<case-1@client.example>"))
        self.fetch()
        self.inbox.mailbox = "inbox"
        self.fetch()
        line = self.ledger()
        self.assertEqual(len(line), 1)
        self.assertEqual(line.state, "processed", line.reason)
        tickets = self.env["helpdesk.mail.ticket"].search([("mail_inbox_id", "=", self.inbox.id)])
        self.assertEqual(len(tickets), 1)

    # A caller's address inside encoded words before the mailbox's own bracket.

    def test_an_address_in_a_names_encoded_words_does_not_write_as_that_caller(self):
        self.inbox.unknown_caller_behavior = "create_contact"
        self.deliver(
            make_email(
                subject="Please wire the refund to my new account",
                message_id="<forged-0@elsewhere.example>",
                headers={},
                sender="mallory@elsewhere.example",
            ).replace(
                b"From: mallory@elsewhere.example",
                b"From: =?utf-8?q?Alice_Martin_<alice@acme.example>?= <mallory@elsewhere.example>",
            )
        )
        self.fetch()
        line = self.ledger()
        self.assertEqual(line.state, "processed", line.reason)
        ticket = self.ticket_of(line)
        self.assertNotEqual(ticket.partner_id, self.alice, "the words chose the caller")
        self.assertEqual(ticket.partner_id.email, "mallory@elsewhere.example")

    # Moving processed mail into the folder the inbox reads: the server gives each moved
    # message a new UID in the same folder (Dovecot does), a new message to the next
    # cycle, set aside as a duplicate and moved again, for ever: a ledger line a
    # message a cycle.

    def test_a_target_folder_that_is_the_read_folder_is_refused(self):
        for target in ("INBOX", "inbox"):
            with self.subTest(target=target), self.assertRaises(ValidationError):
                self.inbox.write({"email_storage": "move", "target_folder": target})
        self.inbox.write({"mailbox": "Support", "email_storage": "move", "target_folder": "INBOX"})
        with self.assertRaises(ValidationError):
            self.inbox.target_folder = "Support"

    def test_an_inbox_set_to_move_into_its_own_folder_moves_nothing(self):
        # Set before the check existed (a database upgraded with it): the cycles leave
        # the mail where it is instead of moving it into itself.
        self.env.cr.execute(
            "UPDATE mail_inbox SET email_storage = 'move', target_folder = 'inbox' WHERE id = %s",
            [self.inbox.id],
        )
        self.inbox.invalidate_recordset()
        self.deliver(make_email(message_id="<own-folder-0@client.example>"))
        delivered = self.server_uids()
        for _cycle in range(3):
            self.fetch()
        lines = self.ledger()
        self.assertEqual(len(lines), 1, lines.mapped("reason"))
        self.assertEqual(lines.state, "processed", lines.reason)
        self.assertEqual(self.server_uids(), delivered, "moved into the folder it reads")

    # Our own mailbox under a sub-address ("support+tag@", delivered to the same mailbox
    # by Dovecot, Gmail, Microsoft 365): still ours, never a caller nor a follower.

    def _own_tagged(self):
        local, _at, domain = self.mailbox_login.partition("@")
        return f"{local}+notify@{domain}"

    def test_mail_from_our_inbox_under_a_sub_address_makes_no_ticket_nor_contact(self):
        self.inbox.unknown_caller_behavior = "create_contact"
        tagged_address = self._own_tagged()
        self.deliver(make_email(sender=f"Support <{tagged_address}>", message_id="<sub-0@c.x>"))
        self.fetch()
        line = self.ledger()
        self.assertEqual(line.state, "undesired", line.reason)
        partners = self.env["res.partner"].search([("email_normalized", "=", tagged_address)])
        self.assertFalse(partners, "our own mailbox became a contact")

    def test_our_inbox_under_a_sub_address_in_cc_is_no_follower(self):
        self.inbox.import_additional_contacts = "always"
        ours = self.env["res.partner"].create({"name": "Support", "email": self._own_tagged()})
        self.deliver(make_email(headers={"Cc": self._own_tagged()}, message_id="<sub-1@c.x>"))
        self.fetch()
        line = self.ledger()
        self.assertEqual(line.state, "processed", line.reason)
        self.assertNotIn(ours, self.ticket_of(line).message_partner_ids)

    # More MIME parts than the parse reads: the parts past the limit were dropped without
    # a word; with "delete", the mail then left the server and they were lost.

    def test_an_email_of_more_parts_than_read_is_kept_in_error_and_the_inbox_goes_on(self):
        self.inbox.write({"email_storage": "delete", "error_behavior": "delete"})
        parts = b"".join(
            b"--x\r\nContent-Type: application/octet-stream\r\n"
            b"Content-Disposition: attachment; filename=scan%d.bin\r\n\r\nAAAA\r\n" % number
            for number in range(2100)
        )
        self.deliver(
            b"From: Alice Martin <alice@acme.example>\r\nSubject: Scans\r\n"
            b"Message-ID: <many-parts@acme.example>\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: multipart/mixed; boundary=x\r\n\r\n"
            b"--x\r\nContent-Type: text/plain\r\n\r\nThe scans.\r\n" + parts + b"--x--\r\n"
        )
        self.deliver(make_email(message_id="<after-many@client.example>"))
        self.fetch()
        many, after = self.ledger().sorted("id")
        self.assertEqual(many.state, "error", many.reason)
        self.assertIn("MIME parts", many.reason)
        self.assertTrue(many._has_copy(), "the email of many parts is kept nowhere")
        self.assertFalse(self.ticket_of(many))
        self.assertEqual(after.state, "processed", after.reason)

    # Whole-number settings the settings form would refuse, stored another way (a value
    # saved before the check, Technical > System Parameters, a script): read as they
    # stood, a negative budget gave every inbox a budget of 0 (synchronized, never
    # processed, no word anywhere), a word stopped the whole cron run.

    def test_number_settings_stored_out_of_range_or_as_words_still_process_the_mail(self):
        self.env["mail.inbox"].search([("id", "!=", self.inbox.id)]).active = False
        parameters = self.env["ir.config_parameter"]
        for number, (name, value) in enumerate(
            (
                ("max_messages_per_run", "-1"),
                ("max_messages_per_run", "five hundred"),
                ("periodicity", "thirty"),
            )
        ):
            with self.subTest(name=name, value=value):
                parameters.set_param(f"helpdesk_mail_ticket.{name}", value)
                self.deliver(make_email(message_id=f"<setting-{number}@client.example>"))
                with mute_logger("odoo.addons.helpdesk_mail_ticket.models.mail_inbox"):
                    self.env["mail.inbox"]._cron_fetch()
                line = self.ledger().filtered(
                    lambda m, n=number: m.message_id == f"setting-{n}@client.example"
                )
                self.assertEqual(line.state, "processed", line.reason)
                parameters.set_param(f"helpdesk_mail_ticket.{name}", False)

    def test_a_folder_whose_letters_only_upper_to_inbox_is_another_one(self):
        # "ınbox" (a dotless ı, as a Turkish keyboard types it) is upper-cased to "INBOX"
        # by Python, yet it is another folder: IMAP folds the case of ASCII letters only.
        other = self.create_inbox(
            self.mailbox_login,
            self.mailbox_password,
            name="dotless",
            mailbox="ınbox",
            email_storage="move",
            target_folder="INBOX",
        )
        self.assertNotEqual(other.mailbox_key, self.inbox.mailbox_key)
