# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Several new messages in one transaction: what a batch commits, and how it falls back
to one message at a time when one fails.

A test cannot commit; here each commit of the cycle is played by a savepoint of the
test's transaction (released and taken again: what follows is undone by a rollback,
as after a real commit), after the flush and the deferred checks a real commit makes.
After each, the lines of the inbox are compared with the previous commit's: what one
transaction committed together."""

from unittest.mock import patch

from odoo import modules as odoo_modules
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..models.mail_inbox_message import MAX_ATTEMPTS
from ..transaction import email_lock_key, release_session_locks_held, try_session_locks
from .common import MailTicketCase, fail_a_commit_once, make_email
from .test_poll_cost import sql_statements

SAVEPOINT = "hmt_test_commit"


@tagged("post_install", "-at_install")
class TestBatch(MailTicketCase):
    def lines(self):
        self.env.cr.execute(
            "SELECT id, state, attempts FROM mail_inbox_message WHERE inbox_id = %s",
            [self.inbox.id],
        )
        return {row[0]: row[1:] for row in self.env.cr.fetchall()}

    def cycle_transactions(self):
        """Fetch once; returns the result and, for each commit made, the lines it
        changed ({id: (state, attempts)}), and the number of rollbacks."""
        cr = self.env.cr
        committed, rollbacks = [], []
        before = self.lines()

        def commit():
            cr.flush()
            # As COMMIT does; its failure is the cycle's to log.
            cr.execute("SET CONSTRAINTS ALL IMMEDIATE", log_exceptions=False)
            cr.execute("SET CONSTRAINTS ALL DEFERRED")
            cr.execute(f"RELEASE SAVEPOINT {SAVEPOINT}; SAVEPOINT {SAVEPOINT}")
            cr.clear()
            now = self.lines()
            committed.append({k: v for k, v in now.items() if before.get(k) != v})
            before.clear()
            before.update(now)

        def rollback():
            cr.clear()
            cr.execute(f"ROLLBACK TO SAVEPOINT {SAVEPOINT}")
            rollbacks.append(1)

        cr.execute(f"SAVEPOINT {SAVEPOINT}")
        with (
            patch.object(odoo_modules.module, "current_test", None),
            patch.object(cr, "commit", commit),
            patch.object(cr, "rollback", rollback),
        ):
            result = self.fetch()
        return result, committed, len(rollbacks)

    def deliver_many(self, count, prefix="Clean"):
        for number in range(count):
            self.deliver(make_email(subject=f"{prefix} {number}"))

    def tickets(self):
        return self.env["helpdesk.mail.ticket"].search([]).mapped("name")

    def test_clean_messages_cost_a_constant_number_of_commits(self):
        self.fetch()
        self.deliver_many(3, "Three")
        three, few, _ = self.cycle_transactions()
        self.deliver_many(9, "Nine")
        nine, many, _ = self.cycle_transactions()
        self.assertEqual((three["processed"], nine["processed"]), (3, 9))
        self.assertEqual(len(many), len(few), f"{len(few)} commits for 3, {len(many)} for 9")
        self.assertEqual(sorted(self.tickets()), sorted(
            [f"Three {n}" for n in range(3)] + [f"Nine {n}" for n in range(9)]
        ))  # fmt: skip

    def test_a_batch_locks_its_emails_and_counts_its_attempts_in_one_statement_each(self):
        # The email locks of a batch are tried, and its attempts counted, by a
        # statement each for the whole batch, not one a message.
        self.fetch()
        counts = []
        for number in (3, 9):
            self.deliver_many(number, f"Counted {number}")
            with sql_statements() as statements:
                self.assertEqual(self.fetch()["processed"], number)
            counts.append(
                (
                    len([s for s in statements if "pg_try_advisory_lock" in s]),
                    len([s for s in statements if "SET attempts = LEAST" in s]),
                )
            )
        self.assertEqual(counts[0], counts[1], f"(locks, attempts) for 3 and 9: {counts}")
        self.assertEqual(len(self.env["mail.inbox.message"].search(
            [("inbox_id", "=", self.inbox.id), ("attempts", "=", 1)])), 12)  # fmt: skip

    def test_email_locks_left_by_a_failed_statement_are_found_and_given_back(self):
        # A batch's email locks are taken by one statement; one failing part way may
        # hold some: those held (any bigint key, negative ones too) are given back.
        keys = [email_lock_key(f"<held-{n}@client.example>") for n in range(6)] + [-1, 2**40 + 7]
        held = try_session_locks(self.env, keys[::2])
        self.assertEqual(held, set(keys[::2]))
        release_session_locks_held(self.env, keys)  # some held, some not
        self.env.cr.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
            "AND pid = pg_backend_pid() AND objsubid = 1"
        )
        self.assertEqual(self.env.cr.fetchone()[0], 0)

    def test_a_message_failing_in_a_batch_leaves_the_others_processed_once(self):
        ticket_class = type(self.env["helpdesk.mail.ticket"])
        original = ticket_class._mail_ticket_prepare_create_vals

        def hook(model, email_vals):
            # An integrator's override that fails on one email.
            if email_vals["title"] == "POISON":
                raise ZeroDivisionError("integrator hook broke on this one")
            return original(model, email_vals)

        self.fetch()
        self.deliver_many(3, "Three")
        _result, clean, _ = self.cycle_transactions()
        self.deliver_many(2, "Before")
        self.deliver(make_email(subject="POISON", message_id="<poison@client.example>"))
        self.deliver_many(2, "After")
        with (
            patch.object(ticket_class, "_mail_ticket_prepare_create_vals", hook),
            self.assertLogs("odoo.addons.helpdesk_mail_ticket", "WARNING"),
        ):
            first, committed, rollbacks = self.cycle_transactions()
            for _cycle in range(MAX_ATTEMPTS):
                self.cycle_transactions()
        self.assertEqual(first["processed"], 4)
        # Its failure was undone by its savepoint: the batch committed as a clean one.
        self.assertEqual((len(committed), rollbacks), (len(clean), 0))
        poison = self.ledger().filtered(lambda m: m.message_id == "poison@client.example")
        self.assertEqual((poison.state, poison.attempts), ("error", MAX_ATTEMPTS))
        self.assertIn("integrator hook broke on this one", poison.reason)
        self.assertEqual(sorted(self.tickets()), sorted(
            [f"Three {n}" for n in range(3)] + [f"Before {n}" for n in range(2)]
            + [f"After {n}" for n in range(2)]
        ))  # fmt: skip

    def fail_first_commit_of_an_outcome(self):
        """A real failure of PostgreSQL at the first commit carrying an outcome (a
        deferred check, raising a serialization failure), once."""
        fail_a_commit_once(self.env.cr, "NEW.state = 'processed'")

    def test_a_batch_whose_commit_fails_is_processed_one_at_a_time(self):
        self.fetch()
        self.deliver_many(5, "Refused")
        self.fail_first_commit_of_an_outcome()
        with self.assertLogs("odoo.addons.helpdesk_mail_ticket", "WARNING"):
            result, committed, rollbacks = self.cycle_transactions()
        self.assertEqual(result["processed"], 5, "all of them in the same cycle")
        self.assertGreaterEqual(rollbacks, 1)
        self.assertEqual(sorted(self.tickets()), [f"Refused {n}" for n in range(5)])
        # The failed batch's attempt was given back: each counts its own attempt only.
        self.assertEqual(set(self.ledger().mapped("attempts")), {1})
        self.assertEqual(set(self.ledger().mapped("state")), {"processed"})
        # Then one at a time: each outcome committed alone.
        outcomes = [
            [k for k, (state, _a) in changed.items() if state == "processed"]
            for changed in committed
        ]
        self.assertEqual(sorted(len(ids) for ids in outcomes if ids), [1] * 5)

    def test_a_batch_whose_attempts_cannot_be_counted_goes_one_at_a_time(self):
        """Another worker's synchronization may change a line of the batch while it is
        downloaded (the message moved away in a mail client): counting the attempts
        then fails on the batch's snapshot. The batch goes one at a time in the same
        cycle, as a failed batch does; the cycle does not fail, and no download that
        did not die is counted against a message."""
        self.fetch()
        self.deliver_many(5, "Conflict")
        self.env.cr.execute(
            """CREATE SEQUENCE hmt_test_count_fails_once;
               CREATE FUNCTION hmt_test_count_fails_once() RETURNS trigger AS $$
               BEGIN
                   IF nextval('hmt_test_count_fails_once') = 1 THEN
                       RAISE EXCEPTION 'concurrent update' USING ERRCODE = '40001';
                   END IF;
                   RETURN NEW;
               END $$ LANGUAGE plpgsql;
               CREATE TRIGGER hmt_test_count_fails_once BEFORE UPDATE ON mail_inbox_message
                   FOR EACH ROW WHEN (COALESCE(NEW.attempts, 0) > COALESCE(OLD.attempts, 0))
                   EXECUTE FUNCTION hmt_test_count_fails_once()"""
        )
        # The refused UPDATE is logged by Odoo's cursor as a bad query.
        with (
            mute_logger("odoo.sql_db"),
            self.assertLogs("odoo.addons.helpdesk_mail_ticket", "WARNING"),
        ):
            result, _committed, rollbacks = self.cycle_transactions()
        self.assertEqual(result["processed"], 5, "all of them in the same cycle")
        self.assertGreaterEqual(rollbacks, 1)
        self.assertEqual(sorted(self.tickets()), [f"Conflict {n}" for n in range(5)])
        self.assertEqual(set(self.ledger().mapped("attempts")), {1})
        self.assertEqual(set(self.ledger().mapped("connection_failures")), {0})

    def test_a_message_with_history_is_processed_alone(self):
        self.fetch()
        self.deliver_many(2, "Clean")
        self.deliver(make_email(subject="Died once"))
        self.deliver_many(2, "Late")
        with self.inbox._open_source() as source:
            self.inbox._sync_with_server(source.list_messages())
        died = self.ledger().sorted("id")[2]
        # Its last attempt died with its worker.
        self.env.cr.execute("UPDATE mail_inbox_message SET attempts = 1 WHERE id = %s", [died.id])
        died.invalidate_recordset()
        result, committed, _ = self.cycle_transactions()
        self.assertEqual(result["processed"], 5)
        self.assertEqual((died.state, died.attempts), ("processed", 2))
        # Its attempt and its outcome are committed with no other line's.
        own = [changed for changed in committed if died.id in changed]
        self.assertEqual([list(changed) for changed in own], [[died.id]] * len(own))
        self.assertEqual(len(own), 2, own)
        # The others were batched: their outcomes committed together.
        self.assertTrue(any(len(changed) >= 2 for changed in committed), committed)

    def test_a_batch_holds_a_bounded_size_of_mail(self):
        """A batch holds every message's bytes until its outcome is committed: big
        mail is not batched beyond BATCH_BYTES, so twenty attachments of 25 MB are
        never in memory at once; each is still processed once."""
        self.fetch()
        data = bytes(range(256)) * (3 * 2**20 // 256)  # 3 MiB, 4 MiB once in base64
        for number in range(4):
            self.deliver(
                make_email(
                    subject=f"Big {number}",
                    attachments=[(f"dump{number}.bin", "application/octet-stream", data)],
                )
            )
        result, committed, _ = self.cycle_transactions()
        self.assertEqual(result["processed"], 4)
        done_together = max(
            sum(1 for state, _attempts in changed.values() if state == "processed")
            for changed in committed
        )
        self.assertLessEqual(done_together, 2, "at most 8 MiB of mail in one batch")
        self.assertEqual(sorted(self.tickets()), [f"Big {n}" for n in range(4)])
