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
from unittest.mock import patch

from odoo.tests import new_test_user, tagged

from ..mailparse import parse_message
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


@tagged("post_install", "-at_install")
class TestRouteForIntegrators(MailTicketCase):
    """What an integrator wrote against the route keeps working, and the wizard routes
    with the rights and the company processing has, whoever opens it."""

    def route(self, raw):
        line = self.env["mail.inbox.message"].new({"inbox_id": self.inbox.id, "uid": "t"})
        return line._route(parse_message(raw, self.inbox._get_parse_settings()), raw)

    def test_a_match_override_of_the_old_contract_still_decides(self):
        """``_match_ticket`` gives a ticket or nothing, as it always did: an override
        that falls back on its own ticket when ours finds none, or returns one outright,
        routes to that ticket."""
        ticket = self.env["helpdesk.mail.ticket"].create(
            {"name": "Theirs", "partner_id": self.alice.id}
        )
        raw = make_email(subject="Nothing matches this")
        ledger = type(self.env["mail.inbox.message"])
        original = ledger._match_ticket

        def falls_back(line, parsed):
            return original(line, parsed) or ticket

        def outright(line, parsed):
            return ticket

        for override in (falls_back, outright):
            with (
                self.subTest(override=override.__name__),
                patch.object(ledger, "_match_ticket", override),
            ):
                route = self.route(raw)
                self.assertEqual((route.verdict, route.ticket), ("update", ticket))
        route = self.route(raw)
        self.assertEqual((route.verdict, route.ticket), ("create", None))

    def test_the_wizard_routes_as_processing_for_a_user_in_another_company(self):
        """A manager whose current company is not the inbox's sees the verdict the
        cycle (which runs in the inbox's company) gives."""
        other = self.env["res.company"].create({"name": "Wizard Elsewhere Co"})
        self.inbox.company_id = other
        ticket = self.env["helpdesk.mail.ticket"].create(
            {"name": "Over there", "partner_id": self.alice.id, "company_id": other.id}
        )
        manager = new_test_user(
            self.env, login="hmt_wizard_elsewhere",
            groups="helpdesk_mail_ticket.group_helpdesk_mail_ticket_manager",
            company_id=self.env.company.id, company_ids=[(6, 0, [self.env.company.id, other.id])],
        )  # fmt: skip
        raw = make_email(subject=f"About {ticket.reference}")
        wizard = (
            self.env["mail.inbox.test.email"]
            .with_user(manager)
            .create({"inbox_id": self.inbox.id, "eml": base64.b64encode(raw)})
        )
        wizard.action_analyze()
        self.assertEqual((wizard.outcome, wizard.ticket_ref), ("update", ticket.display_name))

    def test_an_override_of_a_moved_method_is_named_at_start(self):
        """Methods of 18.0.1.1 whose work moved (to the route, the ticket mixin or the
        transaction module) are called by nothing: an integrator's override of one
        would silently stop working, so the registry names it and where the work went."""
        ledger = type(self.env["mail.inbox.message"])
        with (
            patch.object(ledger, "_create_ticket", lambda self, *a: None, create=True),
            self.assertLogs(
                "odoo.addons.helpdesk_mail_ticket.models.mail_inbox_message", "WARNING"
            ) as logs,
        ):
            self.env["mail.inbox.message"]._check_moved_overrides()
        self.assertIn("_create_ticket", logs.output[0])
        self.assertIn("_mail_ticket_new", logs.output[0])
        with self.assertNoLogs(
            "odoo.addons.helpdesk_mail_ticket.models.mail_inbox_message", "WARNING"
        ):
            self.env["mail.inbox.message"]._check_moved_overrides()

    def test_an_override_of_a_recognition_read_merged_away_is_named_at_start(self):
        """The recognition's reads of the ledger became one (_read_recognition): an
        override of the reads it replaced is called by nothing."""
        inbox = type(self.env["mail.inbox"])
        with (
            patch.object(inbox, "_free_keys", lambda self, keys: keys, create=True),
            self.assertLogs(
                "odoo.addons.helpdesk_mail_ticket.models.mail_inbox_message", "WARNING"
            ) as logs,
        ):
            self.env["mail.inbox.message"]._check_moved_overrides()
        self.assertIn("mail.inbox._free_keys", logs.output[0])
        self.assertIn("_read_recognition", logs.output[0])
