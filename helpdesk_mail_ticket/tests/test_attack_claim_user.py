# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The processing's claim puts the cycle's user's ``active`` and ``partner_id`` in the
cache (``_claim_user_fields``): whoever runs the cycle (the cron's superuser, an inbox
admin's "Fetch now", an archived user, a user whose partner changed), a reply is
notified to the ticket's followers exactly as when the ORM reads the user itself, the
cycle's user (the real author) left out when active, as Odoo's ``message_post`` does."""

from contextlib import nullcontext
from unittest.mock import patch

from odoo.tests import tagged

from ..models.mail_inbox_message_claim import MailInboxMessage
from .common import MailTicketCase, make_email
from .test_one_new_cost import cycle_events


@tagged("post_install", "-at_install")
class TestClaimUserCache(MailTicketCase):
    def setUp(self):
        super().setUp()
        self.deliver(make_email(subject="Printer broken", message_id="<cu-0@client.example>"))
        self.fetch()
        (line,) = self.ledger()
        self.ticket = self.ticket_of(line)
        self.ticket.message_subscribe(
            partner_ids=(self.manager.partner_id | self.agent.partner_id).ids
        )
        self.replies = 0

    def reply_notified(self, inbox, read_by_orm):
        """Deliver a reply to the ticket, run a cycle with ``inbox`` (its env: the
        cycle's user) whose commits empty the cache, and return the partners notified
        of the reply. ``read_by_orm``: the claim reads no user field (as before the
        change), the ORM reads the user."""
        self.replies += 1
        key = f"<cu-{self.replies}@client.example>"
        self.deliver(
            make_email(
                subject="Re: Printer broken",
                message_id=key,
                headers={"In-Reply-To": "<cu-0@client.example>"},
            )
        )
        self.env.flush_all()
        self.env.invalidate_all()
        hook = (
            patch.object(MailInboxMessage, "_claim_user_fields", lambda self: [])
            if read_by_orm
            else nullcontext()
        )
        with hook, cycle_events(self.env) as events:
            result = inbox._fetch()
        self.assertFalse(result.get("failure"), result.get("failure"))
        self.assertNotIn(("rollback", None), events)
        self.assertEqual(result["processed"], 1, result)
        message = self.env["mail.message"].search([("message_id", "=", key)])
        self.assertEqual(message.res_id, self.ticket.id)
        return message.notified_partner_ids

    def assert_as_the_orm(self, inbox):
        cached = self.reply_notified(inbox, read_by_orm=False)
        read = self.reply_notified(inbox, read_by_orm=True)
        self.assertEqual(
            cached, read, f"cached {cached.mapped('name')}, read {read.mapped('name')}"
        )
        return cached

    def test_the_cron_superuser(self):
        notified = self.assert_as_the_orm(self.inbox)
        self.assertIn(self.manager.partner_id, notified)
        self.assertIn(self.agent.partner_id, notified)

    def test_fetch_now_by_an_inbox_admin(self):
        # "Fetch now": the manager's env, sudo(): the manager is the real author.
        notified = self.assert_as_the_orm(self.inbox.with_user(self.manager).sudo())
        self.assertNotIn(self.manager.partner_id, notified)
        self.assertIn(self.agent.partner_id, notified)

    def test_an_archived_user(self):
        self.manager.active = False
        self.assert_as_the_orm(self.inbox.with_user(self.manager).sudo())

    def test_a_user_whose_partner_changed(self):
        other = self.env["res.partner"].create({"name": "New manager partner"})
        self.ticket.message_subscribe(partner_ids=other.ids)
        old = self.manager.partner_id
        self.env.cr.execute(
            "UPDATE res_users SET partner_id = %s WHERE id = %s", [other.id, self.manager.id]
        )
        self.env.invalidate_all()
        notified = self.assert_as_the_orm(self.inbox.with_user(self.manager).sudo())
        self.assertNotIn(other, notified)
        self.assertIn(old, notified)

    def test_a_user_of_another_company(self):
        company = self.env["res.company"].create({"name": "Other Co"})
        self.manager.write({"company_ids": [(4, company.id)], "company_id": company.id})
        notified = self.assert_as_the_orm(self.inbox.with_user(self.manager).sudo())
        self.assertNotIn(self.manager.partner_id, notified)
