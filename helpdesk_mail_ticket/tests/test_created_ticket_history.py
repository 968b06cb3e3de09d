# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""A ticket an email creates may already hold a message or an attachment when its
``create`` returns: an integrator's override posts a welcome note, or attaches files.
The email's post then threads under the first message, as Odoo's flat threads do,
and an attachment already on the ticket is not attached a second time."""

from unittest.mock import patch

from odoo.tests import tagged

from ..mailparse import parse_message
from .common import MailTicketCase, make_email

PDF = b"%PDF-1.4 the terms of service"


@tagged("post_install", "-at_install")
class TestCreatedTicketHistory(MailTicketCase):
    def _new_ticket(self, raw, on_create):
        """The ticket ``raw`` creates while ``create`` also runs ``on_create(ticket)``."""
        model = self.env["helpdesk.mail.ticket"]
        original = type(model).create

        def create(records, vals_list):
            tickets = original(records, vals_list)
            for ticket in tickets:
                on_create(ticket)
            return tickets

        line = (
            self.env["mail.inbox.message"]
            .sudo()
            .create({"inbox_id": self.inbox.id, "uid": "1:1", "subject": "Printer broken"})
        )
        parsed = parse_message(raw, self.inbox._get_parse_settings())
        with patch.object(type(model), "create", create):
            return line.env["helpdesk.mail.ticket"]._mail_ticket_new(
                parsed, self.alice.with_env(line.env), self.inbox.with_env(line.env)
            )

    def test_the_email_threads_under_a_message_posted_by_create(self):
        welcome = []

        def post_welcome(ticket):
            welcome.append(ticket.message_post(body="Welcome", message_type="comment"))

        ticket = self._new_ticket(make_email(message_id="<hist-1@client.example>"), post_welcome)
        email = ticket.message_ids.filtered(
            lambda message: message.message_id == "<hist-1@client.example>"
        )
        self.assertEqual(len(email), 1)
        self.assertEqual(email.parent_id, welcome[0], "threaded as Odoo's flat threads are")

    def test_a_file_attached_by_create_is_not_attached_again(self):
        def attach_terms(ticket):
            self.env["ir.attachment"].create(
                {
                    "name": "terms.pdf",
                    "mimetype": "application/pdf",
                    "raw": PDF,
                    "res_model": ticket._name,
                    "res_id": ticket.id,
                }
            )

        raw = make_email(
            message_id="<hist-2@client.example>",
            attachments=[("terms.pdf", "application/pdf", PDF)],
        )
        ticket = self._new_ticket(raw, attach_terms)
        attachments = self.env["ir.attachment"].search(
            [("res_model", "=", ticket._name), ("res_id", "=", ticket.id)]
        )
        self.assertEqual(len(attachments), 1, attachments.mapped("name"))

    def test_a_note_posted_after_the_email_threads_under_it(self):
        # A smaller step's override (README "Where to override what") acknowledges
        # the email in the chatter once it is posted: the note threads under the email.
        model = type(self.env["helpdesk.mail.ticket"])
        original = model._mail_ticket_post_creation_message
        notes = []

        def post_and_acknowledge(ticket, body, author, attachments, message_id):
            message = original(ticket, body, author, attachments, message_id)
            notes.append(ticket.message_post(body="Acknowledged", message_type="comment"))
            return message

        with patch.object(model, "_mail_ticket_post_creation_message", post_and_acknowledge):
            ticket = self._new_ticket(make_email(message_id="<hist-3@client.example>"), bool)
        email = ticket.message_ids.filtered(
            lambda message: message.message_id == "<hist-3@client.example>"
        )
        self.assertEqual(len(email), 1)
        self.assertFalse(email.parent_id)
        self.assertEqual(notes[0].parent_id, email)


@tagged("post_install", "-at_install")
class TestBatchAliasDomainOverride(MailTicketCase):
    def test_each_post_has_the_alias_domain_its_ticket_overrides(self):
        # Odoo's ``_mail_get_alias_domains`` is a hook of each model: a multi-brand
        # setup answers per ticket, not per company. Two tickets of one company in one
        # batch each get theirs on the email posted.
        domains = self.env["mail.alias.domain"].create(
            [{"name": "brand-a.example"}, {"name": "brand-b.example"}]
        )
        model = type(self.env["helpdesk.mail.ticket"])

        def by_brand(records, default_company=False):
            return {
                record.id: domains[1] if "Brand B" in (record.name or "") else domains[0]
                for record in records
            }

        self.deliver(make_email(subject="Brand A printer", message_id="<brand-a@c.example>"))
        self.deliver(make_email(subject="Brand B printer", message_id="<brand-b@c.example>"))
        with patch.object(model, "_mail_get_alias_domains", by_brand, create=True):
            self.assertEqual(self.fetch()["processed"], 2)
        for ref, domain in (
            ("<brand-a@c.example>", domains[0]),
            ("<brand-b@c.example>", domains[1]),
        ):
            message = self.env["mail.message"].search([("message_id", "=", ref)])
            self.assertEqual(len(message), 1)
            self.assertEqual(message.record_alias_domain_id, domain, ref)
