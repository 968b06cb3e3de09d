# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What a cron run costs over idle inboxes beyond each inbox's own cycle: the cron is
what polls an inbox in production (every ``periodicity`` seconds), so its own
statements are paid by every idle cycle of a one-inbox installation."""

from odoo.tests import tagged

from .common import MailTicketCase, make_email
from .test_poll_cost import IDLE_STATEMENTS, age_ledger, imap_commands, sql_statements
from .test_pop3_idle import Pop3IdleCase

# Beyond the inbox's idle cycle (IDLE_STATEMENTS): the list of active inboxes with the
# connection settings the run reads before each inbox's own first read (one statement),
# the cron's record read for its next trigger, and that trigger's INSERT.
CRON_STATEMENTS = 3


@tagged("post_install", "-at_install")
class TestIdleCronCost(MailTicketCase):
    def setUp(self):
        super().setUp()
        self.env["mail.inbox"].search([("id", "!=", self.inbox.id)]).active = False
        for number in range(3):
            self.deliver(make_email(subject=f"Request {number}"))
        self.fetch()
        self.fetch()  # settles the keep-until-closed marks
        age_ledger(self.env, self.inbox)
        self.env["mail.inbox"]._cron_fetch()
        self.env.invalidate_all()

    def test_a_cron_run_over_an_idle_inbox_adds_three_statements_to_its_cycle(self):
        # The inboxes were listed, then their rows read whole (every prefetched
        # column) by the first field the run read: two statements where one is
        # enough. The cron record was looked up (exists) before the read of its
        # active flag that scheduling the next run makes anyway.
        with imap_commands() as commands, sql_statements() as statements:
            self.env["mail.inbox"]._cron_fetch()
        self.assertEqual(commands, ["LOGIN", "SELECT", "LOGOUT"])
        self.assertLessEqual(
            len(statements), IDLE_STATEMENTS + CRON_STATEMENTS, "\n---\n".join(statements)
        )

    def progress(self):
        """A progress record of the inbox cron, as Odoo's cron runner makes before
        each run, and a model whose context carries it as the runner's does."""
        cron = self.env.ref("helpdesk_mail_ticket.ir_cron_mail_inbox_fetch")
        cron, progress = cron._add_progress()
        return self.env["mail.inbox"].with_context(**cron.env.context), progress

    def test_an_idle_run_reports_no_progress_it_would_report_as_zero(self):
        # Odoo's runner creates the progress record with 0 done and 0 remaining and
        # reads those: an UPDATE writing 0 and 0 again was one more statement a run.
        inboxes, progress = self.progress()
        # The runner commits the record before the run: its values leave the cache.
        self.env.flush_all()
        self.env.invalidate_all()
        with sql_statements() as statements:
            inboxes._cron_fetch()
            self.env.flush_all()  # as the runner's commit after the run
        self.assertEqual([s for s in statements if "ir_cron_progress" in s], [])
        self.assertEqual((progress.done, progress.remaining), (0, 0))

    def test_a_run_that_processed_mail_still_reports_its_progress(self):
        self.deliver(make_email(subject="Request 4"))
        inboxes, progress = self.progress()
        inboxes._cron_fetch()
        self.assertEqual((progress.done, progress.remaining), (1, 0))

    def test_the_next_run_is_still_scheduled_after_the_periodicity(self):
        triggers = self.env["ir.cron.trigger"]
        cron = self.env.ref("helpdesk_mail_ticket.ir_cron_mail_inbox_fetch")
        before = triggers.search([("cron_id", "=", cron.id)])
        self.env["mail.inbox"]._cron_fetch()
        after = triggers.search([("cron_id", "=", cron.id)]) - before
        self.assertEqual(len(after), 1)


@tagged("post_install", "-at_install")
class TestIdleCronRunSeesTheAdmin(Pop3IdleCase):
    """A cron run polls its inboxes one after the other in one cursor: what an
    administrator committed before an inbox's cycle began is what that cycle obeys,
    whatever cycle came before it in the run (real commits, real Dovecot). Guards the
    snapshot each cycle starts on (see bench/README.md, cycle5: tried, not merged)."""

    def test_an_inbox_archived_after_an_idle_inbox_of_the_run_is_passed_over(self):
        env, _login, first = self._committed_inbox(port=self.dovecot.imap_port, protocol="imap")
        _other, _login2, second = self._committed_inbox(
            port=self.dovecot.imap_port, protocol="imap"
        )
        second = second.with_env(env)
        for inbox in (first, second):
            self.cycle(inbox)
            self.cycle(inbox)
        env.cr.commit()
        env.invalidate_all()
        # As _cron_fetch polls them: in one cursor, its runner committing after the run.
        run = env["mail.inbox"].with_context(mail_inbox_active_only=True)
        self.assertEqual(self.cycle(run.browse(first.id))["new"], 0)
        # The administrator archives the second inbox once the first one's cycle ended.
        admin = self._real_env()
        admin["mail.inbox"].browse(second.id).active = False
        admin.cr.commit()
        result = self.cycle(run.browse(second.id))
        self.assertTrue(result.get("archived"), result)
