# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What a cycle fetching one new message costs beyond Odoo's own gateway: the commands
sent to a real Dovecot, the commits and which of them wait for the disk, asserted on the
order in which the cycle sends them (never on elapsed time)."""

import imaplib
import re
from contextlib import contextmanager
from unittest.mock import patch

from odoo import modules as odoo_modules
from odoo.sql_db import Cursor
from odoo.tests import tagged

from .common import MailTicketCase, make_email

_WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)
# A cycle recording and processing one new message (a request with an attachment from a
# known caller): at most this many SQL statements, the ticket's and its chatter's
# included (60 before the cuts of issue 13's one-new work, 52 before the claim of the
# first message read what its download needs, 49 before the attempt took the email's
# lock, 48 before the processing's claim read the line, 47 before the fresh read of the
# synchronization state took the row lock and the processing's claim read the inbox's
# row, 41 before the release of the lease after the outcome read the inbox's row, 40
# before the post's alias domain was found without a search; bench/README.md compares
# the bench's cycle with Odoo's own gateway).
ONE_NEW_STATEMENTS = 39
_NOT_DURABLE = re.compile(
    r"^\s*SET\s+LOCAL\s+synchronous_commit\s+TO\s+off\b"
    r"|set_config\('synchronous_commit',\s*'off',\s*true\)",
    re.IGNORECASE,
)


@contextmanager
def cycle_events(env):
    """What is sent meanwhile, in order: ``("imap", command)`` (without its tag),
    ``("sql", statement)`` and ``("commit", None)``. Each commit empties the cache, as a
    real one does; the test's transaction itself is never committed."""
    events, send, execute = [], imaplib.IMAP4.send, Cursor.execute

    def imap_send(client, data):
        words = data.split(b" ")
        if len(words) > 1 and words[0].startswith(client.tagpre):
            events.append(("imap", b" ".join(words[1:]).decode().strip()))
        return send(client, data)

    def sql_execute(cursor, query, params=None, log_exceptions=True):
        events.append(("sql", str(getattr(query, "code", query))))
        return execute(cursor, query, params, log_exceptions)

    def commit():
        events.append(("commit", None))
        env.invalidate_all()

    with (
        patch.object(odoo_modules.module, "current_test", None),
        patch.object(env.cr, "commit", commit),
        patch.object(env.cr, "rollback", lambda: events.append(("rollback", None))),
        patch.object(imaplib.IMAP4, "send", imap_send),
        patch.object(Cursor, "execute", sql_execute),
    ):
        yield events


def transactions(events):
    """The statements of each committed transaction, in order."""
    done, current = [], []
    for kind, text in events:
        if kind == "sql":
            current.append(text)
        elif kind == "commit":
            done.append(current)
            current = []
    return done


def waits_for_the_disk(statements):
    """Whether the commit of a transaction of these statements waits for the WAL flush:
    it wrote (or locked a row) and did not turn ``synchronous_commit`` off."""
    wrote = any(
        _WRITE.match(s) or re.search(r"\bFOR\s+(NO\s+KEY\s+)?UPDATE\b", s) for s in statements
    )
    return wrote and not any(_NOT_DURABLE.search(s) for s in statements)


@tagged("post_install", "-at_install")
def _download_index(events):
    """Where, among a cycle's events, the message is downloaded (IMAP ``BODY.PEEK[]``)."""
    return next(
        index
        for index, (kind, text) in enumerate(events)
        if kind == "imap" and "BODY.PEEK[]" in text
    )


class TestOneNewMessageCost(MailTicketCase):
    def setUp(self):
        super().setUp()
        for number in range(3):
            self.deliver(make_email(subject=f"Request {number}"))
        # One with an attachment: what creating one reads of the registry's caches
        # (which the inbox's creation clears: our own addresses) is read before.
        self.deliver(make_email(subject="Request 3", attachments=[("b.txt", "text/plain", b"y")]))
        self.fetch()
        self.fetch()  # settles the keep-until-closed marks

    def cycle(self):
        """The events of a cycle, and its result."""
        self.env.flush_all()
        self.env.invalidate_all()
        with cycle_events(self.env) as events:
            result = self.fetch()
        self.assertNotIn(("rollback", None), events)
        return events, result

    def one_new_cycle(self):
        self.deliver(make_email(subject="The new one", attachments=[("a.txt", "text/plain", b"x")]))
        events, result = self.cycle()
        self.assertEqual((result["new"], result["processed"]), (1, 1))
        (line,) = self.ledger().filtered(lambda m: m.subject == "The new one")
        self.assertEqual((line.state, line.action, line.attempts), ("processed", "created", 1))
        ticket = line._get_ticket()
        self.assertEqual(ticket.message_partner_ids, ticket.partner_id)
        self.assertEqual(ticket.message_ids.attachment_ids.mapped("name"), ["a.txt"])
        self.assertEqual(self.inbox.sync_cursor["uidnext"], max(self.server_uids()) + 1)
        return events

    def test_one_new_message_costs_two_commands_beyond_the_session(self):
        # The new UIDs, their sizes, flags and header blocks (which the synchronization
        # reads to recognize the message) in one UID FETCH, then the message.
        events = self.one_new_cycle()
        commands = [text for kind, text in events if kind == "imap"]
        self.assertEqual(
            [c.split()[0] for c in commands], ["LOGIN", "SELECT", "UID", "UID", "LOGOUT"]
        )
        self.assertIn("BODY.PEEK[HEADER]", commands[2])
        self.assertIn("BODY.PEEK[]", commands[3])

    def test_one_new_message_waits_for_the_disk_twice(self):
        # Native Odoo's gateway waits for the disk once for the message and once for the
        # server's date. Ours: the attempt, committed before the message is parsed (a
        # parse that kills anything, the database included, is remembered), and the
        # outcome (before any server command acts on it). The line, the cursor, the
        # claim and the download's mark are committed together before the download,
        # without waiting for the disk: nothing outside the database acts on them
        # before the next durable commit, which the WAL's order makes durable too.
        events = self.one_new_cycle()
        durable = [t for t in transactions(events) if waits_for_the_disk(t)]
        self.assertEqual(len(durable), 2, "\n\n".join("\n".join(t) for t in durable))
        attempt, outcome = durable
        self.assertTrue([s for s in attempt if "attempts = LEAST" in s], attempt)
        self.assertTrue([s for s in outcome if s.startswith('INSERT INTO "helpdesk_mail_ticket"')])

    def test_the_line_its_claim_and_mark_are_committed_before_the_download(self):
        # What exactly-once relies on, whatever the commits cost: before the message is
        # downloaded, a commit holds its line (and the cursor past it) and its download
        # mark (a download that kills the worker is counted by the next cycle); the
        # attempt is committed after the download, before the parse.
        events = self.one_new_cycle()
        download = _download_index(events)
        before = transactions(events[:download])
        committed = [s for t in before for s in t]
        self.assertTrue([s for s in committed if s.startswith("INSERT INTO mail_inbox_message")])
        self.assertTrue([s for s in committed if "SET download_started = now()" in s])
        self.assertTrue(
            [s for s in committed if re.match(r'UPDATE "mail_inbox" SET "sync_cursor"', s)]
        )
        pending = [text for kind, text in events[:download] if kind == "sql"][len(committed) :]
        self.assertFalse([s for s in pending if _WRITE.match(s)], pending)
        after = transactions(events[download:])
        self.assertTrue([s for s in after[0] if "attempts = LEAST" in s], after[0])

    def test_the_download_reads_nothing_its_claim_did_not(self):
        # The claim of the first message (with the synchronization's commit) locks its
        # line, takes its lease, marks its download started and reads what the download
        # needs (handle, size, kept copy, last download's mark), and turns the commit's
        # wait for the disk off, in one statement: nothing is sent between that commit
        # and the download, and the transaction is its claim's savepoint and statement
        # beside the synchronization's.
        events = self.one_new_cycle()
        download = _download_index(events)
        sent = [text for kind, text in events[:download] if kind == "sql"]
        committed = [s for t in transactions(events[:download]) for s in t]
        self.assertEqual(sent[len(committed) :], [])
        claim = [s for s in committed if "WITH locked AS" in s]
        self.assertEqual(len(claim), 1, committed)
        self.assertIn("SET download_started = now()", claim[0])
        claimed = transactions(events[:download])[-1]
        after_insert = claimed[
            next(i for i, s in enumerate(claimed) if "INSERT INTO mail_inbox_message" in s) :
        ]
        self.assertFalse([s for s in after_insert if "synchronous_commit TO OFF" in s], claimed)
        self.assertFalse([s for s in after_insert if "download_started" in s and s not in claim])

    def test_the_attempt_takes_the_emails_lock(self):
        # The attempt's transaction, after the download: the attempt counted and the
        # email's lock taken by one statement (the lock after the row's update, as
        # before), then its commit (whose next snapshot sees what the lock's previous
        # holder committed).
        events = self.one_new_cycle()
        download = _download_index(events)
        (attempt, *_rest) = transactions(events[download:])
        self.assertEqual(len(attempt), 1, attempt)
        self.assertIn("attempts = LEAST", attempt[0])
        self.assertIn("pg_advisory_lock", attempt[0])

    def test_the_processing_reads_its_line_with_its_lock(self):
        # After the attempt's commit (which empties the cache), the statement locking
        # the line for its processing reads its columns too: the ORM sends no read of
        # the line of its own meanwhile.
        events = self.one_new_cycle()
        sent = [text for kind, text in events if kind == "sql"]
        (claim,) = [s for s in sent if "state = 'new' FOR UPDATE" in s and "WITH" not in s]
        self.assertIn('"subject"', claim)
        line_read = 'SELECT "mail_inbox_message"."id", "mail_inbox_message"."inbox_id"'
        self.assertEqual([s for s in sent if s.startswith(line_read)], [])

    def test_the_fresh_read_of_the_synchronization_state_takes_the_lock(self):
        # New mail since the cycle's first read (taken before it connected): the state
        # is read again on a fresh snapshot, by the transaction's first statement, which
        # locks the row too (SKIP LOCKED): no savepoint, lock or release of its own.
        events = self.one_new_cycle()
        download = _download_index(events)
        _first, bookkeeping = transactions(events[:download])
        self.assertIn("sync_cursor", bookkeeping[0])
        self.assertIn("FOR NO KEY UPDATE SKIP LOCKED", bookkeeping[0])
        sent = [text for kind, text in events if kind == "sql"]
        locks = [s for s in sent if "FOR NO KEY UPDATE" in s]
        self.assertEqual(locks, bookkeeping[:1], "\n".join(locks))
        before = [text for kind, text in events[:download] if kind == "sql"]
        releases = [s for s in before if s.startswith("RELEASE SAVEPOINT")]
        self.assertEqual(releases, [], "\n".join(before))

    def test_the_processing_reads_the_inbox_with_its_lines_lock(self):
        # After the attempt's commit (which empties the cache), the statement locking
        # the line reads the inbox's columns the processing reads (its routing
        # settings) too: the ORM reads the inbox's row no more in that transaction.
        events = self.one_new_cycle()
        (outcome,) = [
            t
            for t in transactions(events)
            if any(s.startswith('INSERT INTO "helpdesk_mail_ticket"') for s in t)
        ]
        inbox_reads = [s for s in outcome if s.startswith('SELECT "mail_inbox"."id"')]
        self.assertEqual(inbox_reads, [], "\n".join(inbox_reads))
        (claim,) = [s for s in outcome if "state = 'new' FOR UPDATE" in s]
        self.assertIn("mail_inbox", claim.split("FROM", 1)[1])

    def test_the_processing_reads_the_users_row_with_its_lines_lock(self):
        # Odoo's message_post reads the cycle's user (whether it is active, its
        # partner: the author not notified of its own post) after the attempt's commit
        # emptied the cache, the whole row of res_users with it: the statement locking
        # the line reads those two columns too, on the same snapshot.
        events = self.one_new_cycle()
        (outcome,) = [
            t
            for t in transactions(events)
            if any(s.startswith('INSERT INTO "helpdesk_mail_ticket"') for s in t)
        ]
        user_reads = [s for s in outcome if s.startswith('SELECT "res_users"."id", ')]
        self.assertEqual(user_reads, [], "\n".join(user_reads))
        (claim,) = [s for s in outcome if "state = 'new' FOR UPDATE" in s]
        self.assertIn("res_users", claim.split("FROM", 1)[1])

    def test_the_release_after_the_outcome_reads_the_inbox(self):
        # The outcome's commit empties the cache; the statement letting the lease and
        # the email's lock go right after it (the next transaction's first, so on the
        # snapshot any read of that transaction sees) reads the inbox's columns the
        # server actions' check reads too: the ORM reads the inbox's row no more.
        events = self.one_new_cycle()
        done = transactions(events)
        (outcome_at,) = [
            i
            for i, t in enumerate(done)
            if any(s.startswith('INSERT INTO "helpdesk_mail_ticket"') for s in t)
        ]
        after = [s for t in done[outcome_at + 1 :] for s in t]
        self.assertIn("pg_advisory_unlock", after[0])
        self.assertIn("mail_inbox", after[0].split("FROM", 1)[1])
        inbox_reads = [s for s in after if s.startswith('SELECT "mail_inbox"."id"')]
        self.assertEqual(inbox_reads, [], "\n".join(after))

    def test_the_post_finds_the_first_alias_domain_without_a_search(self):
        # The company has no alias domain: Odoo's message_post records the first one
        # (mail.alias.domain's order, none here) on the message, searched for each
        # lone message; read by the processing's claim, for its transaction only (an
        # id kept longer may be of a domain another worker deleted since:
        # tests/test_odoo_process_first_alias_domain.py).
        self.assertFalse(self.env.company.alias_domain_id)
        events = self.one_new_cycle()
        sent = [text for kind, text in events if kind == "sql"]
        searches = [s for s in sent if s.startswith('SELECT "mail_alias_domain"."id"')]
        self.assertEqual(searches, [], "\n".join(searches))

    def test_an_alias_domain_made_is_recorded_by_the_next_post(self):
        # The first alias domain read by the claim of each processing: one made since
        # is found.
        self.one_new_cycle()
        domain = self.env["mail.alias.domain"].create({"name": "later.example"})
        self.env.company.alias_domain_id = False  # Odoo gives it to the companies
        self.deliver(make_email(subject="After the domain"))
        self.fetch()
        (line,) = self.ledger().filtered(lambda m: m.subject == "After the domain")
        post = line._get_ticket().message_ids.filtered(lambda m: m.message_type == "email")
        self.assertEqual(post.record_alias_domain_id, domain)

    def test_one_new_message_costs_few_statements(self):
        events = self.one_new_cycle()
        statements = [text for kind, text in events if kind == "sql"]
        self.assertLessEqual(len(statements), ONE_NEW_STATEMENTS, "\n".join(statements))

    def test_the_message_is_processed_in_the_users_language(self):
        # Read with the synchronization's read of the ledger (no statement of its own):
        # still the user's, as Odoo's message_post would take it.
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env.user.partner_id.lang = "fr_FR"
        seen, process = [], type(self.ledger())._process_claimed

        def process_claimed(line, parsed, raw):
            seen.append(line.env.lang)
            return process(line, parsed, raw)

        with patch.object(type(self.ledger()), "_process_claimed", process_claimed):
            events = self.one_new_cycle()
        self.assertEqual(seen, ["fr_FR"])
        alone = [t for k, t in events if k == "sql" and t.startswith("SELECT partner.lang")]
        self.assertEqual(alone, [])

    def test_the_bookkeeping_releases_no_savepoint(self):
        # The synchronization's step and the claim each run in a savepoint (undone
        # alone when another worker has the row); one that succeeded is not released:
        # COMMIT keeps what it holds, a RELEASE would be one more round trip.
        events = self.one_new_cycle()
        download = _download_index(events)
        sent = [text for kind, text in events[:download] if kind == "sql"]
        steps = [s for s in sent if "INSERT INTO mail_inbox_message" in s or "WITH locked AS" in s]
        self.assertEqual(len(steps), 2, sent)
        # The synchronization's row lock (taken once, in a savepoint of its own) is the
        # one savepoint released.
        releases = [s for s in sent if s.startswith("RELEASE SAVEPOINT")]
        self.assertLessEqual(len(releases), 1, "\n".join(sent))
