# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The hand-on of replies left for later (issue 13) when the reason was written in
another language than the one of the worker that counts the reply's next attempt: an
administrator's language (``Fetch now``) and the cron user's may differ."""

from odoo.tests import tagged

from . import test_queue_job_inbox


@tagged("post_install", "-at_install")
class TestHandOnInAnotherLanguage(test_queue_job_inbox.TestQueueJobInbox):
    """Only the tests below (Odoo's loader runs no inherited test)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.env["ir.module.module"].search(
            [("name", "=", "helpdesk_mail_ticket")]
        )._update_translations(["fr_FR"], overwrite=True)

    def test_a_reply_left_in_french_then_counted_in_english_no_longer_waits(self):
        """The reply is left for later by a job run in French; its next attempt is
        counted by a worker in English (the cron user's language), which then dies
        before its outcome. Counted, the reply is no longer left for later
        (``_count_attempts``): its French reason must not stay, read as waiting by the
        email's job, which would hand the reply on ahead of the cycles (a reply that
        kills its worker, job after job), nor end in the reason it is set aside with."""
        parent, reply, parent_job, reply_job = self._parent_and_reply_in_two_jobs()
        partner = self.env.user.partner_id
        partner.lang = "fr_FR"
        self.run_stored(reply_job)
        self.assertEqual((reply.state, reply.attempts), ("new", 0), "left for later")
        self.assertIn("Laissé au prochain cycle", reply.reason)
        partner.lang = "en_US"
        # The English worker's attempt, counted and committed before it died.
        reply.with_context(lang="en_US")._count_attempts([None])
        self.assertEqual((reply.state, reply.attempts), ("new", 1))
        self.assertFalse(reply.reason, "counted: no longer left for later")
        self.run_stored(parent_job)
        self.assertEqual((parent.state, parent.action), ("processed", "created"))
        self.assertFalse(
            self.stored_jobs(reply).filtered(lambda job: job.state == "pending"),
            "a reply whose attempt was counted is not handed on: the cycles retry it",
        )
