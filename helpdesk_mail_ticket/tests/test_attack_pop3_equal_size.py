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


@tagged("post_install", "-at_install")
class TestPop3NumbersDeletedByAnotherClient(ReplyLeftCase):
    """Mail kept on the server (email_storage keep), handles made of the message
    numbers: another client deletes the first message, then a new one of the same size
    arrives. The listing has as many messages as before, each of the same size as the
    line of its handle: the new message must still be recorded and processed."""

    def test_deleted_elsewhere_then_new_mail(self):
        proxy = FaultProxy(self.dovecot.pop3_port, "pop3", uidl_as_number=True).start()
        self.addCleanup(proxy.stop)
        self.inbox.write({"protocol": "pop3", "port": proxy.port, "email_storage": "keep"})
        self.env["mail.inbox"].search([("id", "!=", self.inbox.id)]).active = False
        for number in range(3):
            self.deliver(
                make_email(
                    subject=f"K{number}",
                    body=f"Body {number}.",
                    message_id=f"<nk-{number}@client.example>",
                )
            )
        self.fetch()
        self.assertEqual(len(tickets(self.env, self.inbox)), 3)
        first = self.server_uids()[0]
        with self.dovecot.imap(self.mailbox_login, "INBOX") as client:
            client.uid("STORE", str(first), "+FLAGS", "(\\Deleted)")
            client.expunge()
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
class TestPop3NumbersKeptDeletedByHandle(ReplyLeftCase):
    """Kept mail, handles made of the message numbers: another client deletes the
    first message, then the second one's ticket is closed. The keep-until-closed
    deletion must remove the second message, never the third that now has its old
    number (same sizes)."""

    def test_closed_after_renumbering_deletes_its_own(self):
        proxy = FaultProxy(self.dovecot.pop3_port, "pop3", uidl_as_number=True).start()
        self.addCleanup(proxy.stop)
        self.inbox.write({"protocol": "pop3", "port": proxy.port, "email_storage": "keep"})
        self.env["mail.inbox"].search([("id", "!=", self.inbox.id)]).active = False
        for number in range(3):
            self.deliver(
                make_email(
                    subject=f"C{number}",
                    body=f"Body {number}.",
                    message_id=f"<nc-{number}@client.example>",
                )
            )
        self.fetch()
        first, _second, third = self.server_uids()
        with self.dovecot.imap(self.mailbox_login, "INBOX") as client:
            client.uid("STORE", str(first), "+FLAGS", "(\\Deleted)")
            client.expunge()
        line = self.ledger().filtered(lambda m: m.message_id == "nc-1@client.example")
        self.ticket_of(line).stage_id = self.env.ref("helpdesk_mail_ticket.stage_closed")
        self.fetch()
        self.fetch()
        self.assertEqual(self.server_uids(), [third], "the closed one's message deleted")
        self.assertEqual(len(tickets(self.env, self.inbox)), 3)


@tagged("post_install", "-at_install")
class TestPop3NumbersRenumberedEqualSizeByMessageId(ReplyLeftCase):
    """The equal-size renumbering with use_message_id_as_uid (lines keyed by their
    Message-ID, sizes compared): each message still processed with its own bytes."""

    def test_equal_sizes_renumbered(self):
        proxy = FaultProxy(self.dovecot.pop3_port, "pop3", uidl_as_number=True).start()
        self.addCleanup(proxy.stop)
        self.inbox.write({"protocol": "pop3", "port": proxy.port, "email_storage": "delete"})
        self.env["ir.config_parameter"].set_param("helpdesk_mail_ticket.max_messages_per_run", "1")
        self.env["ir.config_parameter"].set_param("helpdesk_mail_ticket.use_message_id_as_uid", "1")
        self.env["mail.inbox"].search([("id", "!=", self.inbox.id)]).active = False
        for number in range(3):
            self.deliver(
                make_email(
                    subject=f"M{number}",
                    body=f"Body {number}.",
                    message_id=f"<nm-{number}@client.example>",
                )
            )
        for _run in range(4):
            self.env["mail.inbox"]._cron_fetch()
        names = sorted(tickets(self.env, self.inbox).mapped("name"))
        self.assertEqual(names, ["M0", "M1", "M2"])
        lines = self.ledger()
        self.assertEqual(
            len(lines),
            3,
            [(m.server_uid, m.message_id, m.subject, m.state, m.on_server) for m in lines],
        )
        for line in lines:
            self.assertEqual(line.subject, f"M{line.message_id[3]}", "its own bytes")
            self.assertEqual(line.state, "processed")
        self.assertFalse(self.server_uids(), "each deleted once processed")
