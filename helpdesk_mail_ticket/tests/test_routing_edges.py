# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Mail reaches the ticket it is about, in its company, and nothing else: no database id
read from a subject, no notification of ours posted twice, no caller mistaken for a
stranger because of a duplicate contact; and the ledger keeps what was done."""

from datetime import timedelta

from odoo import fields
from odoo.tests import new_test_user, tagged

from .common import MailTicketCase, make_email


@tagged("post_install", "-at_install")
class TestRoutingEdges(MailTicketCase):
    def line_of(self, message_id, inbox=None):
        return self.ledger(inbox).filtered(lambda m: m.message_id == message_id)

    def test_subject_number_is_no_database_id(self):
        """A model with a reference field is matched by its reference alone."""
        other = self.env["helpdesk.mail.ticket"].create(
            {"name": "About something else", "partner_id": self.agent.partner_id.id}
        )
        number = f"R-{other.id:06d}"
        self.env["helpdesk.mail.ticket"].search([("reference", "=", number)]).reference = "X-1"
        self.deliver(make_email(subject=f"Order {number}", message_id="<ref-1@client.example>"))
        self.fetch()
        line = self.line_of("ref-1@client.example")
        self.assertEqual(line.action, "created", line.reason)
        self.assertNotEqual(self.ticket_of(line), other)
        self.assertFalse(other.message_ids.filtered(lambda m: m.message_type == "email"))

    def test_our_own_notification_coming_back_is_not_posted_again(self):
        self.deliver(make_email(subject="Screen broken", message_id="<own-1@client.example>"))
        self.fetch()
        ticket = self.ticket_of(self.ledger())
        support = self.env["res.partner"].create({"name": "Support", "email": self.mailbox_login})
        ticket.message_subscribe(partner_ids=support.ids)
        notification = ticket.with_user(self.agent).message_post(
            body="We ordered a new screen.",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        # The support address follows the ticket: the notification lands in its inbox.
        echo = make_email(
            subject=f"Re: {ticket.reference} Screen broken",
            body="We ordered a new screen.",
            sender=f"Agent <{self.agent.email}>",
            to=self.mailbox_login,
            message_id=notification.message_id,
            headers={"References": "<own-1@client.example>"},
        )
        self.deliver(echo)
        self.fetch()
        line = self.line_of(notification.message_id.strip("<>"))
        self.assertEqual((line.state, line.action), ("processed", "duplicate"), line.reason)
        self.assertEqual(self.ticket_of(line), ticket)
        self.assertIn("already in Odoo", line.reason)
        self.assertEqual(
            self.env["mail.message"].search_count([("message_id", "=", notification.message_id)]),
            1,
            "posted once: nobody is mailed again",
        )

    def test_caller_with_a_duplicate_contact_is_recognized(self):
        """The reply comes from the caller's address, whichever contact holds it."""
        twin = self.env["res.partner"].create({"name": "Alice M.", "email": "alice@acme.example"})
        self.assertGreater(twin.id, self.alice.id)
        ticket = self.env["helpdesk.mail.ticket"].create(
            {"name": "Laptop slow", "partner_id": twin.id}
        )
        self.deliver(
            make_email(subject=f"Re: {ticket.reference}", message_id="<twin-1@client.example>")
        )
        self.fetch()
        line = self.line_of("twin-1@client.example")
        self.assertEqual((line.action, self.ticket_of(line)), ("updated", ticket), line.reason)
        post = ticket.message_ids.filtered(lambda m: m.message_id == "<twin-1@client.example>")
        self.assertEqual(
            post.subtype_id, self.env.ref("helpdesk_mail_ticket.mt_ticket_updated_by_email")
        )

    def test_reset_of_a_processed_message_keeps_what_it_did(self):
        self.deliver(make_email(message_id="<reset-1@client.example>"))
        self.fetch()
        line = self.ledger()
        self.assertEqual(line.action, "created")
        processed_date = line.processed_date
        line.with_user(self.manager).action_reset_status()
        self.fetch()
        self.assertEqual((line.state, line.action), ("processed", "created"))
        self.assertEqual(line.processed_date, processed_date)
        self.assertEqual(self.inbox.created_count, 1)

    def test_status_shows_the_next_run(self):
        cron = self.env.ref("helpdesk_mail_ticket.ir_cron_mail_inbox_fetch")
        cron.nextcall = fields.Datetime.now() + timedelta(hours=1)
        inbox = self.inbox.with_user(self.manager)
        self.assertEqual(inbox.next_run_date, cron.nextcall)
        soon = fields.Datetime.now() + timedelta(seconds=20)
        cron._trigger(at=soon)
        inbox.invalidate_recordset(["next_run_date"])
        self.assertEqual(inbox.next_run_date, soon, "a poll triggered earlier is the next")
        self.inbox.active = False
        inbox.invalidate_recordset(["next_run_date"])
        self.assertFalse(inbox.next_run_date, "an archived inbox is not polled")
        arch = inbox.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="next_run_date"', arch)


@tagged("post_install", "-at_install")
class TestMultiCompany(MailTicketCase):
    """An inbox belongs to a company: its tickets are made there, and replies, subjects,
    the duplicate check and callers are looked up there (and among shared contacts)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.main = cls.env.company
        cls.other = cls.env["res.company"].create({"name": "Other Helpdesk Co"})

    def setUp(self):
        super().setUp()
        self.other_login, password = self.new_mailbox()
        self.other_inbox = self.create_inbox(self.other_login, password, company_id=self.other.id)
        self.assertEqual(self.inbox.company_id, self.main)

    line_of = TestRoutingEdges.line_of

    def test_a_mail_to_both_companies_makes_a_ticket_in_each(self):
        raw = make_email(
            subject="Both companies",
            to=f"{self.mailbox_login}, {self.other_login}",
            message_id="<mc-1@client.example>",
        )
        self.deliver(raw)
        self.deliver(raw, login=self.other_login)
        self.env["mail.inbox"]._cron_fetch()
        main_line, other_line = self.ledger(), self.ledger(self.other_inbox)
        self.assertEqual((main_line.action, other_line.action), ("created", "created"))
        self.assertEqual(self.ticket_of(main_line).company_id, self.main)
        self.assertEqual(self.ticket_of(other_line).company_id, self.other)
        self.assertEqual(self.ticket_of(other_line).partner_id, self.alice, "a shared contact")

    def test_replies_subjects_and_callers_stay_in_their_company(self):
        theirs = self.env["helpdesk.mail.ticket"].create(
            {"name": "Theirs", "partner_id": self.alice.id, "company_id": self.other.id}
        )
        notification = theirs.message_post(body="Noted.", message_type="comment")
        carol = self.env["res.partner"].create(
            {"name": "Carol", "email": "carol@other.example", "company_id": self.other.id}
        )
        self.deliver(make_email(subject=f"Re: {theirs.reference}", message_id="<mc-2@x>"))
        self.deliver(
            make_email(
                subject="Re: Noted",
                headers={"In-Reply-To": notification.message_id},
                message_id="<mc-3@x>",
            )
        )
        self.deliver(make_email(sender="carol@other.example", message_id="<mc-4@x>"))
        self.deliver(
            make_email(subject=f"Re: {theirs.reference}", message_id="<mc-5@x>"),
            login=self.other_login,
        )
        self.deliver(
            make_email(sender="carol@other.example", message_id="<mc-6@x>"),
            login=self.other_login,
        )
        self.env["mail.inbox"]._cron_fetch()
        for message_id in ("mc-2@x", "mc-3@x"):
            line = self.line_of(message_id)
            self.assertEqual(line.action, "created", message_id)
            self.assertEqual(self.ticket_of(line).company_id, self.main, message_id)
        line = self.line_of("mc-4@x")
        self.assertEqual(line.state, "error")
        self.assertIn("Unknown caller", line.reason)
        # In its own company the same mail updates the ticket and finds the caller.
        line = self.line_of("mc-5@x", self.other_inbox)
        self.assertEqual((line.action, self.ticket_of(line)), ("updated", theirs))
        line = self.line_of("mc-6@x", self.other_inbox)
        self.assertEqual(self.ticket_of(line).partner_id, carol)

    def test_a_cron_user_of_one_company_polls_every_inbox(self):
        user = new_test_user(
            self.env,
            login="hmt_cron_main_only",
            groups="base.group_system,helpdesk_mail_ticket.group_helpdesk_mail_ticket_manager",
            company_id=self.main.id,
            company_ids=[(6, 0, self.main.ids)],
        )
        self.deliver(make_email(message_id="<cron-1@x>"), login=self.other_login)
        self.env["mail.inbox"].with_user(user)._cron_fetch()
        line = self.ledger(self.other_inbox)
        self.assertEqual(line.action, "created", line.reason)
        self.assertEqual(self.ticket_of(line).company_id, self.other)


@tagged("post_install", "-at_install")
class TestMailingListCaller(MailTicketCase):
    """A mailing list that rewrites its From (DMARC) names the author as the caller; a
    customer registered by the list's address alone (its group, its Mailman list) still
    gets the ticket when the author is unknown, as before the author was read."""

    def _list_mail(self, subject="Printer broken", headers=None, message_id=None):
        return make_email(
            subject=subject,
            sender="'Bob Author' via Support Group <support-group@groups.example>",
            message_id=message_id,
            headers={
                "X-Original-From": "Bob Author <bob@customer.example>",
                "List-Id": "<support-group.groups.example>",
                "List-Post": "<mailto:support-group@groups.example>",
                **(headers or {}),
            },
        )

    def test_the_lists_contact_when_the_author_is_unknown(self):
        customer = self.env["res.partner"].create(
            {"name": "Customer support group", "email": "support-group@groups.example"}
        )
        self.deliver(self._list_mail(message_id="<list-1@groups.example>"))
        self.fetch()
        line = self.ledger()
        self.assertEqual(line.state, "processed", line.reason)
        ticket = self.ticket_of(line)
        self.assertEqual(ticket.partner_id, customer)
        # Its update through the list reaches the ticket, the list being its caller.
        self.deliver(
            self._list_mail(
                subject=f"Re: {ticket.reference} Printer broken",
                headers={"In-Reply-To": "<list-1@groups.example>"},
            )
        )
        self.fetch()
        self.assertEqual(self.ledger().mapped("state"), ["processed", "processed"])
        self.assertEqual(len(self.env["helpdesk.mail.ticket"].search([])), 1)

    def test_the_author_when_known(self):
        self.env["res.partner"].create(
            {"name": "Customer support group", "email": "support-group@groups.example"}
        )
        bob = self.env["res.partner"].create({"name": "Bob", "email": "bob@customer.example"})
        self.deliver(self._list_mail())
        self.fetch()
        self.assertEqual(self.ticket_of(self.ledger()).partner_id, bob)

    def test_unknown_author_and_list_are_rejected(self):
        self.deliver(self._list_mail())
        self.fetch()
        line = self.ledger()
        self.assertEqual(line.state, "error")
        self.assertIn("Unknown caller (bob@customer.example)", line.reason)
