# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The hand-on of replies left for later (issue 13) when the inbox was archived while
its jobs waited: an unattended run polls an archived inbox no more, its mail waits in
the mailbox and the ledger for it to be restored."""

from odoo.tests import tagged

from . import test_queue_job_inbox


@tagged("post_install", "-at_install")
class TestHandOnOfAnArchivedInbox(test_queue_job_inbox.TestQueueJobInbox):
    """Only the tests below (Odoo's loader runs no inherited test)."""

    def test_the_job_of_an_archived_inbox_hands_no_reply_on(self):
        """The reply is left for later; the administrator archives the inbox; the
        email's job, started before, ends: it hands the reply on to no new job (the
        cycles hand it on once the inbox is restored)."""
        _parent, reply, parent_job, reply_job = self._parent_and_reply_in_two_jobs()
        self.run_stored(reply_job)
        self.assertEqual((reply.state, reply.attempts), ("new", 0), "left for later")
        self.inbox.active = False
        self.run_stored(parent_job)
        self.assertFalse(
            self.stored_jobs(reply).filtered(lambda job: job.state == "pending"),
            "no new job for the mail of an archived inbox",
        )
        self.assertEqual(reply.state, "new", "it waits for the inbox to be restored")
        self.inbox.active = True
        self.assertEqual(self.fetch()["enqueued"], 1, "restored: the cycle hands it on")
        self.run_stored(self.pending_job(reply))
        self.assertEqual((reply.state, reply.action), ("processed", "updated"))
