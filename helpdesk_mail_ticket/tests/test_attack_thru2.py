# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from unittest.mock import patch

from odoo.tests import tagged

from .common import MailTicketCase, make_email


@tagged("post_install", "-at_install")
class TestBatchReplyToAliases(MailTicketCase):
    """The reply-to of a batch's posts when aliases with a ticket for parent come
    and go during the batch (an integrator's per-ticket address)."""

    def reply(self, subject, message_id):
        return make_email(
            subject=subject,
            message_id=message_id,
            headers={"In-Reply-To": "<first@client.example>"},
        )

    def test_an_alias_dropped_by_a_message_rolled_back_stays_the_reply_to(self):
        # An integrator's update hook retires the ticket's alias, then fails: the
        # message's savepoint brings the alias back and the message is retried. The
        # next reply in the batch still gets the alias as reply-to, as Odoo gives it.
        ticket, alias = self.ticket_with_alias("printer-ticket")
        ticket_class = type(self.env["helpdesk.mail.ticket"])
        update = ticket_class._mail_ticket_update

        def failing_update(record, email, author, inbox):
            if "retire" in (email.subject or ""):
                record.env["mail.alias"].sudo().search(
                    [("alias_parent_thread_id", "=", record.id)]
                ).unlink()
                update(record, email, author, inbox)
                raise RuntimeError("the integrator's hook failed after the post")
            return update(record, email, author, inbox)

        self.deliver(self.reply("Re: Printer (retire)", "<second@client.example>"))
        self.deliver(self.reply("Re: Printer", "<third@client.example>"))
        with patch.object(ticket_class, "_mail_ticket_update", failing_update):
            self.fetch()
        self.assertTrue(alias.exists())
        lines = self.ledger().sorted("id")[1:]
        self.assertEqual(lines.mapped("state"), ["new", "processed"])
        (message,) = ticket.message_ids.filtered(lambda m: m.message_id == "<third@client.example>")
        self.assertIn(f"printer-ticket@{alias.alias_domain_id.name}", message.reply_to)

    def test_an_alias_made_for_a_new_ticket_in_the_batch_is_its_reply_to(self):
        # An integrator gives each new ticket an address of its own: the batch
        # asked before (no alias then), the alias made in the batch is used.
        domain = self.env["mail.alias.domain"].search([], limit=1) or self.env[
            "mail.alias.domain"
        ].create({"name": "tickets.example"})
        ticket_class = type(self.env["helpdesk.mail.ticket"])
        attach = ticket_class._mail_ticket_attach
        model = self.env["ir.model"]._get("helpdesk.mail.ticket")

        def attach_with_alias(record, email, inbox):
            if "own address" in (email.subject or ""):
                record.env["mail.alias"].sudo().create(
                    {
                        "alias_name": f"ticket-{record.id}",
                        "alias_model_id": model.id,
                        "alias_parent_model_id": model.id,
                        "alias_parent_thread_id": record.id,
                        "alias_domain_id": domain.id,
                    }
                )
            return attach(record, email, inbox)

        self.deliver(make_email(subject="Scanner", message_id="<a@client.example>"))
        self.deliver(make_email(subject="Desk own address", message_id="<b@client.example>"))
        self.deliver(make_email(subject="Chair", message_id="<c@client.example>"))
        with patch.object(ticket_class, "_mail_ticket_attach", attach_with_alias):
            self.assertEqual(self.fetch()["processed"], 3)
        tickets = self.env["helpdesk.mail.ticket"].search([], order="id")
        self.assertEqual(tickets.mapped("name"), ["Scanner", "Desk own address", "Chair"])
        for ticket in tickets:
            (message,) = ticket.message_ids.filtered(lambda m: m.message_type == "email")
            expected = ticket._notify_get_reply_to(default=message.email_from)[ticket.id]
            self.assertEqual(message.reply_to, expected)
        self.assertIn(f"ticket-{tickets[1].id}@{domain.name}", tickets[1].message_ids[-1].reply_to)


@tagged("post_install", "-at_install")
class TestBatchSameEmailTwice(MailTicketCase):
    """The batch's one question whether its emails were imported or posted, when
    the same email comes twice: one ticket, never two."""

    def relayed(self, relay, raw):
        return f"Received: from {relay} by mx.example; Mon, 1 Dec 2026\r\n".encode() + raw

    def test_two_copies_in_one_batch_make_one_ticket(self):
        raw = make_email(subject="Printer", message_id="<twice@client.example>")
        self.deliver(self.relayed("relay1.example", raw))
        self.deliver(make_email(subject="Scanner", message_id="<other@client.example>"))
        self.deliver(self.relayed("relay2.example", raw))
        self.fetch()
        tickets = self.env["helpdesk.mail.ticket"].search([("name", "=", "Printer")])
        self.assertEqual(len(tickets), 1)
        self.assertEqual(
            sorted(self.ledger().mapped("action")), ["created", "created", "duplicate"]
        )
        posted = tickets.message_ids.filtered(lambda m: m.message_id == "<twice@client.example>")
        self.assertEqual(len(posted), 1)

    def test_a_first_copy_rolled_back_then_retried_makes_one_ticket(self):
        # The first copy fails after its ticket was made (rolled back to its
        # savepoint); the second copy, alone, makes the ticket; the first, retried
        # next cycle, is its duplicate.
        raw = make_email(subject="Printer", message_id="<twice@client.example>")
        ticket_class = type(self.env["helpdesk.mail.ticket"])
        subscribe = ticket_class._mail_ticket_add_followers
        failed = []

        def failing_once(record, *args, **kwargs):
            result = subscribe(record, *args, **kwargs)
            if not failed:
                failed.append(record.id)
                raise RuntimeError("an integrator's hook failed once")
            return result

        self.deliver(self.relayed("relay1.example", raw))
        self.deliver(make_email(subject="Scanner", message_id="<other@client.example>"))
        self.deliver(self.relayed("relay2.example", raw))
        with patch.object(ticket_class, "_mail_ticket_add_followers", failing_once):
            self.fetch()
            self.fetch()
        self.assertTrue(failed)
        tickets = self.env["helpdesk.mail.ticket"].search([("name", "=", "Printer")])
        self.assertEqual(len(tickets), 1)
        lines = self.ledger()
        self.assertEqual(set(lines.mapped("state")), {"processed"})
        self.assertEqual(sorted(lines.mapped("action")), ["created", "created", "duplicate"])

    def test_a_copy_to_a_second_inbox_is_a_duplicate(self):
        # Cc to two of our inboxes reading the same server: the second inbox's batch
        # holds the email beside a new one, and finds it imported by the first.
        login, password = self.new_mailbox()
        second = self.create_inbox(login, password)
        raw = make_email(subject="Printer", message_id="<cc@client.example>")
        self.deliver(raw)
        self.fetch()
        self.deliver(raw, login=login)
        self.deliver(make_email(subject="Scanner", message_id="<b@client.example>"), login=login)
        self.fetch(second)
        tickets = self.env["helpdesk.mail.ticket"].search([("name", "=", "Printer")])
        self.assertEqual(len(tickets), 1)
        self.assertEqual(
            self.ledger(second).sorted("id").mapped("action"), ["duplicate", "created"]
        )
