# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What idle4's cheaper cron run (the inboxes listed with their cycle fields, the cron
record from the cached xml id, no progress written by an idle run) must still do under
Odoo's own cron runner: an idle run is a success, a spent budget runs again at once,
a cron recreated or deactivated is obeyed, an integrator's extra cycle field is read."""

from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import MissingError
from odoo.tests import tagged

from odoo.addons.base.models.ir_cron import MIN_FAILURE_COUNT_BEFORE_DEACTIVATION

from .common import MailTicketCase, make_email

CRON_XMLID = "helpdesk_mail_ticket.ir_cron_mail_inbox_fetch"


@tagged("post_install", "-at_install")
class TestAttackIdle4(MailTicketCase):
    def setUp(self):
        super().setUp()
        self.env["mail.inbox"].search([("id", "!=", self.inbox.id)]).active = False
        self.cron = self.env.ref(CRON_XMLID)

    def run_by_odoos_runner(self):
        """The inbox cron run as Odoo's cron worker runs a ready job (``_process_job``:
        its progress records, its status, its failure count and next call)."""
        job = {
            **self.cron.read(load=None)[0],
            "done": 0,
            "remaining": 0,
            "timed_out_counter": 0,
        }
        self.env.flush_all()
        self.registry.enter_test_mode(self.cr)
        try:
            with self.registry.cursor() as cron_cr:
                self.registry["ir.cron"]._process_job(self.registry.db_name, cron_cr, job)
        finally:
            self.registry.leave_test_mode()
        self.env.invalidate_all()

    def progresses(self, before):
        return [
            (p.done, p.remaining)
            for p in self.env["ir.cron.progress"].search(
                [("cron_id", "=", self.cron.id), ("id", ">", before)], order="id"
            )
        ]

    def last_progress_id(self):
        return max(self.env["ir.cron.progress"].search([]).ids or [0])

    def next_triggers(self, cron, after):
        return self.env["ir.cron.trigger"].search(
            [("cron_id", "=", cron.id), ("call_at", ">=", after)]
        )

    def test_an_idle_run_under_odoos_runner_is_a_success_and_polls_again_soon(self):
        # No progress written: Odoo's runner must still see a fully done run (not a
        # failure: the cron at its last failure before deactivation stays active).
        self.cron.write(
            {
                "failure_count": MIN_FAILURE_COUNT_BEFORE_DEACTIVATION - 1,
                "first_failure_date": fields.Datetime.now() - timedelta(days=10),
            }
        )
        before, now = self.last_progress_id(), fields.Datetime.now()
        self.run_by_odoos_runner()
        self.assertEqual(self.progresses(before), [(0, 0)])
        self.assertTrue(self.cron.active)
        self.assertEqual(self.cron.failure_count, 0)
        self.assertEqual(len(self.next_triggers(self.cron, now)), 1)
        self.assertEqual(self.inbox.state, "ok", self.inbox.last_error)

    def test_a_spent_budget_is_run_again_by_odoos_runner_until_the_mail_is_in(self):
        self.env["ir.config_parameter"].set_param("helpdesk_mail_ticket.max_messages_per_run", "2")
        for number in range(5):
            self.deliver(make_email(message_id=f"<i4-budget-{number}@client.example>"))
        before, now = self.last_progress_id(), fields.Datetime.now()
        self.run_by_odoos_runner()
        self.assertEqual(self.progresses(before), [(2, 3), (2, 1), (1, 0)])
        self.assertEqual(set(self.ledger().mapped("state")), {"processed"})
        self.assertEqual(len(self.ledger()), 5)
        self.assertEqual(self.cron.failure_count, 0)
        self.assertEqual(len(self.next_triggers(self.cron, now)), 1)

    def test_an_idle_inbox_first_then_one_with_mail_reports_the_mail_done(self):
        login, password = self.new_mailbox()
        busy = self.create_inbox(login, password, sequence=self.inbox.sequence + 1)
        self.deliver(make_email(message_id="<i4-second@client.example>"), login=login)
        before = self.last_progress_id()
        self.run_by_odoos_runner()
        self.assertEqual(self.progresses(before), [(1, 0)])
        self.assertEqual(self.ledger(busy).state, "processed")
        self.assertFalse(self.ledger())

    def test_a_cron_recreated_under_its_xml_id_gets_the_next_trigger(self):
        inboxes = self.env["mail.inbox"]
        self.assertEqual(inboxes._get_fetch_cron(), self.cron)  # the lookup cached
        new = self.env["ir.cron"].create(
            {
                "name": "Mail inbox fetch (recreated)",
                "model_id": self.cron.model_id.id,
                "state": "code",
                "code": "model._cron_fetch()",
                "interval_number": 1,
                "interval_type": "minutes",
            }
        )
        data = self.env["ir.model.data"].search(
            [("module", "=", "helpdesk_mail_ticket"), ("name", "=", "ir_cron_mail_inbox_fetch")]
        )
        data.res_id = new.id
        self.cron.unlink()
        self.deliver(make_email(message_id="<i4-recreated@client.example>"))
        now = fields.Datetime.now()
        inboxes._cron_fetch()
        self.assertEqual(self.ledger().state, "processed")
        self.assertEqual(len(self.next_triggers(new, now)), 1)

    def test_a_deleted_cron_fails_the_run_only_after_every_inbox_is_polled(self):
        self.deliver(make_email(message_id="<i4-deleted@client.example>"))
        self.env["mail.inbox"]._get_fetch_cron()  # the lookup cached
        self.env.flush_all()
        self.env.cr.execute("DELETE FROM ir_cron WHERE id = %s", [self.cron.id])
        self.env.invalidate_all()
        # Not assertRaises: its savepoint would undo the run's work with the error.
        failure = None
        try:
            self.env["mail.inbox"]._cron_fetch()
        except (MissingError, ValueError) as error:  # env.ref's, the browsed record's
            failure = error
        self.assertIsNotNone(failure)
        self.assertEqual(self.ledger().state, "processed")

    def test_a_deactivated_cron_run_by_hand_still_polls(self):
        # Odoo keeps a deactivated cron's future triggers (ready once it is restored).
        self.cron.active = False
        self.deliver(make_email(message_id="<i4-inactive@client.example>"))
        now = fields.Datetime.now()
        self.env["mail.inbox"]._cron_fetch()
        self.assertEqual(self.ledger().state, "processed")
        self.assertEqual(len(self.next_triggers(self.cron, now)), 1)

    def test_an_archived_then_restored_inbox_is_polled_with_its_new_settings(self):
        # Between two runs an admin archives the inbox, then restores it on another
        # mailbox: the second run reads the settings of now, not of the first run.
        self.env["mail.inbox"]._cron_fetch()
        login, password = self.new_mailbox()
        self.inbox.active = False
        self.env["mail.inbox"]._cron_fetch()
        self.inbox.write({"active": True, "login": login, "password": password})
        self.deliver(make_email(message_id="<i4-moved@client.example>"), login=login)
        self.env["mail.inbox"]._cron_fetch()
        self.assertEqual(self.ledger().mapped("message_id"), ["i4-moved@client.example"])
        self.assertEqual(self.ledger().state, "processed")

    def test_an_integrators_extra_cycle_fields_are_read_by_the_cron(self):
        # An integrator adds fields to the cycle's first read: one that is no column
        # (computed), one never prefetched, and one only for its own protocol (the
        # cron lists the inboxes by calling the hook on no inbox).
        model = type(self.env["mail.inbox"])
        original = model._get_cycle_fields
        seen = []

        def cycle_fields(inbox):
            names = [*original(inbox), "display_name", "debug_trace"]
            if inbox.protocol == "imap":
                names.append("title_pattern")
            seen.append(len(inbox))
            return names

        login, password = self.new_mailbox()
        other = self.create_inbox(login, password, sequence=self.inbox.sequence + 1)
        self.deliver(make_email(message_id="<i4-extra-0@client.example>"))
        self.deliver(make_email(message_id="<i4-extra-1@client.example>"), login=login)
        self.env.invalidate_all()
        with patch.object(model, "_get_cycle_fields", cycle_fields):
            self.env["mail.inbox"]._cron_fetch()
        self.assertIn(1, seen)
        for inbox in self.inbox | other:
            self.assertEqual(self.ledger(inbox).state, "processed")
            self.assertEqual(inbox.state, "ok", inbox.last_error)

    def test_an_inbox_added_during_a_run_is_polled_by_the_next_one(self):
        model = type(self.env["mail.inbox"])
        original = model._fetch
        added = self.env["mail.inbox"]

        def fetch(inbox, *args, **kwargs):
            nonlocal added
            if not added:  # an admin adds an inbox while the run polls the first
                login, password = self.new_mailbox()
                self.deliver(make_email(message_id="<i4-added@client.example>"), login=login)
                added = self.create_inbox(login, password, sequence=inbox.sequence + 1)
            return original(inbox, *args, **kwargs)

        with patch.object(model, "_fetch", fetch):
            self.env["mail.inbox"]._cron_fetch()
        self.assertTrue(added)
        self.assertFalse(self.ledger(added))
        self.env["mail.inbox"]._cron_fetch()
        self.assertEqual(self.ledger(added).state, "processed")
        self.assertEqual(added.state, "ok", added.last_error)
