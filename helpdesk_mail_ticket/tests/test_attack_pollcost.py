# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Attacks on the cheaper idle cycle (issue 13): each step of a cycle stays an
overridable method that every cycle calls, idle or not."""

from unittest.mock import patch

from odoo.tests import tagged

from . import test_pop3_idle
from .common import MailTicketCase, make_email


@tagged("post_install", "-at_install")
class TestAttackPollCostOverrides(MailTicketCase):
    """Overrides an integrator writes against the server actions' steps."""

    def setUp(self):
        super().setUp()
        self.inbox.email_storage = "delete"

    def test_an_override_of_the_candidates_is_called_by_an_idle_cycle_too(self):
        """An integrator's override of ``_server_action_candidates`` (a legal hold:
        nothing leaves the server) was obeyed by the cycle that processed the mail,
        then skipped by the next, idle, cycle: the mail was deleted from the server."""
        inbox_class = type(self.env["mail.inbox"])
        calls = []

        def legal_hold(inbox):
            calls.append(inbox.id)
            return inbox.env["mail.inbox.message"]

        self.deliver(make_email(message_id="<hold-1@client.example>"))
        with patch.object(inbox_class, "_server_action_candidates", legal_hold):
            self.fetch()
            self.assertEqual(self.ledger().state, "processed")
            self.assertEqual(len(self.server_uids()), 1)
            self.assertEqual(self.fetch()["new"], 0)  # idle
        self.assertEqual(len(self.server_uids()), 1, "the held mail left the server")
        self.assertTrue(self.ledger().on_server)
        self.assertEqual(calls, [self.inbox.id, self.inbox.id])

    def test_an_override_of_the_server_actions_with_their_former_signature_polls(self):
        """An override of ``_apply_server_actions(self, source)`` (say, logging what
        leaves the server), written against the method's signature before issue 13: the
        cycle now passed it ``candidates=``, a TypeError at every cycle, after the
        processing: processed mail never left the server, the inbox in error."""
        inbox_class = type(self.env["mail.inbox"])
        original = inbox_class._apply_server_actions

        def apply_server_actions(inbox, source):  # the override's signature
            return original(inbox, source)

        self.deliver(make_email(message_id="<signature-1@client.example>"))
        with patch.object(inbox_class, "_apply_server_actions", apply_server_actions):
            self.fetch()
            self.assertEqual(self.fetch()["new"], 0)  # idle
        self.assertEqual(self.ledger().state, "processed")
        self.assertEqual(self.server_uids(), [])


class CommittedImapCycle:
    """The committing helpers of the idle POP3 tests, not their tests (a subclass, or
    the class bound to a name of this module, would run them again), and a committed
    IMAP inbox, synchronized, with one new message (``new_message_id``) delivered."""

    _committed_inbox = test_pop3_idle.TestPop3IdleCycle._committed_inbox
    _drop_inbox = test_pop3_idle.TestPop3IdleCycle._drop_inbox
    set_done = staticmethod(test_pop3_idle.TestPop3IdleCycle.set_done)
    lines = staticmethod(test_pop3_idle.TestPop3IdleCycle.lines)
    cycle = test_pop3_idle.TestPop3IdleCycle.cycle
    new_message_id = "<race-new@client.example>"

    def _imap_inbox(self):
        env, login, inbox = self._committed_inbox(
            count=2, port=self.dovecot.imap_port, protocol="imap"
        )
        self.cycle(inbox)
        self.deliver(make_email(message_id=self.new_message_id), login=login)
        return env, inbox


@tagged("post_install", "-at_install")
class TestAttackUnlockedRead(CommittedImapCycle, MailTicketCase):
    """The synchronization state read first without a lock (before the cycle connects),
    the row locked only once the mailbox shows a change, by the read of the state
    again on a fresh snapshot: another worker's commit between the two reads (its own
    synchronization, or a mere write of the row) leaves the mail to a cycle that sees
    it, never recorded twice nor lost. Real commits, as TestPop3IdleCycle."""

    def _between_read_and_lock(self, inbox, action):
        """A cycle of ``inbox`` during which ``action`` runs (once) after its first read
        and right before the state is read again to take the synchronization lock;
        returns the cycle's counts."""
        inbox_class = type(inbox)
        original, done = inbox_class._read_sync_state, []

        def read_sync_state(record):
            first = record.env.context.get("mail_inbox_first_state")
            if not done and first is None:
                done.append(True)
                action()
            return original(record)

        with patch.object(inbox_class, "_read_sync_state", read_sync_state):
            counts = self.cycle(inbox)
        self.assertEqual(done, [True])
        return counts

    def _race_lines(self, env, inbox):
        lines = self.lines(env, inbox)
        self.assertEqual(len(lines), 3, lines)
        self.assertEqual(len({uid for uid, _on in lines}), 3, lines)
        return lines

    def test_another_worker_synchronizing_meanwhile_records_the_mail_once(self):
        env, inbox = self._imap_inbox()
        other = self._real_env()["mail.inbox"].browse(inbox.id)
        counts = self._between_read_and_lock(inbox, lambda: self.cycle(other))
        self.assertEqual(counts["new"], 0, "left to the worker that synchronized")
        self._race_lines(env, inbox)
        self.assertEqual(self.cycle(inbox)["new"], 0)
        self._race_lines(env, inbox)

    def test_a_write_of_the_row_meanwhile_is_seen_by_the_locking_read(self):
        # A user saving the form, another worker recording its status, committed before
        # the read that locks the row (its snapshot taken there): no conflict, the mail
        # recorded by this cycle, once.
        env, inbox = self._imap_inbox()
        other = self._real_env()

        def write_row():
            other.cr.execute(
                "UPDATE mail_inbox SET last_run_date = now() AT TIME ZONE 'UTC' WHERE id = %s",
                [inbox.id],
            )
            other.cr.commit()

        self.assertEqual(self._between_read_and_lock(inbox, write_row)["new"], 1)
        self.assertEqual(self.cycle(inbox)["new"], 0)
        self._race_lines(env, inbox)
