# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Attack on the pop3num change: on a POP3 server whose UIDLs are message numbers,
messages of EQUAL size renumbered onto the handle of a line still on the server are
not told apart by their size; each must still be processed with its own bytes."""

from odoo.tests import tagged

from ..mailharness.proxy import FaultProxy
from .common import make_email
from .test_attack_replyleft import ReplyLeftCase, tickets


@tagged("post_install", "-at_install")
class TestPop3NumbersRenumberedEqualSize(ReplyLeftCase):
    """Three messages of the same size, a run's budget of one message, processed mail
    deleted: after each deletion the next message takes the handle of a line that is
    still on the server with the same size."""

    def test_equal_sizes_renumbered(self):
        proxy = FaultProxy(self.dovecot.pop3_port, "pop3", uidl_as_number=True).start()
        self.addCleanup(proxy.stop)
        self.inbox.write({"protocol": "pop3", "port": proxy.port, "email_storage": "delete"})
        self.env["ir.config_parameter"].set_param("helpdesk_mail_ticket.max_messages_per_run", "1")
        self.env["mail.inbox"].search([("id", "!=", self.inbox.id)]).active = False
        for number in range(3):
            self.deliver(
                make_email(
                    subject=f"N{number}",
                    body=f"Body {number}.",
                    message_id=f"<ne-{number}@client.example>",
                )
            )
        for _run in range(4):
            self.env["mail.inbox"]._cron_fetch()
        names = sorted(tickets(self.env, self.inbox).mapped("name"))
        self.assertEqual(names, ["N0", "N1", "N2"])
        lines = self.ledger()
        self.assertEqual(
            len(lines),
            3,
            [
                (m.server_uid, m.message_id, m.subject, m.state, m.on_server, m.action)
                for m in lines
            ],
        )
        for line in lines:
            self.assertEqual(line.subject, f"N{line.message_id[3]}", "its own bytes")
            self.assertEqual(line.state, "processed")
        self.assertFalse(self.server_uids(), "each deleted once processed")
