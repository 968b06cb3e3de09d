# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Attack of a kept copy whose file left the file store (a database restored without
its filestore, a disk cleaned by hand): what still counts it as a copy, or throws away
the bytes in hand."""

import os

from odoo.tests import tagged

from ..mailharness.proxy import FaultProxy
from ..models.mail_inbox_message import MAX_ATTEMPTS
from .common import MailTicketCase, make_email


def tickets(env):
    return env["helpdesk.mail.ticket"].search([])


@tagged("post_install", "-at_install")
class TestAttackKeptLost(MailTicketCase):
    def _lose(self, line):
        """The file of ``line``'s kept copy leaves the file store."""
        attachment = line.raw_attachment_id
        self.assertTrue(attachment.store_fname, "kept in the file store")
        os.unlink(attachment._full_path(attachment.store_fname))
        attachment.invalidate_recordset()
        self.assertFalse(attachment.raw)

    def _error_kept_on_the_server(self):
        """An email set aside in error (unknown caller), its copy kept, left on the
        server (the default error behaviour), its kept file then lost."""
        self.deliver(make_email(sender="Zed <zed@nowhere.example>", subject="Lost copy"))
        self.fetch()
        line = self.ledger()
        self.assertEqual((line.state, line.on_server), ("error", True))
        self._lose(line)
        return line

    def test_delete_from_server_keeps_a_lost_copy_again_first(self):
        """Delete eMail keeps the bytes of a message that made no ticket before the
        server deletes it: a kept copy whose file is lost is no copy, the server's is
        the only one left."""
        line = self._error_kept_on_the_server()
        line.action_delete_from_server()
        self.assertEqual(self.server_uids(), [], "deleted from the server")
        self.assertIn(b"Lost copy", line.raw_attachment_id.raw or b"", "its bytes kept here")

    def test_errors_deleted_by_the_policy_never_lose_the_only_copy(self):
        """An inbox that deletes its errors never deletes one whose only copy is the
        server's (``_has_copy``): a lost kept file is no copy."""
        line = self._error_kept_on_the_server()
        self.inbox.error_behavior = "delete"
        self.fetch()
        self.assertIn(b"Lost copy", line.raw_attachment_id.raw or b"", "kept again first")
        self.assertEqual(self.server_uids(), [], "then deleted as the policy says")

    def test_a_push_of_the_same_email_keeps_its_bytes_again(self):
        """A pushed email is kept (no server has it). Reset after an error, its kept
        file then lost, the same email pushed again hands its bytes over once more:
        processed with them, not set aside as missing."""
        raw = make_email(sender="Zed <zed@nowhere.example>", subject="Pushed twice")
        line = self.inbox._process_raw(raw)
        self.assertEqual((line.state, line.on_server), ("error", False))
        self.env["res.partner"].create({"name": "Zed", "email": "zed@nowhere.example"})
        line.action_reset_status()
        self._lose(line)
        again = self.inbox._process_raw(raw)
        self.assertEqual(again, line, "the same line")
        self.assertEqual(line.state, "processed", line.reason)
        self.assertEqual(tickets(self.env).mapped("name"), ["Pushed twice"])
        self.assertIn(b"Pushed twice", line.raw_attachment_id.raw or b"")

    def test_a_lost_copy_whose_email_left_the_server_since_the_listing(self):
        """The kept file is lost and the email left the server after the last listing
        (another client deleted it; a queue job runs long after its cycle's listing):
        set aside with the reason, as when the listing already said it was gone, not
        left new for ever with no reason nor copy."""
        self.deliver(make_email(subject="Gone meanwhile", message_id="<gm-1@client.example>"))
        self.deliver(make_email(subject="Next", message_id="<gm-2@client.example>"))
        with self.inbox._open_source() as source:
            self.inbox._sync_with_server(source.list_messages())
        kept, following = self.ledger().sorted("id")
        kept._keep_raw(self.dovecot.fetch(self.mailbox_login, self.server_uids()[0]))
        kept.attempts = 1
        self._lose(kept)
        with self.dovecot.imap(self.mailbox_login, "INBOX") as client:
            client.uid("STORE", str(self.server_uids()[0]), "+FLAGS", r"(\Deleted)")
            client.expunge()
        with self.inbox._open_source() as source:
            self.inbox._process_messages(source, kept | following)
        self.assertEqual(kept.state, "error", "not left new with no copy anywhere")
        self.assertIn("kept copy", kept.reason)
        self.assertEqual(following.state, "processed", "the inbox goes on")

    def test_a_lost_copy_in_a_batch_whose_download_kills_the_connection(self):
        """A kept copy is not marked by its batch's claim; lost, it is downloaded again
        with its own mark: a death there counts against it alone (the others' marks
        are taken back), at the next cycle, where it goes alone."""
        first = self.deliver(make_email(subject="Lost, killer", message_id="<lk-1@client.example>"))
        self.deliver(make_email(subject="Beside", message_id="<lk-2@client.example>"))
        self.deliver(make_email(subject="After", message_id="<lk-3@client.example>"))
        with self.inbox._open_source() as source:
            self.inbox._sync_with_server(source.list_messages())
        kept = self.ledger().sorted("id")[0]
        kept._keep_raw(self.dovecot.fetch(self.mailbox_login, first))
        self._lose(kept)
        proxy = FaultProxy(self.dovecot.imap_port, "imap", reset_uids=[first]).start()
        self.addCleanup(proxy.stop)
        self.inbox.port = proxy.port
        for cycle in (1, 2):
            with self.assertLogs("odoo.addons.helpdesk_mail_ticket", "WARNING"):
                result = self.inbox._fetch()
            self.assertTrue(result.get("failure"), result)
            self.assertIn(f"{cycle} of {MAX_ATTEMPTS}", self.inbox.last_error)
            self.assertEqual((kept.state, kept.attempts), ("new", 0))
            self.assertEqual(kept.connection_failures, cycle - 1)
            self.assertTrue(kept.download_started)
            self.assertFalse(kept.raw_attachment_id, "the empty copy dropped")
            others = self.ledger() - kept
            self.assertFalse(others.filtered("download_started"), "not theirs")
            self.assertEqual(set(others.mapped("attempts")), {0})
        proxy.reset_uids.clear()
        self.fetch()
        self.assertEqual(set(self.ledger().mapped("state")), {"processed"})
        self.assertEqual(
            sorted(tickets(self.env).mapped("name")), ["After", "Beside", "Lost, killer"]
        )
