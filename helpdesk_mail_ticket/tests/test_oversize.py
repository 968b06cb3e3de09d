# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Emails over maximum_email_size are never lost: their headers are read alone, the
whole message is streamed into big_files_dir, and it leaves the server only once saved."""

import os
import shutil
import stat
import tempfile

from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from ..mailharness.proxy import FaultProxy
from ..models.mail_inbox_message import MAX_ATTEMPTS
from .common import MailTicketCase, make_email

PARAM = "helpdesk_mail_ticket."
NOTIFY = "hmt-admin@helpdesk.example"


@tagged("post_install", "-at_install")
class TestOversizeEmail(MailTicketCase):
    """An IMAP inbox whose error behaviour is *delete*, with a 100 KB limit."""

    def setUp(self):
        super().setUp()
        self.spool = tempfile.mkdtemp(prefix="hmt-big-")
        self.addCleanup(shutil.rmtree, self.spool, True)
        self.big_dir = os.path.join(self.spool, "big-emails")
        params = self.env["ir.config_parameter"]
        params.set_param(PARAM + "maximum_email_size", "100K")
        self.inbox.write(
            {
                "error_behavior": "delete",
                "notify_errors_to": NOTIFY,
                "notify_errors_from": "helpdesk@helpdesk.example",
            }
        )

    def set_big_files_dir(self, path):
        self.env["ir.config_parameter"].set_param(PARAM + "big_files_dir", path)

    def deliver_big(self, number=1):
        self.scan = os.urandom(300 * 1024)
        raw = make_email(
            subject=f"Scans of the contract {number}",
            body="The scans are attached.",
            message_id=f"<big-{number}@client.example>",
            attachments=[
                ("notes.txt", "text/plain", b"Contract 42, pages 1 to 90.\n"),
                ("scan.pdf", "application/pdf", self.scan),
            ],
        )
        uid = self.deliver(raw)
        return uid, self.dovecot.fetch(self.mailbox_login, uid)

    def forwards(self):
        return self.env["mail.mail"].search([("email_to", "=", NOTIFY)])

    def assert_headers_recorded(self, line, number=1):
        self.assertEqual(line.message_id, f"big-{number}@client.example")
        self.assertEqual(line.subject, f"Scans of the contract {number}")
        self.assertEqual(line.email_from, "alice@acme.example")
        self.assertTrue(line.date)
        self.assertEqual(line.state, "error")
        self.assertIn("too big", line.reason)

    def assert_forwarded_headers_only(self, raw):
        (forward,) = self.forwards()
        self.assertIn("Scans of the contract", forward.subject)
        (attachment,) = forward.attachment_ids
        self.assertLess(attachment.file_size, 10_000, "the headers, not the whole big mail")
        self.assertIn(b"Message-ID: <big-1@client.example>", attachment.raw)
        self.assertNotIn(b"scan.pdf", attachment.raw)
        self.assertGreater(len(raw), 300_000)

    def test_unknown_size_still_oversize(self):
        """A line whose size is unknown (0: a listing without it, or a write) is not
        taken as fitting the limit: the server's size is asked first."""
        self.deliver_big()
        self.inbox._fetch(limit=0)  # recorded, not processed
        (line,) = self.ledger()
        self.assertGreater(line.size, 100 * 1024)
        line.sudo().size = 0
        self.fetch()
        line.invalidate_recordset()
        self.assertFalse(self.ticket_of(line), "never downloaded whole into a ticket")
        self.assert_headers_recorded(line)
        self.assertGreater(line.size, 100 * 1024, "the server's size recorded")

    def test_saved_whole_then_deleted(self):
        """IMAP reads the structure: a ticket from the headers and the small parts,
        the large one saved and listed. POP3 cannot: the message is in error. Either
        way the whole message is saved first, so it may leave the server."""
        self.inbox.email_storage = "delete"
        self.set_big_files_dir(self.big_dir)
        _uid, raw = self.deliver_big()
        self.deliver(make_email(message_id="<small-1@client.example>"))
        self.fetch()
        line = self.ledger().filtered(lambda m: m.message_id == "big-1@client.example")
        self.assertTrue(line.big_file_path, line.reason)
        self.assertEqual(os.path.dirname(line.big_file_path), self.big_dir)
        with open(line.big_file_path, "rb") as saved:
            self.assertEqual(saved.read(), raw)
        self.assertEqual(stat.S_IMODE(os.stat(self.big_dir).st_mode), 0o700)
        self.assertEqual(stat.S_IMODE(os.stat(line.big_file_path).st_mode), 0o600)
        self.assertEqual(self.server_uids(), [], "saved: the policies may remove it")
        self.assertFalse(line.on_server)
        if self.protocol == "pop3":
            self.assert_headers_recorded(line)
            self.assertIn(line.big_file_path, line.reason)
            self.assert_forwarded_headers_only(raw)
            return
        self.assertEqual((line.state, line.action), ("processed", "created"))
        ticket = self.ticket_of(line)
        self.assertIn("The scans are attached.", str(ticket.description))
        attachments = self.env["ir.attachment"].search(
            [("res_model", "=", ticket._name), ("res_id", "=", ticket.id)]
        )
        by_name = {a.name: a for a in attachments}
        self.assertNotIn("scan.pdf", by_name, "listed, not attached")
        self.assertEqual(by_name["notes.txt"].raw, b"Contract 42, pages 1 to 90.\n")
        listing = by_name["large-parts.txt"].raw.decode()
        self.assertIn(f"scan.pdf (application/pdf, {len(self.scan)} bytes)", listing)
        saved_part = listing.split("bytes): ")[1].strip()
        self.assertEqual(os.path.dirname(saved_part), self.big_dir)
        with open(saved_part, "rb") as part:
            self.assertEqual(part.read(), self.scan)
        self.assertFalse(self.forwards(), "a ticket was made: no error to report")

    def test_oversize_processed_then_uidvalidity_change(self):
        """The line keeps the server's size, not the size of the message rebuilt from
        its parts: the renumbered mailbox's message is recognized, not imported again."""
        self.inbox.write({"error_behavior": "mark_as_error", "email_storage": "keep"})
        self.set_big_files_dir(self.big_dir)
        _uid, raw = self.deliver_big()
        self.fetch()
        (line,) = self.ledger()
        before = (line.state, line.action, line.ticket_id)
        self.assertEqual(line.size, len(raw), "the server's size")
        self.dovecot.reset_uidvalidity(self.mailbox_login)
        self.fetch()
        lines = self.ledger()
        self.assertEqual(len(lines), 1, lines.mapped("reason"))
        self.assertEqual((lines.state, lines.action, lines.ticket_id), before)
        self.assertTrue(lines.on_server)

    def test_oversize_two_inboxes_one_ticket(self):
        """The same oversize email in two inboxes: on IMAP rebuilt twice from its parts,
        it is the same email, one ticket; on POP3, which cannot read parts, each inbox
        saves its copy and sets it aside, no ticket."""
        self.set_big_files_dir(self.big_dir)
        other_login, other_password = self.new_mailbox()
        other = self.create_inbox(other_login, other_password, name="second")
        _uid, raw = self.deliver_big()
        self.deliver(raw, login=other_login)
        self.fetch()
        self.fetch(other)
        lines = self.ledger() | self.ledger(other)
        if self.protocol == "imap":
            self.assertEqual(sorted(lines.mapped("action")), ["created", "duplicate"])
            self.assertEqual(len({(m.ticket_model, m.ticket_id) for m in lines}), 1)
        else:
            self.assertEqual(lines.mapped("state"), ["error", "error"])
            self.assertFalse(lines.filtered("ticket_id"))
            self.assertTrue(all(lines.mapped("big_file_path")), "each copy saved")

    def test_kept_on_the_server_while_it_cannot_be_saved(self):
        uid, raw = self.deliver_big()
        self.fetch()
        line = self.ledger()
        self.assert_headers_recorded(line)
        self.assertFalse(line.big_file_path)
        self.assertIn("stays on the mail server", line.reason)
        self.fetch()
        self.assertEqual(self.server_uids(), [uid], "never deleted without a copy")
        self.assertTrue(line.on_server)
        self.assert_forwarded_headers_only(raw)
        # A folder other users can read is refused: still on the server, reason given.
        os.makedirs(self.big_dir, mode=0o755)
        os.chmod(self.big_dir, 0o755)
        self.set_big_files_dir(self.big_dir)
        line.with_user(self.manager).action_reset_status()
        self.fetch()
        self.assertEqual(line.state, "error")
        self.assertIn("0755", line.reason)
        self.assertEqual(self.server_uids(), [uid])
        self.assertEqual(os.listdir(self.big_dir), [])
        # Once the folder is private, Reset Status saves it: on POP3 it then leaves the
        # server (in error); IMAP makes its ticket from its parts.
        os.chmod(self.big_dir, 0o700)
        line.with_user(self.manager).action_reset_status()
        self.fetch()
        self.assertTrue(line.big_file_path)
        with open(line.big_file_path, "rb") as saved:
            self.assertEqual(saved.read(), raw)
        if self.protocol == "pop3":
            self.assertEqual((line.state, self.server_uids()), ("error", []))
        else:
            self.assertEqual((line.state, line.action), ("processed", "created"))

    def test_big_files_dir_must_be_absolute(self):
        form = Form(self.env["res.config.settings"])
        form.hmt_big_files_dir = "big-emails"
        with self.assertRaises(ValidationError) as caught:
            form.save().execute()
        self.assertIn("big-emails", str(caught.exception))
        form = Form(self.env["res.config.settings"])
        form.hmt_big_files_dir = self.big_dir
        form.save().execute()
        params = self.env["mail.inbox"]._get_global_params()
        self.assertEqual(params.get("big_files_dir"), self.big_dir)

    def test_delete_email_of_an_unsaved_oversize_message_is_refused(self):
        uid, _raw = self.deliver_big()
        self.fetch()
        line = self.ledger()
        with self.assertRaises(UserError):
            line.with_user(self.manager).action_delete_from_server()
        self.assertEqual(self.server_uids(), [uid])
        self.set_big_files_dir(self.big_dir)
        line.with_user(self.manager).action_delete_from_server()
        self.assertEqual(self.server_uids(), [])
        self.assertTrue(line.big_file_path and os.path.exists(line.big_file_path))


@tagged("post_install", "-at_install")
class TestOversizeEmailPop3(TestOversizeEmail):
    protocol = "pop3"
    allow_inherited_tests_method = True  # Odoo's loader runs inherited tests only then


@tagged("post_install", "-at_install")
class TestOversizeRefusedByServer(TestOversizeEmail):
    """The server answers NO to the streaming FETCH of an oversize message: that is
    the message's failure, counted against it; the inbox goes on. (Only the tests
    below run here: without allow_inherited_tests_method the loader skips the
    inherited ones.)"""

    def test_refused_partial_fetch_counts_against_the_message(self):
        self.set_big_files_dir(self.big_dir)
        self.deliver(make_email(subject="Before", message_id="<before@client.example>"))
        big_uid, _raw = self.deliver_big()
        self.deliver(make_email(subject="After", message_id="<after@client.example>"))
        proxy = FaultProxy(self.dovecot.imap_port, "imap", fail_uids=[big_uid]).start()
        self.addCleanup(proxy.stop)
        self.inbox.write({"port": proxy.port})
        for _cycle in range(MAX_ATTEMPTS + 2):
            self.inbox._fetch()
        lines = self.ledger().sorted("id")
        after = lines.filtered(lambda m: m.message_id == "after@client.example")
        big = lines.filtered(lambda m: m.message_id == "big-1@client.example")
        self.assertEqual(after.state, "processed")
        self.assertEqual(big.state, "error")
        self.assertIn("test proxy", big.reason)
        self.assertIn(big_uid, self.server_uids())  # never deleted without a copy


@tagged("post_install", "-at_install")
class TestDeleteUnprocessedEmail(MailTicketCase):
    """*Delete eMail* on a message never processed keeps its raw email on its line
    first, then closes the line with the reason."""

    def record_only(self):
        with self.inbox._open_source() as source:
            self.inbox._sync_mailbox(source)
        line = self.ledger()
        self.assertEqual(line.state, "new")
        return line

    def test_new_message_kept_then_closed(self):
        uid = self.deliver(make_email(message_id="<dn-1@client.example>"))
        raw = self.dovecot.fetch(self.mailbox_login, uid)
        line = self.record_only()
        line.with_user(self.manager).action_delete_from_server()
        self.assertEqual(self.server_uids(), [])
        self.assertFalse(line.on_server)
        self.assertEqual(line.raw_attachment_id.raw, raw)
        self.assertEqual(line.state, "ignored")
        self.assertIn("deleted from the mail server", line.reason)
        self.fetch()
        self.assertEqual(line.state, "ignored", "an end state, not new forever")
        # The kept copy can still be processed.
        line.with_user(self.manager).action_reset_status()
        self.fetch()
        self.assertEqual(line.state, "processed")
        self.assertEqual(line.action, "created")

    def test_ignored_message_kept_processed_one_not_downloaded(self):
        self.deliver(make_email(message_id="<dn-2@client.example>"))
        self.fetch()
        processed = self.ledger()
        self.assertEqual(processed.state, "processed")
        ignored_uid = self.deliver(make_email(message_id="<dn-3@client.example>"))
        raw = self.dovecot.fetch(self.mailbox_login, ignored_uid)
        with self.inbox._open_source() as source:
            self.inbox._sync_mailbox(source)
        ignored = self.ledger() - processed
        ignored.with_user(self.manager).action_ignore()
        (processed | ignored).with_user(self.manager).action_delete_from_server()
        self.assertEqual(self.server_uids(), [])
        self.assertEqual(ignored.raw_attachment_id.raw, raw)
        self.assertEqual(ignored.state, "ignored")
        self.assertFalse(processed.raw_attachment_id, "its ticket has it")
        self.assertEqual(processed.state, "processed")
        self.assertEqual(processed.action, "created")
