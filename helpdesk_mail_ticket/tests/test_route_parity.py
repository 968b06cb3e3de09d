# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The *Test an email* wizard says what processing then does.

Every mail of the real corpus, and the routing scenarios (replies by header and by
title, strangers under each policy, duplicates, Odoo's own mail coming back, the rate
limit, unknown senders, automated mail, inbox behaviors), goes first through the
wizard, then through a real cycle on Dovecot; both must give the same verdict and, when
a ticket is touched, the same ticket.
"""

import base64
import glob
import os

from odoo.tests import tagged

from .common import SAMPLES, MailTicketCase, make_email


@tagged("post_install", "-at_install")
class TestRouteParity(MailTicketCase):
    def wizard_verdict(self, raw, inbox):
        wizard = self.env["mail.inbox.test.email"].create(
            {"inbox_id": inbox.id, "eml": base64.b64encode(raw)}
        )
        wizard.action_analyze()
        ticket = wizard.ticket_ref if wizard.outcome not in ("create", "error") else False
        return wizard.outcome, ticket or False

    def processing_verdict(self, inbox):
        """What the cycle did with the newest line of ``inbox``, read from its effects:
        the line's state and action, and for an update the subtype of what it posted
        (an internal note, or the email on the ticket's thread)."""
        line = self.ledger(inbox).sorted("id")[-1:]
        if line.state != "processed":
            return line.state, False
        ticket = line._get_ticket()
        if line.action == "created":
            return "create", False
        if line.action == "updated":
            posted = self.env["mail.message"].search(
                [
                    ("model", "=", ticket._name),
                    ("res_id", "=", ticket.id),
                    ("message_id", "=", f"<{line.message_id}>"),
                ],
                limit=1,
            )
            note = posted.subtype_id == self.env.ref("mail.mt_note")
            return ("note" if note else "update"), ticket.display_name
        return line.action, ticket.display_name

    def walk(self, raw, inbox=None):
        """The wizard's verdict, then processing's, for one email."""
        inbox = inbox or self.inbox
        said = self.wizard_verdict(raw, inbox)
        self.deliver(raw, login=inbox.login)
        self.fetch(inbox)
        return said, self.processing_verdict(inbox)

    def check(self, raw, expected, inbox=None):
        said, done = self.walk(raw, inbox)
        self.assertEqual(done[0], expected, f"the scenario: wizard {said}, processing {done}")
        self.assertEqual(said, done, "the wizard says what processing does")
        return self.ledger(inbox or self.inbox).sorted("id")[-1:]._get_ticket()

    def test_corpus(self):
        """Every real mail of the corpus, one after the other (as a mailbox receives
        them: later ones may be duplicates or hit the rate limit)."""
        login, password = self.new_mailbox()
        inbox = self.create_inbox(login, password, unknown_caller_behavior="create_contact")
        paths = sorted(glob.glob(os.path.join(SAMPLES, "real", "*", "*.eml")))
        self.assertGreater(len(paths), 100)
        drift = []
        for path in paths:
            with open(path, "rb") as handle:
                said, done = self.walk(handle.read(), inbox)
            if said != done:
                drift.append(f"{os.path.relpath(path, SAMPLES)}: wizard {said}, processing {done}")
        self.assertFalse(drift, "\n".join(drift))

    def test_scenarios(self):
        alice = self.alice
        bob = self.env["res.partner"].create({"name": "Bob Stranger", "email": "bob@else.example"})
        first = make_email(subject="Printer broken")
        ticket = self.check(first, "create")
        thread = ticket.message_ids.filtered("message_id")[:1].message_id
        reply = {"In-Reply-To": thread, "References": thread}

        def email(sender=alice, **values):
            return make_email(sender=f"{sender.name} <{sender.email}>", **values)

        answer = email(subject="Re: Printer broken", headers=reply)
        self.check(answer, "update")
        self.check(answer, "duplicate")  # the very same email again
        self.check(email(subject=f"About {ticket.reference}"), "update")
        # A stranger to the ticket, under each policy (accepted, Bob follows it then).
        for policy, verdict in [
            ("note", "note"),
            ("new_ticket", "create"),
            ("reject", "error"),
            ("accept", "update"),
        ]:
            self.inbox.stranger_update_policy = policy
            self.check(email(bob, subject="Re: Printer broken", headers=reply), verdict)
        self.inbox.stranger_update_policy = "note"
        # Odoo's own mail coming back: on a ticket; the same Message-ID on another
        # record is no echo of ours.
        posted = ticket.message_post(body="We are on it.", message_type="comment")
        self.check(make_email(message_id=posted.message_id), "duplicate")
        elsewhere = bob.message_post(body="Hello Bob", message_type="comment")
        self.check(make_email(message_id=elsewhere.message_id), "create")
        # Automated mail, unknown senders.
        self.check(email(headers={"Auto-Submitted": "auto-replied"}), "undesired")
        self.check(make_email(sender="Zed <zed@nowhere.example>"), "error")
        self.inbox.unknown_caller_behavior = "create_contact"
        self.check(make_email(sender="Zoe <zoe@nowhere.example>"), "create")
        yan = make_email(sender="Yan <yan@nowhere.example>", subject="Re: Printer", headers=reply)
        self.check(yan, "note")  # a contact made for a stranger to the ticket
        # Inbox behaviors and ticket types.
        self.inbox.behavior = "update_only"
        self.check(email(subject="A new request"), "error")
        self.inbox.stranger_update_policy = "new_ticket"
        dave = self.env["res.partner"].create({"name": "Dave", "email": "dave@else.example"})
        self.check(email(dave, subject="Re: Printer broken", headers=reply), "error")
        self.inbox.write({"behavior": "create_only", "stranger_update_policy": "note"})
        self.check(email(subject="Re: Printer broken", headers=reply), "create")
        self.inbox.write({"behavior": "both", "ticket_type": "incident"})
        self.check(email(subject="Re: Printer broken", headers=reply), "error")
        self.inbox.ticket_type = "user_request"
        # The rate limit: a third ticket in the window is refused.
        carol = self.env["res.partner"].create({"name": "Carol", "email": "carol@acme.example"})
        self.env["ir.config_parameter"].set_param("mail.gateway.loop.threshold", "2")
        self.check(email(carol, subject="One"), "create")
        self.check(email(carol, subject="Two"), "create")
        self.check(email(carol, subject="Three"), "error")
