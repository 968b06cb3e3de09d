# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import base64
import contextlib
import io
import json
import os
from unittest.mock import patch

from PIL import Image

from odoo.tests import HttpCase, tagged
from odoo.tests.common import ChromeBrowser

from .common import MailTicketCase, make_email, sample


@tagged("post_install", "-at_install")
class TestInboxUi(HttpCase, MailTicketCase):
    """In Chromium: the admin's inbox screens and the agent's ticket."""

    @contextlib.contextmanager
    def screenshot_at_end(self, name):
        """Save what the browser shows when the tour ends, when HMT_SCREENSHOTS_DIR is
        set (the README's screenshots are taken this way)."""
        target = os.environ.get("HMT_SCREENSHOTS_DIR")
        if not target:
            yield
            return
        original_stop = ChromeBrowser.stop

        def stop(browser):
            future = browser._websocket_send("Page.captureScreenshot", with_future=True)
            data = base64.b64decode(future.result(timeout=30)["data"])
            with open(os.path.join(target, f"{name}.png"), "wb") as handle:
                handle.write(data)
            original_stop(browser)

        with patch.object(ChromeBrowser, "stop", stop):
            yield

    def start_admin_tour_on_inboxes(self, tour, hmt_tour, screenshot):
        """Run ``tour`` as admin from the inboxes list, ``hmt_tour`` given to its steps as
        ``window.hmtTour``."""
        url = "/odoo/action-helpdesk_mail_ticket.mail_inbox_action"
        options = {
            "stepDelay": 0,
            "keepWatchBrowser": False,
            "debug": False,
            "startUrl": url,
            "delayToCheckUndeterminisms": 0,
        }
        code = (
            f"window.hmtTour = {json.dumps(hmt_tour)}; "
            f"odoo.startTour('{tour}', {json.dumps(options)})"
        )
        with self.screenshot_at_end(screenshot):
            self.start_tour(url, tour, login="admin", code=code)

    def test_mailbox_content_tab(self):
        self.inbox.name = "tour-inbox"
        self.deliver(make_email(subject="Tour printer request"))
        self.deliver(make_email(subject="From a stranger", sender="stranger@unknown.example"))
        self.fetch()
        self.assertEqual(sorted(self.ledger().mapped("state")), ["error", "processed"])
        with self.screenshot_at_end("mailbox_content"):
            self.start_tour(
                "/odoo/action-helpdesk_mail_ticket.mail_inbox_action",
                "helpdesk_mail_ticket_mailbox_content",
                login="admin",
            )
        stranger = self.ledger().filtered(lambda m: m.email_from == "stranger@unknown.example")
        self.assertEqual(stranger.state, "new", "the tour's Reset Status reached the database")

    def test_admin_creates_tests_and_fetches_an_inbox(self):
        login, password = self.new_mailbox()
        self.deliver(make_email(subject="Admin tour request"), login=login)
        self.deliver(make_email(subject="Who am I", sender="eve@unknown.example"), login=login)
        # The private Dovecot listens on a free port: new inboxes default to it.
        defaults = self.env["ir.default"]
        defaults.set("mail.inbox", "security", "none")
        defaults.set("mail.inbox", "port", self.dovecot.imap_port)
        self.start_admin_tour_on_inboxes(
            "helpdesk_mail_ticket_admin", {"login": login, "password": password}, "inbox_admin"
        )
        inbox = self.env["mail.inbox"].search([("name", "=", "Admin tour inbox")])
        self.assertEqual(inbox.login, login)
        self.assertEqual(inbox.sudo().password, password)
        self.assertEqual(sorted(self.ledger(inbox).mapped("state")), ["new", "processed"])

    def test_ticket_with_inline_image(self):
        image = Image.new("RGB", (400, 200), (200, 30, 30))
        png = io.BytesIO()
        image.save(png, "PNG")
        raw = make_email(
            subject="Screen flickers",
            html='<p>My screen flickers, see:</p><p><img src="cid:shot@client.example"></p>',
            related=[("shot.png", "image/png", png.getvalue(), "shot@client.example")],
        )
        self.deliver(raw)
        self.fetch()
        ticket = self.ledger()._get_ticket()
        self.assertIn("/web/image/", ticket.description)
        self.assertNotIn("cid:", ticket.description)
        with self.screenshot_at_end("ticket_inline_image"):
            self.start_tour(
                "/odoo/action-helpdesk_mail_ticket.helpdesk_mail_ticket_action",
                "helpdesk_mail_ticket_inline_image",
                login=self.agent.login,
            )

    def test_test_email_wizard_on_uploaded_file(self):
        """A real email with a PDF, from a known contact, uploaded to "Test an email":
        the wizard shows a new ticket would be made, and nothing is made."""
        self.inbox.name = "test-email-tour-inbox"
        self.env["res.partner"].create({"name": "Test Tester", "email": "xxxx@xxxx.com"})
        eml = sample("real/mikel/attachment_emails_attachment_pdf.eml")
        tickets = self.env[self.inbox.target_model]
        counts = (tickets.search_count([]), self.env["mail.inbox.message"].search_count([]))
        partners = self.env["res.partner"].search_count([])
        hmt_tour = {"filename": "request.eml", "eml": base64.b64encode(eml).decode()}
        self.start_admin_tour_on_inboxes(
            "helpdesk_mail_ticket_test_email", hmt_tour, "test_email_wizard"
        )
        wizard = self.env["mail.inbox.test.email"].search([("inbox_id", "=", self.inbox.id)])
        self.assertEqual(wizard.outcome, "create", "the tour's upload reached the server")
        self.assertEqual(base64.b64decode(wizard.eml), eml, "the .eml arrived byte for byte")
        self.assertEqual(
            (tickets.search_count([]), self.env["mail.inbox.message"].search_count([])),
            counts,
            "testing an email creates no ticket and no ledger line",
        )
        self.assertEqual(self.env["res.partner"].search_count([]), partners)
