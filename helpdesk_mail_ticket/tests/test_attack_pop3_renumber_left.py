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


class NumberedPop3Case(ReplyLeftCase):
    """Helpers: an inbox reading the test mailbox through a POP3 proxy whose UIDLs are
    message numbers ("num-<n>"), the only inbox polled."""

    def numbered_inbox(self, storage, budget=None, by_message_id=False):
        proxy = FaultProxy(self.dovecot.pop3_port, "pop3", uidl_as_number=True).start()
        self.addCleanup(proxy.stop)
        self.inbox.write({"protocol": "pop3", "port": proxy.port, "email_storage": storage})
        params = self.env["ir.config_parameter"]
        if budget:
            params.set_param("helpdesk_mail_ticket.max_messages_per_run", str(budget))
        if by_message_id:
            params.set_param("helpdesk_mail_ticket.use_message_id_as_uid", "1")
        self.env["mail.inbox"].search([("id", "!=", self.inbox.id)]).active = False

    def deliver_lettered(self, letter, key, bodies):
        """One mail per body, subjects ``<letter>0``..., Message-IDs ``<key>-0@…``."""
        for number, body in enumerate(bodies):
            self.deliver(
                make_email(
                    subject=f"{letter}{number}",
                    body=body,
                    message_id=f"<{key}-{number}@client.example>",
                )
            )

    def expunge(self, uid):
        """Another client deletes the message ``uid`` of the mailbox."""
        with self.dovecot.imap(self.mailbox_login, "INBOX") as client:
            client.uid("STORE", str(uid), "+FLAGS", "(\\Deleted)")
            client.expunge()

    def run_cron(self, runs=4):
        for _run in range(runs):
            self.env["mail.inbox"]._cron_fetch()

    def assert_each_with_its_own_bytes(self, letter, count, message=None):
        """``count`` tickets ``<letter>0``..., one processed line each, whose subject
        is its own mail's (the digit of its Message-ID)."""
        names = sorted(tickets(self.env, self.inbox).mapped("name"))
        self.assertEqual(names, [f"{letter}{number}" for number in range(count)])
        lines = self.ledger()
        self.assertEqual(len(lines), count, message or [
            (m.server_uid, m.message_id, m.subject, m.state, m.on_server) for m in lines
        ])  # fmt: skip
        for line in lines:
            self.assertEqual(line.subject, f"{letter}{line.message_id[3]}", "its own bytes")
            self.assertEqual(line.state, "processed")


@tagged("post_install", "-at_install")
class TestReplyLeftPop3Renumbered(NumberedPop3Case):
    """POP3 deleting processed mail, on a server whose UIDLs are message numbers: the
    mail before them is deleted at the end of the cycle that failed the email and left
    its reply, so both are renumbered. The next cycle still recognizes both (the
    Message-ID as UID): the email makes one ticket, the reply updates it."""

    def test_renumbered_after_the_cycle(self):
        self.numbered_inbox("delete", by_message_id=True)
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
class TestPop3NumbersRenumberedNoReply(NumberedPop3Case):
    """The same renumbering without any reply: a run's budget of one message."""

    def test_budget_of_one_renumbered(self):
        self.numbered_inbox("delete", budget=1, by_message_id=True)
        self.deliver_lettered("N", "nn", ["Short.", "A longer body.", "The longest body of all."])
        self.run_cron()
        self.assert_each_with_its_own_bytes("N", 3, "each message one line")


@tagged("post_install", "-at_install")
class TestPop3NumbersRenumberedByHandle(NumberedPop3Case):
    """The same server with lines keyed by their handles (the default): a message
    renumbered onto the handle of a line still on the server is told apart by its size
    and header block, never processed as that line's email."""

    def test_budget_of_one_renumbered(self):
        self.numbered_inbox("delete", budget=1)
        self.deliver_lettered("N", "nh", ["Short.", "A longer body.", "The longest body of all."])
        self.run_cron()
        self.assert_each_with_its_own_bytes("N", 3, "each message one line")
        self.assertFalse(self.server_uids(), "each deleted once processed")
