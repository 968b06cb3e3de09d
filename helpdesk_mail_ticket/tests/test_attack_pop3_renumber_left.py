# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""A POP3 server whose UIDLs are message numbers renumbers the mail left on it when
mail before it is deleted: with use_message_id_as_uid (the setting for servers whose
UIDs change between sessions), a reply left new and the email it waits for are both
recognized under their new numbers (attack on the replyjob change). Without that
setting, a line whose number is still listed takes the next message's bytes."""

from odoo.tests import tagged

from ..mailharness.proxy import FaultProxy
from .common import make_email
from .test_attack_replyleft import ReplyLeftCase, tickets


@tagged("post_install", "-at_install")
class TestReplyLeftPop3Renumbered(ReplyLeftCase):
    """POP3 deleting processed mail, on a server whose UIDLs are message numbers: the
    mail before them is deleted at the end of the cycle that failed the email and left
    its reply, so both are renumbered. The next cycle still recognizes both (the
    Message-ID as UID): the email makes one ticket, the reply updates it."""

    def test_renumbered_after_the_cycle(self):
        proxy = FaultProxy(self.dovecot.pop3_port, "pop3", uidl_as_number=True).start()
        self.addCleanup(proxy.stop)
        self.inbox.write({"protocol": "pop3", "port": proxy.port, "email_storage": "delete"})
        self.env["ir.config_parameter"].set_param("helpdesk_mail_ticket.use_message_id_as_uid", "1")
        self.deliver(make_email(subject="Before", message_id="<pn-0@client.example>"))
        self.deliver(make_email(subject="Renumbered", message_id="<pn-1@client.example>"))
        self.deliver(
            self.reply("Re: Renumbered", "<pn-2@client.example>", ["<pn-1@client.example>"])
        )
        self.fetch_failing("Renumbered")
        self.assertEqual(len(self.server_uids()), 2, "the first deleted, the others kept")
        self.fetch()
        self.fetch()
        lines = self.ledger()
        email = lines.filtered(lambda m: m.message_id == "pn-1@client.example")
        reply = lines.filtered(lambda m: m.message_id == "pn-2@client.example")
        self.assertEqual((len(email), len(reply)), (1, 1), "each recorded once")
        self.assertEqual((email.action, reply.action), ("created", "updated"))
        self.assertEqual(len(tickets(self.env, self.inbox)), 2)


@tagged("post_install", "-at_install")
class TestPop3NumbersRenumberedNoReply(ReplyLeftCase):
    """The same renumbering without any reply: a run's budget of one message."""

    def test_budget_of_one_renumbered(self):
        proxy = FaultProxy(self.dovecot.pop3_port, "pop3", uidl_as_number=True).start()
        self.addCleanup(proxy.stop)
        self.inbox.write({"protocol": "pop3", "port": proxy.port, "email_storage": "delete"})
        self.env["ir.config_parameter"].set_param("helpdesk_mail_ticket.max_messages_per_run", "1")
        self.env["ir.config_parameter"].set_param("helpdesk_mail_ticket.use_message_id_as_uid", "1")
        self.env["mail.inbox"].search([("id", "!=", self.inbox.id)]).active = False
        for number, body in enumerate(["Short.", "A longer body.", "The longest body of all."]):
            self.deliver(
                make_email(
                    subject=f"N{number}", body=body, message_id=f"<nn-{number}@client.example>"
                )
            )
        for _run in range(4):
            self.env["mail.inbox"]._cron_fetch()
        names = sorted(tickets(self.env, self.inbox).mapped("name"))
        self.assertEqual(names, ["N0", "N1", "N2"])
        lines = self.ledger()
        self.assertEqual(len(lines), 3, "each message one line")
        for line in lines:
            self.assertEqual(line.subject, f"N{line.message_id[3]}", "its own bytes")
            self.assertEqual(line.state, "processed")


@tagged("post_install", "-at_install")
class TestPop3NumbersRenumberedByHandle(ReplyLeftCase):
    """The same server with lines keyed by their handles (the default): a message
    renumbered onto the handle of a line still on the server is told apart by its size
    and header block, never processed as that line's email."""

    def test_budget_of_one_renumbered(self):
        proxy = FaultProxy(self.dovecot.pop3_port, "pop3", uidl_as_number=True).start()
        self.addCleanup(proxy.stop)
        self.inbox.write({"protocol": "pop3", "port": proxy.port, "email_storage": "delete"})
        self.env["ir.config_parameter"].set_param("helpdesk_mail_ticket.max_messages_per_run", "1")
        self.env["mail.inbox"].search([("id", "!=", self.inbox.id)]).active = False
        for number, body in enumerate(["Short.", "A longer body.", "The longest body of all."]):
            self.deliver(
                make_email(
                    subject=f"N{number}", body=body, message_id=f"<nh-{number}@client.example>"
                )
            )
        for _run in range(4):
            self.env["mail.inbox"]._cron_fetch()
        names = sorted(tickets(self.env, self.inbox).mapped("name"))
        self.assertEqual(names, ["N0", "N1", "N2"])
        lines = self.ledger()
        self.assertEqual(len(lines), 3, "each message one line")
        for line in lines:
            self.assertEqual(line.subject, f"N{line.message_id[3]}", "its own bytes")
            self.assertEqual(line.state, "processed")
        self.assertFalse(self.server_uids(), "each deleted once processed")
