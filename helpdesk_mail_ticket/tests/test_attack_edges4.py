# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Attacks on edges4's caller from Reply-To (``reply_to_caller``) and the
``recipient_delimiter`` parameter: a web form relays what its visitor typed (the
Reply-To is never authenticated), display-name and encoded-word tricks, our own and an
internal user's address in other cases, the wizard, odd delimiters."""

import base64

from odoo.tests import tagged

from .common import MailTicketCase, make_email

DELIMITER = "helpdesk_mail_ticket.recipient_delimiter"


def with_raw_header(raw, name, value):
    """``raw`` with the header ``name: value`` as written, bytes the standard library
    would have re-encoded."""
    return f"{name}: {value}\n".encode() + raw


@tagged("post_install", "-at_install")
class TestAttackEdges4(MailTicketCase):
    def setUp(self):
        super().setUp()
        self.inbox.unknown_caller_behavior = "create_contact"
        self.local, _at, self.domain = self.mailbox_login.partition("@")
        self.web = f"{self.local}+web@{self.domain}"

    def _line(self, message_id):
        return self.ledger().filtered(lambda m: m.message_id == message_id)

    # A web form relays what its visitor typed: the address and the subject. Anyone may
    # type a customer's address and her ticket's reference.

    def test_a_web_visitor_typing_a_callers_address_and_reference_does_not_write_as_her(self):
        self.deliver(make_email(subject="Refund", message_id="<own-0@c.x>"))
        self.fetch()
        ticket = self.ticket_of(self.ledger())
        self.assertEqual(ticket.partner_id, self.alice)
        self.deliver(
            make_email(
                sender=f"Web Form <{self.web}>",
                subject=f"Web form: {ticket.reference}",
                body="Please wire the refund to my new account.",
                message_id="<form-1@c.x>",
                headers={"Reply-To": "alice@acme.example"},
            )
        )
        self.fetch()
        line = self._line("form-1@c.x")
        self.assertEqual(line.state, "processed", line.reason)
        message = ticket.message_ids.filtered(lambda m: m.message_id == "<form-1@c.x>")
        if message:
            self.assertTrue(
                message.subtype_id.internal,
                "a web visitor's typed address published an update as the ticket's caller",
            )
        else:
            self.assertNotEqual(self.ticket_of(line), ticket)

    def test_a_web_visitors_typed_reference_follows_the_stranger_policy(self):
        # A new ticket when the inbox says so: the visitor's request is not lost.
        self.inbox.stranger_update_policy = "new_ticket"
        self.deliver(make_email(subject="Refund", message_id="<own-0@c.x>"))
        self.fetch()
        ticket = self.ticket_of(self.ledger())
        self.deliver(
            make_email(
                sender=f"Web Form <{self.web}>",
                subject=f"Web form: {ticket.reference}",
                message_id="<form-2@c.x>",
                headers={"Reply-To": "alice@acme.example"},
            )
        )
        self.fetch()
        line = self._line("form-2@c.x")
        self.assertEqual(line.state, "processed", line.reason)
        self.assertEqual(line.action, "created", line.reason)
        self.assertNotEqual(self.ticket_of(line), ticket)
        self.assertEqual(self.ticket_of(line).partner_id, self.alice)

    # A loop: another helpdesk answers from one address with a new Reply-To per case
    # ("case-123@"); each of our tickets notifies its caller, which opens a new case.

    def test_always_a_sender_naming_a_new_caller_each_time_meets_the_rate_limit(self):
        self.inbox.reply_to_caller = "always"
        self.env["ir.config_parameter"].set_param("mail.gateway.loop.threshold", "2")
        for number in range(4):
            self.deliver(
                make_email(
                    sender="Supplier Desk <desk@supplier.example>",
                    subject=f"Case {number} opened",
                    message_id=f"<case-{number}@supplier.example>",
                    headers={"Reply-To": f"case-{number}@supplier.example"},
                )
            )
        self.fetch()
        states = [self._line(f"case-{n}@supplier.example").state for n in range(4)]
        self.assertEqual(states, ["processed", "processed", "error", "error"])

    # Held: what Reply-To names is read as the address, not as its display name.

    def test_display_name_tricks_in_reply_to(self):
        cases = (
            # A foreign address as the display name of one of ours: ours.
            (f'"carla@customer.example" <{self.mailbox_login}>', None),
            # A whole mailbox of ours put in encoded words: ours.
            (f"=?utf-8?q?Carla_<{self.mailbox_login.replace('@', '=40')}>?=", None),
            # Our address in an encoded display name of a foreign one: the foreign one.
            (
                f"=?utf-8?q?{self.mailbox_login.replace('@', '=40')}?= <carla@customer.example>",
                "carla@customer.example",
            ),
        )
        for number, (reply_to, _caller) in enumerate(cases):
            raw = make_email(
                sender=f"Web Form <{self.web}>",
                subject=f"Order {number}",
                message_id=f"<trick-{number}@c.x>",
            )
            self.deliver(with_raw_header(raw, "Reply-To", reply_to))
        self.fetch()
        for number, (reply_to, caller) in enumerate(cases):
            with self.subTest(reply_to=reply_to):
                line = self._line(f"trick-{number}@c.x")
                if caller is None:
                    self.assertEqual(line.state, "undesired", line.reason)
                else:
                    self.assertEqual(line.state, "processed", line.reason)
                    self.assertEqual(self.ticket_of(line).partner_id.email, caller)
        ours = self.env["res.partner"].search(
            [("email_normalized", "ilike", f"{self.local}%@{self.domain}")]
        )
        self.assertFalse(ours, "our own address became a contact")

    # Held: case and sub-address variants of ours, an internal user's in another case.

    def test_case_and_sub_address_variants_of_ours_are_never_the_caller(self):
        self.inbox.reply_to_caller = "always"
        self.agent.partner_id.email = "Agent.Smith@Staff-Ours.example"
        variants = (
            self.mailbox_login.upper(),
            f"{self.local.upper()}+Tag@{self.domain.upper()}",
            "AGENT.SMITH@STAFF-OURS.EXAMPLE",
        )
        for number, reply_to in enumerate(variants):
            self.deliver(
                make_email(
                    sender=f"Web Form <{self.web}>",
                    subject=f"Variant {number}",
                    message_id=f"<variant-{number}@c.x>",
                    headers={"Reply-To": reply_to},
                )
            )
        self.fetch()
        for line in self.ledger():
            with self.subTest(line=line.message_id):
                self.assertEqual(line.state, "undesired", line.reason)

    # Held: the wizard tells what processing does with a stranger's Reply-To on a thread.

    def test_test_an_email_tells_a_strangers_reply_to_on_a_thread_as_processing_does(self):
        self.inbox.reply_to_caller = "always"
        self.deliver(make_email(subject="Refund", message_id="<wiz-0@c.x>"))
        self.fetch()
        raw = make_email(
            sender="Mallory <mallory@evil.example>",
            subject="Re: Refund",
            message_id="<wiz-1@c.x>",
            headers={"In-Reply-To": "<wiz-0@c.x>", "Reply-To": "alice@acme.example"},
        )
        wizard = self.env["mail.inbox.test.email"].create(
            {"inbox_id": self.inbox.id, "eml": base64.b64encode(raw), "eml_filename": "r.eml"}
        )
        wizard.action_analyze()
        self.assertEqual(wizard.outcome, "note", wizard.explanation)
        self.assertNotEqual(wizard.caller_id, self.alice)
        self.assertIn("mallory@evil.example", wizard.caller_note or "")

    # Held: odd recipient_delimiter values.

    def test_odd_recipient_delimiters(self):
        inbox = self.inbox
        # The login holds a "-" ("supportN-xxxx@"): with "-" a separator, its own name
        # up to a "-" is not ours, the login and its sub-addresses are.
        self.env["ir.config_parameter"].set_param(DELIMITER, "-")
        head = self.local.split("-", 1)[0]
        self.assertFalse(inbox._is_own_address(f"{head}@{self.domain}"))
        self.assertTrue(inbox._is_own_address(self.mailbox_login))
        self.assertTrue(inbox._is_own_address(f"{self.local}-web@{self.domain}"))
        self.assertFalse(inbox._is_own_address(f"{self.local}+web@{self.domain}"))
        for value in ("", "   ", " + "):
            with self.subTest(value=value):
                self.env["ir.config_parameter"].set_param(DELIMITER, value)
                self.assertTrue(inbox._is_own_address(f"{self.local}+web@{self.domain}"))
                self.assertFalse(inbox._is_own_address(f"{self.local}-web@{self.domain}"))
        # A separator leading the local part names no mailbox.
        self.env["ir.config_parameter"].set_param(DELIMITER, "+-")
        self.assertFalse(inbox._is_own_address(f"+{self.mailbox_login}"))
        self.assertFalse(inbox._is_own_address(f"-web@{self.domain}"))


@tagged("post_install", "-at_install")
class TestAttackEdges4MailDomain(MailTicketCase):
    """The company's own domain is most often its alias domain (Odoo sends from it, its
    catchall and aliases live there): its people are on it too, users of Odoo or not."""

    def setUp(self):
        super().setUp()
        self.inbox.unknown_caller_behavior = "create_contact"
        local, _at, domain = self.mailbox_login.partition("@")
        self.web = f"Web Form <{local}+web@{domain}>"
        self.corp = self.env["mail.alias.domain"].create({"name": "corp-ours.example"})

    def assert_all_undesired_and_no_contact_of_ours(self):
        """A cycle sets every email aside, none making a contact of our mail domain."""
        self.fetch()
        for line in self.ledger():
            with self.subTest(line=line.message_id):
                self.assertEqual(line.state, "undesired", line.reason)
        self.assertFalse(
            self.env["res.partner"].search([("email_normalized", "=like", "%@corp-ours.example")])
        )

    def _form(self, sender, reply_to, number):
        self.deliver(
            make_email(
                sender=sender,
                subject=f"Laptop {number}",
                message_id=f"<corp-{number}@c.x>",
                headers={"Reply-To": reply_to},
            )
        )

    def test_a_colleague_on_our_mail_domain_using_the_form_is_the_caller(self):
        # An internal helpdesk: an employee without an Odoo user fills the form. Taken
        # for one of our own addresses, the request was set aside (undesired: lost to
        # the helpdesk) or made the form's no-reply address the caller of every one.
        for number, sender in enumerate((self.web, "Shop <noreply@corp-ours.example>")):
            self._form(sender, "Bob Staff <bob@corp-ours.example>", number)
        self.fetch()
        for line in self.ledger():
            with self.subTest(line=line.message_id):
                self.assertEqual(line.state, "processed", line.reason)
                self.assertEqual(line.email_from, "bob@corp-ours.example")
                self.assertEqual(self.ticket_of(line).partner_id.email, "bob@corp-ours.example")

    def test_the_addresses_odoo_receives_and_sends_as_are_never_the_caller(self):
        # What our notifications carry as Reply-To (the catchall, an alias), Odoo's
        # bounce address (a sub-address of it too) and its notifications' From.
        alias = self.env["mail.alias"].create(
            {
                "alias_name": "printer-ticket",
                "alias_model_id": self.env["ir.model"]._get("helpdesk.mail.ticket").id,
                "alias_domain_id": self.corp.id,
            }
        )
        ours = (
            self.corp.catchall_email,
            self.corp.bounce_email.upper(),
            self.corp.bounce_email.replace("@", "+12-helpdesk.mail.ticket-3@"),
            self.corp.default_from_email,
            alias.alias_full_name,
            f"Printer <{alias.alias_full_name.replace('@', '+x@')}>",
        )
        for number, reply_to in enumerate(ours):
            self._form(self.web, reply_to, number)
        self.assert_all_undesired_and_no_contact_of_ours()

    def test_odoos_own_sending_addresses_are_never_a_caller_as_the_sender_either(self):
        # Odoo's notifications go out from its notifications address (a customer's
        # message rewritten "Alice <notifications@…>"), reply-to the catchall: one
        # coming back under another Message-ID (a forwarder, a follower's copy, a reply
        # to a ticket since archived) made that address a caller, a contact whom every
        # answer is mailed to, back into Odoo.
        senders = (
            f"Alice Martin <{self.corp.default_from_email}>",
            self.corp.catchall_email.upper(),
        )
        for number, sender in enumerate(senders):
            self.deliver(
                make_email(
                    sender=sender,
                    subject=f"Re: Printer {number}",
                    message_id=f"<echo-{number}@c.x>",
                    headers={"Reply-To": f"Company <{self.corp.catchall_email}>"},
                )
            )
        self.assert_all_undesired_and_no_contact_of_ours()

    def test_an_alias_domain_made_or_renamed_after_mail_was_read_is_ours_at_once(self):
        # Our inboxes read the alias domains once a registry (every message asks): a
        # domain made or renamed after a cycle read them counts from the next message.
        self.deliver(make_email(sender="ann@customer.example", message_id="<warm@c.x>"))
        self.fetch()
        later = self.env["mail.alias.domain"].create({"name": "later-ours.example"})
        self.deliver(make_email(sender=later.catchall_email, message_id="<later-1@c.x>"))
        self.fetch()
        later.name = "renamed-ours.example"
        alias = self.env["mail.alias"].create(
            {
                "alias_name": "desk-later",
                "alias_model_id": self.env["ir.model"]._get("helpdesk.mail.ticket").id,
                "alias_domain_id": later.id,
            }
        )
        for number, sender in enumerate((later.bounce_email, alias.alias_full_name)):
            self.deliver(make_email(sender=sender, message_id=f"<later-{number + 2}@c.x>"))
        self.fetch()
        states = {line.message_id: line.state for line in self.ledger()}
        self.assertEqual(states.pop("warm@c.x", states), "processed")
        self.assertEqual(set(states.values()), {"undesired"}, states)
        self.assertEqual(len(states), 3)

    def test_an_alias_of_a_domain_named_in_capitals_is_ours(self):
        # Odoo keeps an alias domain's name as typed ("Caps-Ours.Example"), and its
        # aliases' full address with it; mail writes the domain in any case.
        caps = self.env["mail.alias.domain"].create({"name": "Caps-Ours.Example"})
        alias = self.env["mail.alias"].create(
            {
                "alias_name": "desk-caps",
                "alias_model_id": self.env["ir.model"]._get("helpdesk.mail.ticket").id,
                "alias_domain_id": caps.id,
            }
        )
        self.assertTrue(self.inbox._is_odoo_mail_address(alias.alias_full_name))
        for number, address in enumerate(
            ("desk-caps@caps-ours.example", "DESK-CAPS@CAPS-OURS.EXAMPLE")
        ):
            self.assertTrue(self.inbox._is_odoo_mail_address(address), address)
            self._form(self.web, address, number)
        self.fetch()
        self.assertEqual(set(self.ledger().mapped("state")), {"undesired"})
