# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The attack of issue 13's one-new cuts: the IMAP cursor is stored in the commit of
the step recording the new lines, under the synchronization lock that step no longer
takes again. A listed message left without a line in that step must keep the cursor
where it was, or the next cycle (an unchanged mailbox to the cursor) never lists it."""

from unittest.mock import patch

from odoo.tests import tagged

from ..mailsource import MessageNotFoundError
from ..mailsource.imap import ImapSource
from .common import MailTicketCase, make_email


@tagged("post_install", "-at_install")
class TestAttackOneNewCursor(MailTicketCase):
    def test_a_listed_message_left_without_line_keeps_the_cursor_before_it(self):
        self.fetch()  # the cursor stored: the next cycle lists the new UIDs only
        self.deliver(make_email(subject="Header lost once", message_id="<hl-1@c.x>"))
        self.deliver(make_email(subject="Recorded", message_id="<hl-2@c.x>"))
        first, last = self.server_uids()[-2:]
        original, refused = ImapSource.fetch_header, []

        def no_header_once(source, uid):
            # The server answers the first message's header FETCH with no header
            # (as for a message expunged meanwhile): the message stays on the server.
            if uid.endswith(f":{first}") and not refused:
                refused.append(uid)
                raise MessageNotFoundError(f"Message {uid} is no longer on the server")
            return original(source, uid)

        with patch.object(ImapSource, "fetch_header", no_header_once):
            self.fetch()
        self.assertEqual(len(refused), 1, "the header FETCH of the first was refused")
        handles = [uid.split(":")[-1] for uid in self.ledger().mapped("server_uid")]
        self.assertIn(str(last), handles, "the second message is recorded")
        self.assertNotIn(str(first), handles, "the first is not")
        self.assertLessEqual(self.inbox.sync_cursor["uidnext"], first, "not past the first")
        self.fetch()
        subjects = self.ledger().filtered(lambda line: line.state == "processed").mapped("subject")
        self.assertIn("Header lost once", subjects, "listed again, recorded, processed")
        self.assertIn("Recorded", subjects)
        self.assertEqual(self.inbox.sync_cursor["uidnext"], last + 1)
