# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What the speed relies on: incremental synchronization, IDLE with its polling fallback,
parallel workers splitting one inbox, and a keep-until-closed check that only looks at
what changed."""

import threading
import time
from unittest.mock import patch

from odoo.modules import module as odoo_module
from odoo.tests import tagged

from .. import mailsource
from ..mailharness.dovecot import Dovecot
from ..models import mail_inbox, mail_inbox_fetch
from ..transaction import LEASE_NS
from .common import MailTicketCase, make_email
from .test_mail_subtype import MIGRATIONS, run_migration


@tagged("post_install", "-at_install")
class TestIncrementalSync(MailTicketCase):
    def test_unchanged_mailbox_is_not_listed(self):
        for number in range(3):
            self.deliver(make_email(subject=f"Request {number}"))
        self.fetch()
        self.assertEqual(self.inbox.sync_cursor["messages"], 3)
        listing = patch.object(
            mailsource.ImapSource, "list_messages", side_effect=AssertionError("full listing")
        )
        with (
            listing,
            patch.object(
                mailsource.ImapSource, "list_since", wraps=None, side_effect=AssertionError("since")
            ),
        ):
            self.assertEqual(self.fetch()["new"], 0, "nothing changed: one STATUS, no listing")
        self.deliver(make_email(subject="Request 3"))
        since = mailsource.ImapSource.list_since
        with (
            listing,
            patch.object(
                mailsource.ImapSource, "list_since", autospec=True, side_effect=since
            ) as list_since,
        ):
            result = self.fetch()
        self.assertEqual(result["new"], 1)
        self.assertEqual(result["processed"], 1)
        # Listed from the stored UIDNEXT on: only the new UID.
        self.assertEqual(list_since.call_args.args[2], 3)

    def test_mail_removed_by_another_client_is_seen(self):
        for number in range(2):
            self.deliver(make_email(subject=f"Request {number}"))
        self.fetch()
        first = self.server_uids()[0]
        with self.dovecot.imap(self.mailbox_login, "INBOX") as client:
            client.uid("STORE", str(first), "+FLAGS.SILENT", "(\\Deleted)")
            client.expunge()
        self.fetch()
        gone = self.ledger().filtered(lambda m: not m.on_server)
        self.assertEqual(gone.mapped("uid"), [f"{self.inbox.sync_cursor['uidvalidity']}:{first}"])

    def test_uidvalidity_change_resumes_without_reimport(self):
        for number in range(2):
            self.deliver(make_email(subject=f"Request {number}", message_id=f"<uv-{number}@c.x>"))
        self.fetch()
        before = self.ledger()
        tickets = self.env["helpdesk.mail.ticket"].search([("mail_inbox_id", "=", self.inbox.id)])
        old_validity = self.inbox.sync_cursor["uidvalidity"]
        new_validity = self.dovecot.reset_uidvalidity(self.mailbox_login)
        self.deliver(make_email(subject="After the migration", message_id="<uv-new@c.x>"))
        result = self.fetch()
        self.assertNotEqual(str(new_validity), old_validity)
        self.assertEqual(self.inbox.sync_cursor["uidvalidity"], str(new_validity))
        self.assertEqual(result["new"], 1, "the two known messages are recognized")
        self.assertEqual(result["processed"], 1)
        after = self.ledger()
        self.assertEqual(len(after), 3, "one line per message, history kept")
        self.assertEqual(after & before, before, "the known lines are kept, rekeyed")
        self.assertTrue(all(m.uid.startswith(f"{new_validity}:") for m in after))
        self.assertTrue(all(after.mapped("on_server")))
        self.assertNotIn("duplicate", after.mapped("action"))
        new_tickets = self.env["helpdesk.mail.ticket"].search(
            [("mail_inbox_id", "=", self.inbox.id)]
        )
        self.assertEqual(len(new_tickets - tickets), 1, "only the new mail made a ticket")
        # Keep-until-closed still acts on the rekeyed lines.
        tickets[0].stage_id = self.env.ref("helpdesk_mail_ticket.stage_closed")
        self.fetch()
        self.assertEqual(len(self.server_uids()), 2)


@tagged("post_install", "-at_install")
class TestKeepUntilClosed(MailTicketCase):
    def test_only_the_newly_closed_are_removed(self):
        for number in range(4):
            self.deliver(make_email(subject=f"Request {number}", message_id=f"<k-{number}@c.x>"))
        self.fetch()
        ledger = self.ledger().sorted("id")
        self.assertEqual(len(self.server_uids()), 4)
        closed = self.env.ref("helpdesk_mail_ticket.stage_closed")
        ledger[1]._get_ticket().stage_id = closed
        ledger[2]._get_ticket().stage_id = closed
        self.fetch()
        self.assertEqual(ledger.mapped("on_server"), [True, False, False, True])
        self.assertEqual(len(self.server_uids()), 2)
        # The next cycles find nothing more to remove.
        with patch.object(mailsource.ImapSource, "delete", side_effect=AssertionError) as delete:
            self.fetch()
        delete.assert_not_called()

    def test_check_reads_recent_changes_only(self):
        for number in range(3):
            self.deliver(make_email(subject=f"Request {number}", message_id=f"<r-{number}@c.x>"))
        self.fetch()
        ledger = self.ledger().sorted("id")
        # Age everything: a later check must not look at these lines or tickets again.
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE mail_inbox_message SET write_date = write_date - interval '1 day' "
            "WHERE inbox_id = %s",
            [self.inbox.id],
        )
        self.env.cr.execute(
            "UPDATE helpdesk_mail_ticket SET write_date = write_date - interval '1 day' "
            "WHERE mail_inbox_id = %s",
            [self.inbox.id],
        )
        self.env.invalidate_all()
        ledger_model = self.env["mail.inbox.message"]
        self.assertFalse(self.inbox._kept_messages_to_remove())
        checked = []
        original = type(ledger_model)._ids_of_closed_tickets

        def spy(model, rows):
            checked.extend(rows)
            return original(model, rows)

        ticket = ledger[0]._get_ticket()
        ticket.stage_id = self.env.ref("helpdesk_mail_ticket.stage_closed")
        self.env.flush_all()
        with patch.object(type(ledger_model), "_ids_of_closed_tickets", spy):
            found = self.inbox._kept_messages_to_remove()
        self.assertEqual(found, ledger[0])
        self.assertEqual([row[0] for row in checked], [ledger[0].id], "one line looked at")
        # A deleted ticket is seen by the next cycle too.
        ledger[2]._get_ticket().unlink()
        self.fetch()
        self.assertEqual(ledger.mapped("on_server"), [False, True, False])


@tagged("post_install", "-at_install")
class TestIdle(MailTicketCase):
    def test_idle_wakes_up_on_new_mail(self):
        self.inbox.use_idle = True
        self.fetch()
        timer = threading.Timer(0.5, self.deliver, [make_email(subject="Urgent")])
        started = time.monotonic()
        timer.start()
        try:
            woke = self.inbox._wait_for_mail(20)
        finally:
            timer.join()
        self.assertTrue(woke)
        self.assertLess(time.monotonic() - started, 10)
        self.assertEqual(self.fetch()["processed"], 1)

    def test_mail_arrived_before_the_wait_is_not_missed(self):
        self.inbox.use_idle = True
        self.fetch()
        self.deliver(make_email(subject="Arrived between fetch and IDLE"))
        started = time.monotonic()
        self.assertTrue(self.inbox._wait_for_mail(20))
        self.assertLess(time.monotonic() - started, 5)

    def test_without_idle_the_loop_polls(self):
        server = Dovecot(imap_capability="IMAP4rev1 LITERAL+ ENABLE UIDPLUS")
        server.start()
        self.addCleanup(server.stop)
        login, password = "noidle@helpdesk.example", "secret-noidle"
        server.add_user(login, password)
        inbox = self.env["mail.inbox"].create(
            {
                "name": "no idle",
                "server": server.host,
                "port": server.imap_port,
                "protocol": "imap",
                "security": "none",
                "login": login,
                "password": password,
                "use_idle": True,
            }
        )
        server.append(login, make_email(subject="Polled"))
        with patch.object(mail_inbox_fetch, "IDLE_FALLBACK_POLL", 0.2):
            started = time.monotonic()
            self.assertFalse(inbox._wait_for_mail(30), "no IDLE: a short sleep, then poll")
            self.assertLess(time.monotonic() - started, 5)
            inbox._run_idle_loop(max_seconds=0.5)
        ledger = self.env["mail.inbox.message"].search([("inbox_id", "=", inbox.id)])
        self.assertEqual(ledger.state, "processed")


@tagged("post_install", "-at_install")
class TestParallelWorkers(MailTicketCase):
    """Two workers (two database connections, as two cron workers) on one inbox."""

    def _committed_inbox(self, mails):
        """An inbox committed on a connection of its own, on a mailbox of its own
        holding ``mails``, synchronized: its ledger lists them."""
        inbox = self.committed_inbox(mails, "parallel")
        with inbox._open_source() as source:
            inbox._sync_mailbox(source)
        inbox.env.cr.commit()
        return inbox

    def test_two_workers_split_the_inbox_without_duplicates(self):
        count = 6
        inbox = self._committed_inbox(
            make_email(subject=f"Parallel {number}", message_id=f"<p-{number}@c.x>")
            for number in range(count)
        )
        worker_a, worker_b = self._real_env(), self._real_env()
        inbox_a = worker_a["mail.inbox"].browse(inbox.id)
        inbox_b = worker_b["mail.inbox"].browse(inbox.id)
        lines_a = worker_a["mail.inbox.message"].search([("inbox_id", "=", inbox.id)], order="id")
        lines_b = worker_b["mail.inbox.message"].search([("inbox_id", "=", inbox.id)], order="id")
        self.assertEqual(len(lines_a), count)
        settings = inbox_a._get_parse_settings()
        with inbox_a._open_source() as source_a, inbox_b._open_source() as source_b:
            # A holds the first message (its transaction is open), B takes all it can,
            # then A goes on: each message is processed by exactly one of them.
            done_a = [lines_a[0]._process(source_a, settings)]
            done_b = [line._process(source_b, settings) for line in lines_b]
            done_a += [line._process(source_a, settings) for line in lines_a[1:]]
            worker_a.cr.commit()
            worker_b.cr.commit()
        self.assertEqual(done_a, ["processed"] + [None] * (count - 1))
        self.assertEqual(done_b, [None] + ["processed"] * (count - 1))
        check = self._real_env()
        lines = check["mail.inbox.message"].search([("inbox_id", "=", inbox.id)])
        self.assertEqual(set(lines.mapped("state")), {"processed"})
        self.assertEqual(set(lines.mapped("action")), {"created"})
        tickets = check["helpdesk.mail.ticket"].search([("mail_inbox_id", "=", inbox.id)])
        self.assertEqual(len(tickets), count, "one ticket per email, none twice")
        self.assertEqual(len(set(tickets.mapped("name"))), count)

    def test_a_message_the_other_worker_holds_is_not_claimed_ahead(self):
        """A message's outcome is committed with the claim of the batch's next message
        (``_commit_outcome``): that claim never waits. When worker B holds the next
        message, worker A leaves it to B and goes on with the one after; no lease of
        A's outlives its batch."""
        inbox = self._committed_inbox(
            make_email(subject=f"Ahead {number}", message_id=f"<ahead-{number}@c.x>")
            for number in range(3)
        )
        worker_a, worker_b = self._real_env(), self._real_env()
        inbox_a = worker_a["mail.inbox"].browse(inbox.id)
        lines_a = worker_a["mail.inbox.message"].search([("inbox_id", "=", inbox.id)], order="id")
        held = lines_a[1].id
        worker_b.cr.execute("SELECT pg_advisory_lock(%s, %s)", [LEASE_NS, held])
        with patch.object(odoo_module, "current_test", None):
            with inbox_a._open_source() as source:
                counts = inbox_a._process_messages(source, lines_a)
            worker_a.cr.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                "AND classid = %s::oid AND pid = pg_backend_pid()",
                [LEASE_NS],
            )
            self.assertEqual(worker_a.cr.fetchone()[0], 0, "no lease of A's is left")
            worker_a.cr.commit()
        self.assertEqual(counts["processed"], 2)
        check = self._real_env()
        lines = check["mail.inbox.message"].search([("inbox_id", "=", inbox.id)], order="id")
        self.assertEqual(lines.mapped("state"), ["processed", "new", "processed"])
        self.assertEqual(lines[1].attempts, 0, "B's message untouched by A")
        worker_b.cr.execute("SELECT pg_advisory_unlock(%s, %s)", [LEASE_NS, held])

    def _older_message_in_flight(self, mails):
        """Worker A holds the lease of the first of ``mails`` (as a worker does before
        processing it) and processes it a second later; worker B meanwhile processes the
        second one. Returns the inbox, what each ``_process`` returned, B's trace."""
        inbox = self._committed_inbox(mails)
        worker_a, worker_b = self._real_env(), self._real_env()
        first, second = worker_a["mail.inbox.message"].search(
            [("inbox_id", "=", inbox.id)], order="id"
        )
        trace = mail_inbox.InboxTrace("parallel")
        second_b = worker_b["mail.inbox.message"].with_context(mail_inbox_trace=trace)
        second_b = second_b.browse(second.id)
        settings = worker_a["mail.inbox"].browse(inbox.id)._get_parse_settings()
        worker_a.cr.execute("SELECT pg_advisory_lock(%s, %s)", [LEASE_NS, first.id])
        done = {}

        def worker_a_processes_the_first():
            time.sleep(1)  # B is waiting by then
            try:
                with first.inbox_id._open_source() as source:
                    done["a"] = first._process(source, settings)
            finally:
                worker_a.cr.execute("SELECT pg_advisory_unlock(%s, %s)", [LEASE_NS, first.id])

        # Real commits on both connections (outside of the test's own transaction).
        with patch.object(odoo_module, "current_test", None):
            thread = threading.Thread(target=worker_a_processes_the_first)
            thread.start()
            with second_b.inbox_id._open_source() as source:
                done["b"] = second_b._process(source, settings)
            thread.join(30)
        return inbox, done, trace

    def test_a_reply_waits_for_its_email_in_flight_on_another_worker(self):
        """Worker A is processing an email when worker B takes the reply to it: B
        waits for A to be done, and the reply updates the ticket A made."""
        inbox, done, trace = self._older_message_in_flight(
            [
                make_email(subject="Original", message_id="<orig@c.x>"),
                make_email(
                    subject="Re: Original",
                    message_id="<reply@c.x>",
                    headers={"In-Reply-To": "<orig@c.x>"},
                ),
            ]
        )
        self.assertEqual(done, {"a": "processed", "b": "processed"})
        check = self._real_env()
        lines = check["mail.inbox.message"].search([("inbox_id", "=", inbox.id)], order="id")
        self.assertEqual(lines.mapped("action"), ["created", "updated"])
        self.assertEqual(lines[0].ticket_id, lines[1].ticket_id, "the reply is on its ticket")
        self.assertTrue(any("waits for message" in line for line in trace), trace)

    def test_the_same_reply_twice_on_two_workers_does_not_deadlock(self):
        """The same reply is in the inbox twice. Worker B, with the second copy, waits
        for the first copy that worker A holds (it may be what the reply answers); A
        then takes the email's lock. B must not hold that lock while it waits."""
        reply = make_email(
            subject="Re: Printer",
            message_id="<twice@c.x>",
            headers={"In-Reply-To": "<never-seen@c.x>"},
        )
        inbox, done, trace = self._older_message_in_flight([reply, reply])
        self.assertEqual(done, {"a": "processed", "b": "processed"})
        self.assertTrue(any("waits for message" in line for line in trace), trace)
        check = self._real_env()
        lines = check["mail.inbox.message"].search([("inbox_id", "=", inbox.id)], order="id")
        self.assertEqual(lines.mapped("action"), ["created", "duplicate"])
        self.assertEqual(lines[0].ticket_id, lines[1].ticket_id, "one ticket for the email")

    def test_a_leased_message_waits_for_a_moment_lock_on_its_row(self):
        """Another worker whose claim the lease refused holds the row for a moment, just
        when the worker with the lease locks it to process: that worker waits, then
        processes the message, instead of leaving it new (a reply to it would then see
        no lease and make a ticket of its own)."""
        inbox = self._committed_inbox([make_email(subject="Leased", message_id="<leased@c.x>")])
        worker = self._real_env()
        line = worker["mail.inbox.message"].search([("inbox_id", "=", inbox.id)])
        settings = worker["mail.inbox"].browse(inbox.id)._get_parse_settings()
        other = self._real_env()
        held, released = threading.Event(), []

        def another_worker_holds_the_row():
            other.cr.execute(
                "SELECT id FROM mail_inbox_message WHERE id = %s FOR UPDATE", [line.id]
            )
            held.set()
            time.sleep(1)
            released.append(time.monotonic())
            other.cr.rollback()

        claim = type(line)._claim

        def claim_while_held(record):
            thread = threading.Thread(target=another_worker_holds_the_row)
            thread.start()
            held.wait(10)
            try:
                return claim(record)
            finally:
                thread.join(10)

        with (
            patch.object(odoo_module, "current_test", None),
            patch.object(type(line), "_claim", claim_while_held),
            line.inbox_id._open_source() as source,
        ):
            state = line._process(source, settings)
            done = time.monotonic()
        self.assertEqual(state, "processed")
        self.assertTrue(released and done >= released[0], "it waited for the other lock")
        check = self._real_env()["mail.inbox.message"].browse(line.id)
        self.assertEqual((check.state, check.action), ("processed", "created"))

    def test_an_inbox_updated_meanwhile_does_not_fail_the_ticket(self):
        """Another worker stores the inbox's state while this one processes a message
        (both poll the inbox): the ticket, which refers to the inbox, is still made."""
        inbox = self._committed_inbox([make_email(subject="Busy", message_id="<busy@c.x>")])
        worker, other = self._real_env(), self._real_env()
        line = worker["mail.inbox.message"].search([("inbox_id", "=", inbox.id)])
        settings = worker["mail.inbox"].browse(inbox.id)._get_parse_settings()
        process_claimed = type(line)._process_claimed

        def another_worker_updates_the_inbox_first(record, parsed, raw):
            cursor = {"uidvalidity": "1", "uidnext": 99, "messages": 98}
            other["mail.inbox"].browse(inbox.id)._store_sync_cursor(cursor)
            other.cr.commit()
            return process_claimed(record, parsed, raw)

        with (
            patch.object(odoo_module, "current_test", None),
            patch.object(type(line), "_process_claimed", another_worker_updates_the_inbox_first),
            line.inbox_id._open_source() as source,
        ):
            state = line._process(source, settings)
        self.assertEqual(state, "processed")
        check = self._real_env()["mail.inbox.message"].browse(line.id)
        self.assertEqual((check.action, check.attempts), ("created", 1))

    def test_a_state_stored_meanwhile_by_another_worker_is_kept_quietly(self):
        """Another worker stores the inbox's folder state after this worker's snapshot
        was taken: this worker leaves it (the next cycle checks), and the conflict does
        not show in the log as a failed query."""
        inbox = self._committed_inbox([])
        worker, other = self._real_env(), self._real_env()
        inbox_w = worker["mail.inbox"].browse(inbox.id)
        cursor = {"uidvalidity": "1", "uidnext": 41, "messages": 40}
        self.assertNotEqual((inbox_w.sync_cursor or {}).get("uidnext"), 41)  # the snapshot
        other["mail.inbox"].browse(inbox.id)._store_sync_cursor(dict(cursor, uidnext=42))
        other.cr.commit()
        with self.assertNoLogs("odoo.sql_db", level="ERROR"):
            inbox_w._store_sync_cursor(cursor)
            inbox_w._record_status(None)
        worker.cr.commit()
        check = self._real_env()["mail.inbox"].browse(inbox.id)
        self.assertEqual(check.sync_cursor["uidnext"], 42, "the other worker's state is kept")


@tagged("post_install", "-at_install")
class TestSyncCursorMigration(MailTicketCase):
    """Up to 18.0.1.1.0 the IMAP folder state was four columns of the inbox; it is now
    the source's opaque cursor. An updated database keeps its state (no full listing of
    every mailbox after the update) and loses the columns."""

    def test_imap_columns_become_the_cursor(self):
        cr = self.env.cr
        cr.execute(
            "ALTER TABLE mail_inbox ADD COLUMN imap_uidvalidity varchar, "
            "ADD COLUMN imap_uidnext integer, ADD COLUMN imap_message_count integer, "
            "ADD COLUMN imap_highestmodseq varchar"
        )
        never_synced = self.inbox.copy({"name": "never synced", "login": "other@x.example"})
        cr.execute(
            "UPDATE mail_inbox SET imap_uidvalidity = '1700', imap_uidnext = 12, "
            "imap_message_count = 9, imap_highestmodseq = '77', sync_cursor = NULL "
            "WHERE id = %s",
            [self.inbox.id],
        )
        run_migration(self.env, MIGRATIONS, "18.0.1.2.0", installed="18.0.1.1.0")
        self.env.invalidate_all()
        self.assertEqual(
            self.inbox.sync_cursor, {"uidvalidity": "1700", "uidnext": 12, "messages": 9}
        )
        self.assertFalse(never_synced.sync_cursor)
        cr.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = 'mail_inbox' AND column_name LIKE 'imap\\_%%'"
        )
        self.assertFalse([row[0] for row in cr.fetchall() if row[0] != "imap_options"])
        # The inbox syncs on from that state: nothing changed on the server since.
        self.deliver(make_email(subject="After the update"))
        self.assertEqual(self.fetch()["new"], 1)
