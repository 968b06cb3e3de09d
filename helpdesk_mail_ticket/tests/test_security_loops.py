# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""No mail loop, no flood, no stranger writing into someone else's ticket."""

from email import message_from_bytes, policy
from unittest.mock import patch

from odoo.modules import module as odoo_module
from odoo.tests import tagged

from .common import MailTicketCase, make_email


@tagged("post_install", "-at_install")
class TestNoMailLoop(MailTicketCase):
    def setUp(self):
        super().setUp()
        self.sink = self.use_smtp_sink()

    def send_queue(self):
        """Send every queued mail through the sink, as Odoo's mail cron would. Odoo
        never sends mail under its test runner; only that guard is lifted."""
        mails = self.env["mail.mail"].search([("state", "=", "outgoing")])
        with patch.object(odoo_module, "current_test", None):
            mails.send(raise_exception=True)
        return mails

    def test_nothing_is_sent_in_answer_to_automated_mail(self):
        self.deliver(make_email(subject="Printer", message_id="<loop-1@client.example>"))
        self.fetch()
        ticket = self.ticket_of(self.ledger())
        ticket.message_subscribe(partner_ids=self.agent.partner_id.ids)
        queued_before = self.env["mail.mail"].search([])
        automated = [
            {"Auto-Submitted": "auto-replied"},
            {"Precedence": "bulk", "X-Autoreply": "yes"},
            {"X-Auto-Response-Suppress": "All", "Auto-Submitted": "auto-generated"},
        ]
        for number, headers in enumerate(automated):
            self.deliver(
                make_email(
                    subject="Automatic reply: Printer",
                    headers={**headers, "In-Reply-To": "<loop-1@client.example>"},
                    message_id=f"<auto-{number}@client.example>",
                )
            )
        self.deliver(
            make_email(
                sender="MAILER-DAEMON@mx.client.example",
                subject="Undelivered Mail Returned to Sender",
                headers={"Auto-Submitted": "auto-replied"},
                message_id="<bounce-1@mx.client.example>",
            )
        )
        self.fetch()
        set_aside = self.ledger().filtered(lambda m: m.message_id != "loop-1@client.example")
        self.assertEqual(set(set_aside.mapped("state")), {"undesired"})
        self.assertEqual(len(ticket.message_ids.filtered(lambda m: m.message_type == "email")), 1)
        self.assertEqual(self.env["mail.mail"].search([]), queued_before, "nothing queued")
        self.send_queue()
        for message in self.sink.messages:
            self.assertNotIn("alice@acme.example", [r.lower() for r in message.rcpt_tos])
            self.assertNotIn(
                "mailer-daemon@mx.client.example", [r.lower() for r in message.rcpt_tos]
            )

    def test_error_forward_reaches_the_admin_only_marked_automatic(self):
        self.inbox.write(
            {"notify_errors_to": "admin@helpdesk.example", "notify_errors_from": "hd@h.example"}
        )
        self.deliver(make_email(sender="eve@unknown.example", message_id="<fw-9@client.example>"))
        self.fetch()
        self.assertEqual(self.ledger().state, "error")
        self.send_queue()
        received = self.sink.wait_for(1)
        self.assertEqual(len(received), 1)
        self.assertEqual(received[0].rcpt_tos, ["admin@helpdesk.example"])
        forward = message_from_bytes(received[0].data, policy=policy.default)
        self.assertEqual(forward["Auto-Submitted"], "auto-generated")
        self.assertEqual(forward["X-Auto-Response-Suppress"], "All")

    def test_error_forward_never_sent_to_one_of_our_inboxes(self):
        other_login, other_password = self.new_mailbox()
        archived = self.create_inbox(other_login, other_password)
        archived.active = False
        for number, target in enumerate(
            [
                f"Support Team <{self.mailbox_login.upper()}>",
                f"admin@helpdesk.example, {self.mailbox_login}",
                other_login,
            ]
        ):
            self.inbox.write({"notify_errors_to": target, "notify_errors_from": "hd@h.example"})
            self.deliver(
                make_email(sender="eve@unknown.example", message_id=f"<own-{number}@c.example>")
            )
            self.fetch()
        self.assertEqual(set(self.ledger().mapped("state")), {"error"})
        self.assertFalse(self.env["mail.mail"].search([("email_from", "=", "hd@h.example")]))
        self.send_queue()
        self.assertEqual(self.sink.messages, [])


@tagged("post_install", "-at_install")
class TestRateLimit(MailTicketCase):
    """Odoo's mail gateway loop settings bound the tickets one sender creates."""

    def setUp(self):
        super().setUp()
        params = self.env["ir.config_parameter"]
        params.set_param("mail.gateway.loop.threshold", "3")
        params.set_param("mail.gateway.loop.minutes", "60")

    def test_flood_is_stopped_then_allowed(self):
        for number in range(5):
            self.deliver(make_email(subject=f"Flood {number}", message_id=f"<fl-{number}@c.x>"))
        self.deliver(
            make_email(sender="Bob <bob@other.example>", subject="Other", message_id="<fl-bob@c.x>")
        )
        self.env["res.partner"].create({"name": "Bob", "email": "bob@other.example"})
        self.fetch()
        ledger = self.ledger().sorted("id")
        self.assertEqual(ledger.mapped("action")[:3], ["created"] * 3)
        refused = ledger.filtered(lambda m: m.state == "error")
        self.assertEqual(len(refused), 2)
        for line in refused:
            self.assertIn("Rate limit", line.reason)
        self.assertEqual(ledger[-1].action, "created", "other senders go on")
        # An allowed sender is never limited.
        self.env["mail.gateway.allowed"].create({"email": "Alice@Acme.example"})
        refused.action_reset_status()
        self.fetch()
        self.assertEqual(set(refused.mapped("action")), {"created"})
        self.assertEqual(self.env["helpdesk.mail.ticket"].search_count([]), 6)

    def test_updates_are_not_limited(self):
        self.deliver(make_email(subject="Thread", message_id="<th-0@c.x>"))
        for number in range(1, 6):
            self.deliver(
                make_email(
                    subject="Re: Thread",
                    body=f"update {number}",
                    headers={"In-Reply-To": "<th-0@c.x>"},
                    message_id=f"<th-{number}@c.x>",
                )
            )
        self.fetch()
        self.assertEqual(sorted(self.ledger().mapped("action")), ["created"] + ["updated"] * 5)


@tagged("post_install", "-at_install")
class TestStrangerUpdates(MailTicketCase):
    """A reply from someone who is neither the caller, a follower, a contact of the
    ticket nor an internal user follows the inbox's policy."""

    def setUp(self):
        super().setUp()
        self.mallory = self.env["res.partner"].create(
            {"name": "Mallory", "email": "mallory@evil.example"}
        )
        self.deliver(make_email(subject="Account locked", message_id="<st-0@c.x>"))
        self.fetch()
        self.ticket = self.ticket_of(self.ledger())
        self.called = []
        ticket_class = type(self.ticket)
        original = ticket_class._mail_ticket_email_updated

        def spy(ticket, message, sender):
            self.called.append(sender)
            return original(ticket, message, sender)

        self.patch(ticket_class, "_mail_ticket_email_updated", spy)

    def reply(self, sender, number, subject=None):
        self.deliver(
            make_email(
                sender=sender,
                subject=subject or f"Re: Account locked {self.ticket.reference}",
                body=f"Please also reset the password of account {number}.",
                message_id=f"<st-{number}@c.x>",
                headers={} if subject else {"In-Reply-To": "<st-0@c.x>"},
            )
        )
        self.fetch()
        return self.ledger().filtered(lambda m: m.message_id == f"st-{number}@c.x")

    def test_default_is_an_internal_note(self):
        self.assertEqual(self.inbox.stranger_update_policy, "note")
        line = self.reply("Mallory <mallory@evil.example>", 1)
        self.assertEqual((line.state, line.action), ("processed", "updated"))
        note = self.ticket.message_ids.filtered(lambda m: m.message_id == "<st-1@c.x>")
        self.assertEqual(note.subtype_id, self.env.ref("mail.mt_note"))
        self.assertTrue(note.subtype_id.internal)
        self.assertEqual(note.author_id, self.mallory)
        self.assertEqual(self.called, [], "not an update by the caller")
        self.assertNotIn(self.mallory, self.ticket.message_partner_ids)

    def test_same_policy_through_the_title_pattern(self):
        line = self.reply("Mallory <mallory@evil.example>", 2, subject=self.ticket.reference)
        note = self.ticket.message_ids.filtered(lambda m: m.message_id == "<st-2@c.x>")
        self.assertEqual(line.action, "updated")
        self.assertEqual(note.subtype_id, self.env.ref("mail.mt_note"))

    def test_accept(self):
        self.inbox.stranger_update_policy = "accept"
        self.reply("Mallory <mallory@evil.example>", 3)
        update = self.ticket.message_ids.filtered(lambda m: m.message_id == "<st-3@c.x>")
        self.assertEqual(
            update.subtype_id, self.env.ref("helpdesk_mail_ticket.mt_ticket_updated_by_email")
        )
        self.assertEqual(self.called, [self.mallory])

    def test_new_ticket(self):
        self.inbox.stranger_update_policy = "new_ticket"
        line = self.reply("Mallory <mallory@evil.example>", 4)
        self.assertEqual(line.action, "created")
        new = self.ticket_of(line)
        self.assertNotEqual(new, self.ticket)
        self.assertEqual(new.partner_id, self.mallory)
        self.assertFalse(self.ticket.message_ids.filtered(lambda m: m.message_id == "<st-4@c.x>"))

    def test_reject(self):
        self.inbox.stranger_update_policy = "reject"
        line = self.reply("Mallory <mallory@evil.example>", 5)
        self.assertEqual(line.state, "error")
        self.assertIn("may not update", line.reason)
        self.assertFalse(self.ticket.message_ids.filtered(lambda m: m.message_id == "<st-5@c.x>"))

    def test_participants_always_update(self):
        self.inbox.stranger_update_policy = "reject"
        carol = self.env["res.partner"].create({"name": "Carol", "email": "carol@acme.example"})
        self.ticket.message_subscribe(partner_ids=carol.ids)
        self.agent.partner_id.email = "agent@helpdesk.example"
        for number, sender in enumerate(
            ["Alice <alice@acme.example>", "Carol <carol@acme.example>", "agent@helpdesk.example"],
            start=6,
        ):
            line = self.reply(sender, number)
            self.assertEqual((line.state, line.action), ("processed", "updated"), sender)
        self.assertEqual(
            self.called, [self.alice, carol, self.agent.partner_id], "updates by email"
        )
