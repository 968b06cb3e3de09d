# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Attack of the first claim: the commit that ends the synchronization claims the
cycle's first message (row lock and lease) and marks its download started, when that
message goes alone. Whatever happens to that claim (another worker holds the message,
the commit fails, the connection dies during the download, no budget is left), no
lease outlives the cycle, no mark is left without a download, and every message is
processed once."""

from unittest.mock import patch

from odoo import modules as odoo_modules
from odoo.modules import module as odoo_module
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..mailharness.proxy import FaultProxy
from ..models.mail_inbox_message import MAX_ATTEMPTS
from ..transaction import LEASE_NS
from . import test_sync
from .common import MailTicketCase, fail_a_commit_once, make_email

SAVEPOINT = "hmt_attack_commit"


def leases_held(cr):
    """How many message leases the session of ``cr`` holds."""
    cr.execute(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
        "AND classid = %s::oid AND objsubid = 2 AND pid = pg_backend_pid()",
        [LEASE_NS],
    )
    return cr.fetchone()[0]


@tagged("post_install", "-at_install")
class TestAttackFirstClaim(MailTicketCase):
    def play_commits(self):
        """Within the block, each commit of the cycle is a savepoint released and
        taken again (after the checks a COMMIT makes), each rollback goes back to it:
        the cycle's transactions as in production, inside the test's."""
        cr = self.env.cr

        def commit():
            cr.flush()
            cr.execute("SET CONSTRAINTS ALL IMMEDIATE", log_exceptions=False)
            cr.execute("SET CONSTRAINTS ALL DEFERRED")
            cr.execute(f"RELEASE SAVEPOINT {SAVEPOINT}; SAVEPOINT {SAVEPOINT}")
            cr.clear()

        def rollback():
            cr.clear()
            cr.execute(f"ROLLBACK TO SAVEPOINT {SAVEPOINT}")

        cr.execute(f"SAVEPOINT {SAVEPOINT}")
        return (
            patch.object(odoo_modules.module, "current_test", None),
            patch.object(cr, "commit", commit),
            patch.object(cr, "rollback", rollback),
        )

    def test_the_claiming_commit_fails(self):
        """The commit ending the synchronization fails (a deferred check): the cycle
        fails, the first message's lease is given back and its mark undone (on IMAP
        with its line and the cursor, recorded in that same commit: the next cycle
        lists the message again); the next cycle processes it once."""
        self.fetch()
        self.deliver(make_email(subject="Commit refused"))
        fail_a_commit_once(
            self.env.cr, "NEW.download_started IS NOT NULL AND OLD.download_started IS NULL"
        )
        first, second, third = self.play_commits()
        with first, second, third:
            # The lease's release first meets the failed transaction (``_unlock``): the
            # cursor logs it as a bad query, then it is released after the rollback.
            with (
                mute_logger("odoo.sql_db"),
                self.assertLogs("odoo.addons.helpdesk_mail_ticket", "WARNING"),
            ):
                result = self.inbox._fetch()
            self.assertTrue(result.get("failure"), result)
            self.assertEqual(leases_held(self.env.cr), 0, "no lease outlives the cycle")
            self.env.invalidate_all()
            if self.protocol == "imap":
                # The line was recorded in that commit, with the cursor.
                self.assertFalse(self.ledger(), "the line was undone with its commit")
                self.assertLessEqual(
                    self.inbox.sync_cursor["uidnext"],
                    max(self.server_uids()),
                    "the cursor was undone with the line: the message is listed again",
                )
            else:  # POP3 keeps no cursor: its synchronization commits the line itself
                line = self.ledger()
                self.assertEqual((line.state, line.attempts), ("new", 0))
                self.assertFalse(line.download_started, "the mark was undone with its commit")
            self.assertEqual(self.fetch()["processed"], 1)
            line = self.ledger()
        line.invalidate_recordset()
        self.assertEqual((line.state, line.attempts, line.connection_failures), ("processed", 1, 0))
        self.assertEqual(
            self.env["helpdesk.mail.ticket"].search([]).mapped("name"), ["Commit refused"]
        )

    def test_no_budget_left_claims_nothing(self):
        """A spent budget (limit 0) synchronizes only: nothing claimed nor marked."""
        self.deliver(make_email(subject="Waits"))
        result = self.inbox._fetch(limit=0)
        self.assertEqual((result["new"], result["processed"], result["remaining"]), (1, 0, 1))
        self.assertEqual(leases_held(self.env.cr), 0)
        line = self.ledger()
        self.assertEqual((line.state, line.attempts, line.download_started), ("new", 0, False))
        self.assertEqual(self.fetch()["processed"], 1)

    def test_a_budget_of_one_takes_the_first_only(self):
        for number in range(3):
            self.deliver(make_email(subject=f"One by one {number}"))
        for cycle in range(3):
            result = self.inbox._fetch(limit=1)
            self.assertEqual((result["processed"], result["remaining"]), (1, 2 - cycle))
            self.assertEqual(leases_held(self.env.cr), 0)
            waiting = self.ledger().filtered(lambda m: m.state == "new")
            self.assertFalse(waiting.filtered("download_started"), "no mark on the others")
            self.assertEqual(set(waiting.mapped("attempts")), {0} if waiting else set())
        self.assertEqual(set(self.ledger().mapped("attempts")), {1})

    def test_a_first_message_with_history_then_clean_ones(self):
        """The first message has an attempt (its worker died): alone, claimed by the
        synchronization's commit; the rest batched; each processed once."""
        for number in range(3):
            self.deliver(make_email(subject=f"History {number}"))
        with self.inbox._open_source() as source:
            self.inbox._sync_mailbox(source)
        died = self.ledger().sorted("id")[0]
        self.env.cr.execute("UPDATE mail_inbox_message SET attempts = 1 WHERE id = %s", [died.id])
        died.invalidate_recordset()
        self.assertEqual(self.fetch()["processed"], 3)
        self.assertEqual((died.state, died.attempts), ("processed", 2))
        self.assertEqual(leases_held(self.env.cr), 0)


@tagged("post_install", "-at_install")
class TestAttackFirstClaimPop3(TestAttackFirstClaim):
    """The same on POP3 (no cursor: no synchronization lock), where the proxy cannot
    reset a download (the connection-death case is IMAP's only)."""

    protocol = "pop3"
    allow_inherited_tests_method = True


@tagged("post_install", "-at_install")
class TestAttackFirstClaimConnectionDeath(MailTicketCase):
    """IMAP only: the proxy resets a download there."""

    def test_a_lone_message_whose_download_kills_the_connection(self):
        """One message alone (claimed by the synchronization's commit at every cycle):
        each death of its download is counted against it, once, and no lease is left;
        at MAX_ATTEMPTS deaths in a row it is set aside, and never downloaded again."""
        uid = self.deliver(make_email(subject="Killer", message_id="<killer@client.example>"))
        proxy = FaultProxy(self.dovecot.imap_port, "imap", reset_uids=[uid]).start()
        self.addCleanup(proxy.stop)
        self.inbox.port = proxy.port
        for cycle in range(1, MAX_ATTEMPTS + 1):
            with self.assertLogs("odoo.addons.helpdesk_mail_ticket.models.mail_inbox", "WARNING"):
                result = self.inbox._fetch()
            self.assertTrue(result.get("failure"), result)
            self.assertIn(f"{cycle} of {MAX_ATTEMPTS}", self.inbox.last_error)
            self.assertEqual(leases_held(self.env.cr), 0, f"cycle {cycle}")
            line = self.ledger()
            self.assertEqual((line.state, line.attempts), ("new", 0))
            self.assertEqual(line.connection_failures, cycle - 1)
            self.assertTrue(line.download_started)
        self.fetch()
        self.assertEqual(line.state, "error")
        self.assertEqual(len(proxy.failed), MAX_ATTEMPTS, "not downloaded again")
        self.assertEqual(leases_held(self.env.cr), 0)


@tagged("post_install", "-at_install")
class TestAttackFirstClaimWorkers(test_sync.TestParallelWorkers):
    """Two workers (two connections, real commits) on one inbox (the parallel workers'
    committed inbox; their tests are not run again here)."""

    def _committed_inbox_with_history(self, count):
        inbox = self._committed_inbox(
            [make_email(subject=f"Worker {n}", message_id=f"<fcw-{n}@c.x>") for n in range(count)]
        )
        # The first message has history (its worker died): it goes alone, claimed by
        # the commit that ends the synchronization.
        setup = self._real_env()
        setup.cr.execute(
            "UPDATE mail_inbox_message SET attempts = 1 WHERE id = "
            "(SELECT min(id) FROM mail_inbox_message WHERE inbox_id = %s)",
            [inbox.id],
        )
        setup.cr.commit()
        return inbox

    def _cycle_while_the_other_holds_the_first(self, hold):
        """Worker A runs a whole cycle while worker B holds the first message (``hold``
        runs on B's cursor). Returns the lines as a third connection sees them."""
        inbox = self._committed_inbox_with_history(3)
        worker_a, worker_b = self._real_env(), self._real_env()
        lines = worker_b["mail.inbox.message"].search([("inbox_id", "=", inbox.id)], order="id")
        first = lines[0]
        hold(worker_b.cr, first.id)
        with patch.object(odoo_module, "current_test", None):
            result = worker_a["mail.inbox"].browse(inbox.id)._fetch()
            self.assertEqual(leases_held(worker_a.cr), 0, "no lease of A's is left")
        worker_b.cr.rollback()
        worker_b.cr.execute("SELECT pg_advisory_unlock_all()")
        self.assertFalse(result.get("failure"), result)
        self.assertEqual(result["processed"], 2, result)
        check = self._real_env()
        return check["mail.inbox.message"].search([("inbox_id", "=", inbox.id)], order="id")

    def _assert_first_untouched(self, lines):
        self.assertEqual(lines.mapped("state"), ["new", "processed", "processed"])
        self.assertEqual(lines[0].attempts, 1, "B's message untouched by A")
        self.assertFalse(lines[0].download_started, "no mark without a download")
        self.assertEqual(lines[0].connection_failures, 0)

    def test_the_other_worker_holds_the_first_messages_lease(self):
        def hold(cr, line_id):
            cr.execute("SELECT pg_advisory_lock(%s, %s)", [LEASE_NS, line_id])

        self._assert_first_untouched(self._cycle_while_the_other_holds_the_first(hold))

    def test_the_other_worker_holds_the_first_messages_row(self):
        def hold(cr, line_id):
            cr.execute("SELECT id FROM mail_inbox_message WHERE id = %s FOR UPDATE", [line_id])

        self._assert_first_untouched(self._cycle_while_the_other_holds_the_first(hold))
