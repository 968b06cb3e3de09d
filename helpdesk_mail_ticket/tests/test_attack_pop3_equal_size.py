# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Attack on the pop3num change: on a POP3 server whose UIDLs are message numbers,
messages of EQUAL size renumbered onto the handle of a line still on the server are
not told apart by their size; each must still be processed with its own bytes."""

from odoo.tests import tagged

from .common import make_email
from .test_attack_pop3_renumber_left import NumberedPop3Case
from .test_attack_replyleft import tickets


@tagged("post_install", "-at_install")
class TestPop3NumbersRenumberedEqualSize(NumberedPop3Case):
    """Three messages of the same size, a run's budget of one message, processed mail
    deleted: after each deletion the next message takes the handle of a line that is
    still on the server with the same size."""

    def test_equal_sizes_renumbered(self):
        self.numbered_inbox("delete", budget=1)
        self.deliver_lettered("N", "ne", [f"Body {number}." for number in range(3)])
        self.run_cron()
        self.assert_each_with_its_own_bytes("N", 3)
        self.assertFalse(self.server_uids(), "each deleted once processed")


@tagged("post_install", "-at_install")
class TestPop3NumbersDeletedByAnotherClient(NumberedPop3Case):
    """Mail kept on the server (email_storage keep), handles made of the message
    numbers: another client deletes the first message, then a new one of the same size
    arrives. The listing has as many messages as before, each of the same size as the
    line of its handle: the new message must still be recorded and processed."""

    def test_deleted_elsewhere_then_new_mail(self):
        self.numbered_inbox("keep")
        self.deliver_lettered("K", "nk", [f"Body {number}." for number in range(3)])
        self.fetch()
        self.assertEqual(len(tickets(self.env, self.inbox)), 3)
        self.expunge(self.server_uids()[0])
        self.deliver(make_email(subject="K3", body="Body 3.", message_id="<nk-3@client.example>"))
        self.fetch()
        self.fetch()
        names = sorted(tickets(self.env, self.inbox).mapped("name"))
        self.assertEqual(names, ["K0", "K1", "K2", "K3"])
        lines = self.ledger()
        self.assertEqual(
            len(lines),
            4,
            [(m.server_uid, m.message_id, m.subject, m.state, m.on_server) for m in lines],
        )
        self.assertEqual(len(lines.filtered("on_server")), 3, "K1, K2, K3 on the server")


@tagged("post_install", "-at_install")
class TestPop3NumbersKeptDeletedByHandle(NumberedPop3Case):
    """Kept mail, handles made of the message numbers: another client deletes the
    first message, then the second one's ticket is closed. The keep-until-closed
    deletion must remove the second message, never the third that now has its old
    number (same sizes)."""

    def test_closed_after_renumbering_deletes_its_own(self):
        self.numbered_inbox("keep")
        self.deliver_lettered("C", "nc", [f"Body {number}." for number in range(3)])
        self.fetch()
        first, _second, third = self.server_uids()
        self.expunge(first)
        line = self.ledger().filtered(lambda m: m.message_id == "nc-1@client.example")
        self.ticket_of(line).stage_id = self.env.ref("helpdesk_mail_ticket.stage_closed")
        self.fetch()
        self.fetch()
        self.assertEqual(self.server_uids(), [third], "the closed one's message deleted")
        self.assertEqual(len(tickets(self.env, self.inbox)), 3)


@tagged("post_install", "-at_install")
class TestPop3NumbersRenumberedEqualSizeByMessageId(NumberedPop3Case):
    """The equal-size renumbering with use_message_id_as_uid (lines keyed by their
    Message-ID, sizes compared): each message still processed with its own bytes."""

    def test_equal_sizes_renumbered(self):
        self.numbered_inbox("delete", budget=1, by_message_id=True)
        self.deliver_lettered("M", "nm", [f"Body {number}." for number in range(3)])
        self.run_cron()
        self.assert_each_with_its_own_bytes("M", 3)
        self.assertFalse(self.server_uids(), "each deleted once processed")
