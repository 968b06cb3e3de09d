# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The caller from Reply-To (the inbox's ``reply_to_caller``): a web form or a shop
sending from one of our own addresses (``support+web@``, a no-reply address of our mail
domain) with the visitor in Reply-To; never one of our own addresses, never for automated
mail, the route writing nothing."""

import base64

from odoo.tests import tagged

from ..mailparse import parse_message
from .common import MailTicketCase, make_email


@tagged("post_install", "-at_install")
class TestReplyToCaller(MailTicketCase):
    def setUp(self):
        super().setUp()
        self.inbox.unknown_caller_behavior = "create_contact"
        self.mail_domain = self.env["mail.alias.domain"].create({"name": "shop-ours.example"})

    def _web_address(self):
        local, _at, domain = self.mailbox_login.partition("@")
        return f"{local}+web@{domain}"

    def _form_mail(self, reply_to, sender=None, message_id="<form-0@c.x>", **kwargs):
        headers = {"Reply-To": reply_to, **kwargs.pop("headers", {})}
        return make_email(
            subject=kwargs.pop("subject", "Web form: my order is late"),
            sender=sender or f"Web Form <{self._web_address()}>",
            headers=headers,
            message_id=message_id,
            **kwargs,
        )

    def _processed_ticket(self):
        line = self.ledger()
        self.assertEqual(len(line), 1)
        self.assertEqual(line.state, "processed", line.reason)
        return line, self.ticket_of(line)

    def test_form_from_our_sub_address_takes_the_caller_from_reply_to(self):
        self.assertEqual(self.inbox.reply_to_caller, "own")
        self.deliver(self._form_mail("Carla Visitor <carla@customer.example>"))
        self.fetch()
        line, ticket = self._processed_ticket()
        self.assertEqual(ticket.partner_id.email, "carla@customer.example")
        self.assertEqual(ticket.partner_id.name, "Carla Visitor")
        message = ticket.message_ids.filtered(lambda m: m.message_type == "email")
        self.assertEqual(message.author_id, ticket.partner_id)
        self.assertEqual(line.email_from, "carla@customer.example")
        ours = self.env["res.partner"].search([("email_normalized", "=", self._web_address())])
        self.assertFalse(ours, "our own address became a contact")

    def test_known_customer_in_reply_to_is_the_caller(self):
        self.deliver(self._form_mail("alice@acme.example"))
        self.fetch()
        _line, ticket = self._processed_ticket()
        self.assertEqual(ticket.partner_id, self.alice)

    def test_no_reply_address_of_our_mail_domain_takes_reply_to(self):
        self.deliver(
            self._form_mail("alice@acme.example", sender="Shop <noreply@shop-ours.example>")
        )
        self.fetch()
        _line, ticket = self._processed_ticket()
        self.assertEqual(ticket.partner_id, self.alice)

    def test_never_keeps_our_own_mail_undesired(self):
        self.inbox.reply_to_caller = "never"
        self.deliver(self._form_mail("alice@acme.example"))
        self.fetch()
        self.assertEqual(self.ledger().state, "undesired", self.ledger().reason)

    def test_own_mode_leaves_a_customers_reply_to_alone(self):
        self.deliver(self._form_mail("alice@acme.example", sender="Bob <bob@elsewhere.example>"))
        self.fetch()
        _line, ticket = self._processed_ticket()
        self.assertEqual(ticket.partner_id.email, "bob@elsewhere.example")

    def test_always_takes_reply_to_from_any_sender(self):
        self.inbox.reply_to_caller = "always"
        self.deliver(self._form_mail("alice@acme.example", sender="Forms <forms@provider.example>"))
        self.fetch()
        _line, ticket = self._processed_ticket()
        self.assertEqual(ticket.partner_id, self.alice)

    def test_reply_to_of_ours_is_never_the_caller(self):
        # Our own notifications carry our reply-to (an inbox, the catchall, an alias):
        # taken as a caller, every answer would loop back to us.
        self.inbox.reply_to_caller = "always"
        self.env["mail.alias"].create(
            {
                "alias_name": "printer-ticket",
                "alias_model_id": self.env["ir.model"]._get("helpdesk.mail.ticket").id,
                "alias_domain_id": self.mail_domain.id,
            }
        )
        ours = (
            self.mailbox_login,
            self._web_address(),
            "catchall@shop-ours.example",
            "printer-ticket@shop-ours.example",
        )
        for number, reply_to in enumerate(ours):
            with self.subTest(reply_to=reply_to):
                self.deliver(self._form_mail(reply_to, message_id=f"<ours-{number}@c.x>"))
                self.deliver(
                    self._form_mail(
                        reply_to,
                        sender="Bob <bob@elsewhere.example>",
                        message_id=f"<ours-b{number}@c.x>",
                        subject=f"Question {number}",
                    )
                )
        self.fetch()
        for line in self.ledger():
            if line.message_id.startswith("ours-b"):
                self.assertEqual(line.state, "processed", line.reason)
                self.assertEqual(self.ticket_of(line).partner_id.email, "bob@elsewhere.example")
            else:
                self.assertEqual(line.state, "undesired", line.reason)
        contacts = self.env["res.partner"].search(
            [("email_normalized", "in", [self.mailbox_login, *ours])]
        )
        self.assertFalse(contacts, "one of our own addresses became a contact")

    def test_an_internal_users_reply_to_is_never_the_caller(self):
        # Our own outgoing mail (an agent's answer sent from the support address, its
        # reply-to the agent's, Odoo's default without an alias domain) coming back
        # under another Message-ID: no ticket of the agent's.
        self.agent.partner_id.email = "agent@staff-ours.example"
        self.deliver(self._form_mail("Agent <agent@staff-ours.example>"))
        self.fetch()
        self.assertEqual(self.ledger().state, "undesired", self.ledger().reason)

    def test_several_reply_to_addresses_take_the_first_foreign_one(self):
        self.deliver(
            self._form_mail(
                f"Support <{self.mailbox_login}>, Carla <carla@customer.example>, "
                "dan@customer.example"
            )
        )
        self.fetch()
        _line, ticket = self._processed_ticket()
        self.assertEqual(ticket.partner_id.email, "carla@customer.example")

    def test_an_auto_reply_from_our_form_stays_undesired(self):
        self.deliver(
            self._form_mail("alice@acme.example", headers={"Auto-Submitted": "auto-replied"})
        )
        self.fetch()
        self.assertEqual(self.ledger().state, "undesired", self.ledger().reason)
        self.assertFalse(
            self.env["helpdesk.mail.ticket"].search([("partner_id", "=", self.alice.id)])
        )

    def test_route_decides_the_reply_to_caller_writing_nothing(self):
        raw = self._form_mail("Carla Visitor <carla@customer.example>")
        parsed = parse_message(raw, self.inbox._get_parse_settings())
        line = self.env["mail.inbox.message"].new({"inbox_id": self.inbox.id, "uid": "t"})
        partners = self.env["res.partner"].search_count([])
        route = line._route(parsed, raw)
        self.assertEqual(route.verdict, "create", route.reason)
        self.assertTrue(route.create_caller)
        self.assertEqual(route.caller.email, "carla@customer.example")
        self.assertIn("carla@customer.example", route.reason)
        self.assertEqual(parsed.from_email, self._web_address(), "the route changed the email")
        self.assertEqual(self.env["res.partner"].search_count([]), partners)

    def test_test_an_email_names_the_reply_to_caller(self):
        wizard = self.env["mail.inbox.test.email"].create(
            {
                "inbox_id": self.inbox.id,
                "eml": base64.b64encode(self._form_mail("Carla <carla@customer.example>")),
                "eml_filename": "form.eml",
            }
        )
        wizard.action_analyze()
        self.assertEqual(wizard.outcome, "create", wizard.explanation)
        self.assertIn("carla@customer.example", wizard.caller_note)
        self.assertNotIn(self._web_address(), wizard.caller_note)

    def test_rate_limit_counts_each_caller_not_the_form(self):
        # Every request of a web form comes from one address: counted by it, the form
        # would stop after the loop threshold for everyone.
        self.env["ir.config_parameter"].set_param("mail.gateway.loop.threshold", "1")
        for number, visitor in enumerate(("carla", "dan", "carla")):
            self.deliver(
                self._form_mail(
                    f"{visitor}@customer.example",
                    message_id=f"<rate-{number}@c.x>",
                    subject=f"Order {number}",
                )
            )
        self.fetch()
        states = {line.message_id: line.state for line in self.ledger()}
        self.assertEqual(
            states, {"rate-0@c.x": "processed", "rate-1@c.x": "processed", "rate-2@c.x": "error"}
        )


@tagged("post_install", "-at_install")
class TestReplyToCallerOnAThread(MailTicketCase):
    """A Reply-To is never authenticated (DMARC vouches for the From, never for the
    Reply-To): on an existing ticket's thread it names the author only when the From is
    ours (our own form) or takes part in the ticket itself."""

    def setUp(self):
        super().setUp()
        self.inbox.unknown_caller_behavior = "create_contact"
        self.deliver(make_email(subject="Refund", message_id="<thread-0@c.x>"))
        self.fetch()
        self.ticket = self.ticket_of(self.ledger())
        self.assertEqual(self.ticket.partner_id, self.alice)

    def _reply(self, sender, number):
        self.deliver(
            make_email(
                sender=sender,
                subject="Re: Refund",
                body="Please wire the refund to my new account.",
                message_id=f"<thread-{number}@c.x>",
                headers={"In-Reply-To": "<thread-0@c.x>", "Reply-To": "alice@acme.example"},
            )
        )
        self.fetch()
        line = self.ledger().filtered(lambda m: m.message_id == f"thread-{number}@c.x")
        self.assertEqual(line.state, "processed", line.reason)
        return self.ticket.message_ids.filtered(lambda m: m.message_id == f"<thread-{number}@c.x>")

    def test_a_strangers_reply_to_naming_the_caller_does_not_write_as_her(self):
        self.inbox.reply_to_caller = "always"
        message = self._reply("Mallory <mallory@evil.example>", 1)
        self.assertNotEqual(message.author_id, self.alice, "the Reply-To wrote as Alice")
        self.assertEqual(message.author_id.email, "mallory@evil.example")
        self.assertTrue(message.subtype_id.internal, "a stranger's reply published")

    def test_by_default_a_strangers_reply_to_is_only_words(self):
        self.assertEqual(self.inbox.reply_to_caller, "own")
        message = self._reply("Mallory <mallory@evil.example>", 4)
        self.assertEqual(message.author_id.email, "mallory@evil.example")
        self.assertTrue(message.subtype_id.internal, "a stranger's reply published")

    def test_a_participants_reply_to_names_the_author(self):
        self.inbox.reply_to_caller = "always"
        bob = self.env["res.partner"].create({"name": "Bob", "email": "bob@acme.example"})
        self.ticket.message_subscribe(bob.ids)
        message = self._reply("Bob <bob@acme.example>", 2)
        self.assertEqual(message.author_id, self.alice)
        self.assertFalse(message.subtype_id.internal, "logged as an internal note")

    def test_our_own_forms_reply_to_names_the_author(self):
        local, _at, domain = self.mailbox_login.partition("@")
        message = self._reply(f"Web Form <{local}+web@{domain}>", 3)
        self.assertEqual(message.author_id, self.alice)
        self.assertFalse(message.subtype_id.internal, "logged as an internal note")


@tagged("post_install", "-at_install")
class TestRecipientDelimiter(MailTicketCase):
    """Our mailbox under a sub-address of another separator than "+": Postfix's and
    Dovecot's recipient_delimiter may hold several characters ("+-", qmail and Exim
    use "-"). The system parameter helpdesk_mail_ticket.recipient_delimiter says which."""

    def _own_with(self, separator):
        local, _at, domain = self.mailbox_login.partition("@")
        return f"{local}{separator}web@{domain}"

    def test_our_mailbox_under_a_dash_sub_address_is_ours_when_the_mta_says_so(self):
        self.inbox.unknown_caller_behavior = "create_contact"
        self.inbox.reply_to_caller = "never"
        address = self._own_with("-")
        self.deliver(make_email(sender=f"Form <{address}>", message_id="<dash-0@c.x>"))
        self.fetch()
        self.assertEqual(self.ledger().state, "processed", "ours by default with '-'?")
        self.env["ir.config_parameter"].set_param("helpdesk_mail_ticket.recipient_delimiter", "+-")
        self.deliver(
            make_email(sender=f"Form <{address}>", message_id="<dash-1@c.x>", subject="Again")
        )
        self.fetch()
        line = self.ledger().filtered(lambda m: m.message_id == "dash-1@c.x")
        self.assertEqual(line.state, "undesired", line.reason)
        self.assertTrue(self.inbox._is_own_address(self._own_with("+")))
        self.assertFalse(self.inbox._is_own_address(self._own_with("_")))
