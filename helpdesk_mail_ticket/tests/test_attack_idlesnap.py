# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Attacks on the idle cycle that goes on with the snapshot of its first read, taken
before it connects (issue 13): what another worker or a user commits meanwhile must
neither fail the cycle nor be lost. Real commits, as TestPop3IdleCycle."""

from unittest.mock import patch

from odoo.tests import tagged

from . import test_pop3_idle
from .common import MailTicketCase


@tagged("post_install", "-at_install")
class TestAttackIdleSnapshot(MailTicketCase):
    # The committing helpers of the idle POP3 tests, not their tests.
    _committed_inbox = test_pop3_idle.TestPop3IdleCycle._committed_inbox
    _drop_inbox = test_pop3_idle.TestPop3IdleCycle._drop_inbox
    set_done = staticmethod(test_pop3_idle.TestPop3IdleCycle.set_done)
    lines = staticmethod(test_pop3_idle.TestPop3IdleCycle.lines)
    cycle = test_pop3_idle.TestPop3IdleCycle.cycle

    def _traced_inbox(self, protocol):
        """A committed, idle inbox of ``protocol`` with its debug trace on, polled once
        (its cursor stored, its last poll a success)."""
        port = self.dovecot.imap_port if protocol == "imap" else None
        env, _login, inbox = self._committed_inbox(count=2, port=port, protocol=protocol)
        env.cr.execute("UPDATE mail_inbox SET trace = true WHERE id = %s", [inbox.id])
        env.cr.commit()
        inbox.invalidate_recordset()
        self.cycle(inbox)
        self.cycle(inbox)  # the listing compared and remembered (POP3): an idle mailbox
        return env, inbox

    def _during_connection(self, inbox, action):
        """A cycle of ``inbox`` during whose connection ``action`` runs (once)."""
        inbox_class, done = type(inbox), []
        original = inbox_class._open_source

        def open_source(record, *args, **kwargs):
            if not done:
                done.append(True)
                action()
            return original(record, *args, **kwargs)

        # The inbox polled a moment ago, as a worker polling it often finds it.
        other = self._real_env()
        other.cr.execute(
            "UPDATE mail_inbox SET last_run_date = now() AT TIME ZONE 'UTC', state = 'ok', "
            "failure_count = 0 WHERE id = %s",
            [inbox.id],
        )
        other.cr.commit()
        inbox.invalidate_recordset()
        with patch.object(inbox_class, "_open_source", open_source):
            result = self.cycle(inbox)
        self.assertEqual(done, [True])
        return result

    def _trace_written_meanwhile(self, protocol):
        # Another worker polling the same inbox ends its cycle meanwhile: with the trace
        # on, it writes the inbox's trace (a user saving the form writes the row too).
        _env, inbox = self._traced_inbox(protocol)
        other = self._real_env()

        def other_worker_saves_its_trace():
            other.cr.execute(
                "UPDATE mail_inbox SET debug_trace = coalesce(debug_trace, '') || %s WHERE id = %s",
                ["other worker's cycle\n", inbox.id],
            )
            other.cr.commit()

        self._during_connection(inbox, other_worker_saves_its_trace)
        check = self._real_env()
        check.cr.execute("SELECT state, debug_trace FROM mail_inbox WHERE id = %s", [inbox.id])
        state, text = check.cr.fetchone()
        self.assertEqual(state, "ok")
        self.assertIn("other worker's cycle", text, "the other worker's trace was overwritten")
        self.assertIn("Cycle ended", text.split("other worker's cycle", 1)[1])

    def test_imap_trace_written_by_another_worker_during_the_connection(self):
        """An idle IMAP cycle went on with the snapshot of its first read, taken before
        it connected, up to its last commit: the trace it writes there met the other
        worker's commit of the row, a serialization failure that failed the whole
        cycle (the cron records it as the inbox's failure, and warns the admins at the
        third): debugging an inbox polled by two workers put it in error."""
        self._trace_written_meanwhile("imap")

    def test_pop3_trace_written_by_another_worker_during_the_connection(self):
        """The same for POP3, whose idle cycle has run on its first snapshot since the
        listing skip (before this branch too)."""
        self._trace_written_meanwhile("pop3")
