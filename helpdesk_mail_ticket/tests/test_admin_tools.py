# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import base64
import os

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import MailTicketCase, make_email


@tagged("post_install", "-at_install")
class TestTestAnEmail(MailTicketCase):
    """The wizard says what the inbox would do, and creates nothing."""

    def _analyze(self, raw):
        wizard = self.env["mail.inbox.test.email"].create(
            {"inbox_id": self.inbox.id, "eml": base64.b64encode(raw), "eml_filename": "t.eml"}
        )
        counts = (
            self.env["helpdesk.mail.ticket"].search_count([]),
            self.env["res.partner"].search_count([]),
            self.env["mail.inbox.message"].search_count([]),
            self.env["mail.message"].search_count([]),
        )
        wizard.action_analyze()
        after = (
            self.env["helpdesk.mail.ticket"].search_count([]),
            self.env["res.partner"].search_count([]),
            self.env["mail.inbox.message"].search_count([]),
            self.env["mail.message"].search_count([]),
        )
        self.assertEqual(counts, after, "analyzing an email creates nothing")
        return wizard

    def test_new_request_with_attachments(self):
        raw = make_email(
            subject="Laptop screen",
            html='<p>Broken <img src="cid:logo@x"></p>',
            attachments=[
                ("setup.exe", "application/x-msdownload", b"MZ" + b"\0" * 200),
                ("notes.txt", "text/plain", b"some notes"),
            ],
        )
        wizard = self._analyze(raw)
        self.assertEqual(wizard.outcome, "create")
        self.assertEqual(wizard.title, "Laptop screen")
        self.assertEqual(wizard.caller_id, self.alice)
        self.assertIn("Broken", wizard.description_preview)
        self.assertIn("setup.exe", wizard.attachments_report)
        self.assertIn("dropped", wizard.attachments_report)
        self.assertIn("notes.txt", wizard.attachments_report)

    def test_update_by_title_pattern(self):
        ticket = self.env["helpdesk.mail.ticket"].create({"name": "X", "partner_id": self.alice.id})
        wizard = self._analyze(make_email(subject=f"Re: {ticket.reference} any news?"))
        self.assertEqual(wizard.outcome, "update")
        self.assertEqual(wizard.ticket_ref, ticket.display_name)
        self.assertIn("title pattern", wizard.explanation)

    def test_unknown_caller_and_automated(self):
        wizard = self._analyze(make_email(sender="Zed <zed@nowhere.example>"))
        self.assertEqual(wizard.outcome, "error")
        self.assertIn("Unknown caller (zed@nowhere.example)", wizard.explanation)
        self.inbox.unknown_caller_behavior = "create_contact"
        wizard = self._analyze(make_email(sender="Zed <zed@nowhere.example>"))
        self.assertEqual(wizard.outcome, "create")
        self.assertIn("would be created", wizard.caller_note)
        wizard = self._analyze(make_email(headers={"Auto-Submitted": "auto-replied"}))
        self.assertEqual(wizard.outcome, "undesired")

    def test_pick_a_kept_message(self):
        self.deliver(make_email(sender="nobody@nowhere.example"))
        self.fetch()
        kept = self.ledger()
        self.assertTrue(kept.raw_attachment_id)
        wizard = self.env["mail.inbox.test.email"].create(
            {"inbox_id": self.inbox.id, "ledger_message_id": kept.id}
        )
        wizard.action_analyze()
        self.assertEqual(wizard.outcome, "error")

    def test_pick_a_kept_message_whose_file_is_gone(self):
        """A kept copy whose file left the file store is said so, not analyzed as an
        empty email."""
        self.deliver(make_email(sender="nobody@nowhere.example"))
        self.fetch()
        attachment = self.ledger().raw_attachment_id
        os.unlink(attachment._full_path(attachment.store_fname))
        attachment.invalidate_recordset()
        wizard = self.env["mail.inbox.test.email"].create(
            {"inbox_id": self.inbox.id, "ledger_message_id": self.ledger().id}
        )
        with self.assertRaisesRegex(UserError, "missing from the file store"):
            wizard.action_analyze()


@tagged("post_install", "-at_install")
class TestAdminWarnings(MailTicketCase):
    def test_failing_inbox_warns_once(self):
        self.inbox.password = "wrong"
        warning = self.env.ref("mail.mail_activity_data_warning")
        for _attempt in range(2):
            self.inbox._fetch()
        self.assertFalse(self.inbox.activity_ids.filtered(lambda a: a.activity_type_id == warning))
        for _attempt in range(3):
            self.inbox._fetch()
        self.assertEqual(self.inbox.failure_count, 5)
        activities = self.inbox.activity_ids.filtered(lambda a: a.activity_type_id == warning)
        self.assertEqual(len(activities), 1)
        self.assertIn("keeps failing", activities.summary)
        self.inbox.password = self.mailbox_password
        self.inbox._fetch()
        self.assertEqual(self.inbox.failure_count, 0)

    def test_errors_piling_up_warn(self):
        for number in range(10):
            self.deliver(make_email(sender=f"x{number}@nowhere.example"))
        self.inbox._fetch()
        warning = self.env.ref("mail.mail_activity_data_warning")
        activity = self.inbox.activity_ids.filtered(lambda a: a.activity_type_id == warning)
        self.assertEqual(len(activity), 1)
        self.assertIn("10 messages are in error", activity.note)


@tagged("post_install", "-at_install")
class TestMessageDetail(MailTicketCase):
    def test_detail_shows_headers_trace_and_raw(self):
        self.inbox.trace = True
        self.deliver(make_email(sender="Zed <zed@nowhere.example>", subject="Detail please"))
        self.fetch()
        message = self.ledger()
        self.assertEqual(message.state, "error")
        self.assertIn("Subject: Detail please", message.headers_text)
        self.assertIn("Unknown caller (zed@nowhere.example)", message.trace)
        action = message.action_download_raw()
        self.assertIn(f"/web/content/{message.raw_attachment_id.id}", action["url"])
