# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What a poll costs when nothing changed, and what a big mail is held as: the commands
sent to a real Dovecot, the statements sent to the database, the bytes parsed."""

import imaplib
import os
import re
import socket
from contextlib import contextmanager
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo import modules as odoo_modules
from odoo.sql_db import Cursor
from odoo.tests import tagged

from .. import mailsource
from ..mailparse import loader
from ..models import mail_inbox_fetch
from .common import MailTicketCase, make_email

_WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)
# An idle IMAP cycle: at most this many commits and SQL statements. One transaction:
# the first read (connection settings, stored cursor, what the rest of the cycle reads
# of the row) and the lines left new with the server actions' candidates, on one
# snapshot; psycopg2 sends BEGIN and COMMIT, 4 round trips to PostgreSQL in all.
IDLE_COMMITS = 1
IDLE_STATEMENTS = 2
# A cycle recording one new message: at most this many reads of the inbox's row.
ROW_READS_ONE_NEW = 11
_READ = re.compile(r"^\s*(SELECT|WITH)\b", re.IGNORECASE)


@contextmanager
def imap_commands():
    """The IMAP commands sent meanwhile (their names only)."""
    sent, original = [], imaplib.IMAP4.send

    def send(client, data):
        words = data.split(b" ")
        if len(words) > 1 and words[0].startswith(client.tagpre):
            sent.append(words[1].strip().decode())
        return original(client, data)

    with patch.object(imaplib.IMAP4, "send", send):
        yield sent


@contextmanager
def sql_statements():
    """The SQL statements sent meanwhile."""
    sent, original = [], Cursor.execute

    def execute(cursor, query, params=None, log_exceptions=True):
        sent.append(str(getattr(query, "code", query)))
        return original(cursor, query, params, log_exceptions)

    with patch.object(Cursor, "execute", execute):
        yield sent


@contextmanager
def connections_and_statements():
    """In order: ("connect", port) for every TCP connection a socket starts, ("close",
    port) for every one closed, ("sql", statement) for every statement, ("imap", command)
    for every IMAP command sent."""
    events = []
    connect, connect_ex = socket.socket.connect, socket.socket.connect_ex
    close = socket.socket.close
    execute, send = Cursor.execute, imaplib.IMAP4.send

    def port(address):
        return address[1] if isinstance(address, tuple) else address

    def on_connect(sock, address):
        events.append(("connect", port(address)))
        return connect(sock, address)

    def on_connect_ex(sock, address):
        events.append(("connect", port(address)))
        return connect_ex(sock, address)

    def on_close(sock):
        if sock.fileno() != -1 and sock.type == socket.SOCK_STREAM:
            try:
                events.append(("close", sock.getpeername()[1]))
            except OSError:
                events.append(("close", None))
        return close(sock)

    def on_execute(cursor, query, params=None, log_exceptions=True):
        events.append(("sql", str(getattr(query, "code", query))))
        return execute(cursor, query, params, log_exceptions)

    def on_send(client, data):
        words = data.split(b" ")
        if len(words) > 1 and words[0].startswith(client.tagpre):
            events.append(("imap", words[1].strip().decode()))
        return send(client, data)

    with (
        patch.object(socket.socket, "connect", on_connect),
        patch.object(socket.socket, "connect_ex", on_connect_ex),
        patch.object(socket.socket, "close", on_close),
        patch.object(Cursor, "execute", on_execute),
        patch.object(imaplib.IMAP4, "send", on_send),
    ):
        yield events


@contextmanager
def ledger_rows_read():
    """(rows returned, statement) of every SELECT on the ledger table sent meanwhile."""
    read, original = [], Cursor.execute

    def execute(cursor, query, params=None, log_exceptions=True):
        result = original(cursor, query, params, log_exceptions)
        text = str(getattr(query, "code", query))
        if _READ.match(text) and "mail_inbox_message" in text:
            read.append((cursor.rowcount, " ".join(text.split())[:300]))
        return result

    with patch.object(Cursor, "execute", execute):
        yield read


def age_ledger(env, inbox):
    """The kept lines and their tickets as a mailbox keeping them for a day has them
    (written long before the keep-until-closed re-check margin)."""
    env.flush_all()
    env.cr.execute(
        "UPDATE mail_inbox_message SET write_date = write_date - interval '1 day' "
        "WHERE inbox_id = %s",
        [inbox.id],
    )
    env.cr.execute(
        "UPDATE helpdesk_mail_ticket SET write_date = write_date - interval '1 day' "
        "WHERE mail_inbox_id = %s",
        [inbox.id],
    )
    env.invalidate_all()


@tagged("post_install", "-at_install")
class TestPollCost(MailTicketCase):
    def setUp(self):
        super().setUp()
        for number in range(3):
            self.deliver(make_email(subject=f"Request {number}"))
        self.fetch()
        self.fetch()  # settles the keep-until-closed marks

    def test_unchanged_mailbox_costs_three_commands_and_no_write(self):
        with imap_commands() as commands, sql_statements() as statements:
            result = self.fetch()
        self.assertEqual(result["new"], 0)
        self.assertEqual(commands, ["LOGIN", "SELECT", "LOGOUT"])
        self.assertEqual([s for s in statements if _WRITE.match(s)], [])
        self.assertFalse(
            [s for s in statements if "state" in s and "'error'" in s and "COUNT" in s],
            "no count of the messages in error when none was added",
        )

    def test_unchanged_mailbox_costs_one_commit_and_two_statements(self):
        # What an idle cycle costs besides the protocol exchange: one transaction. The
        # stored cursor read before connecting is the one to compare with: mail or a
        # worker's change since then shows in SELECT's answer, and only then is the
        # state read again on a fresh snapshot (before any lock or write). The commit
        # ends the cycle; no command beyond those opening and closing the folder (no
        # ENABLE).
        # Each commit empties the cache, as a real one does (what the cycle needs of
        # the inbox is read again after it); the cycle starts on an empty cache.
        made = []

        def commit():
            made.append("commit")
            self.env.invalidate_all()

        age_ledger(self.env, self.inbox)
        with (
            patch.object(odoo_modules.module, "current_test", None),
            patch.object(self.env.cr, "commit", commit),
            patch.object(self.env.cr, "rollback", lambda: made.append("rollback")),
            imap_commands() as commands,
            sql_statements() as statements,
        ):
            result = self.fetch()
        self.assertEqual(result["new"], 0)
        self.assertEqual(made.count("rollback"), 0)
        self.assertLessEqual(made.count("commit"), IDLE_COMMITS, made)
        self.assertLessEqual(len(statements), IDLE_STATEMENTS, "\n".join(statements))
        self.assertEqual(commands, ["LOGIN", "SELECT", "LOGOUT"])
        # What it reads of the inbox is what it uses: not every column, OAuth2 tokens
        # and client secrets of a password inbox among them.
        self.assertEqual(
            [s for s in statements if re.search(r"refresh_token|client_secret", s)], []
        )

    def test_a_cycle_connects_while_it_reads_the_inbox(self):
        # The server's greeting waits for its login process to start (several ms on
        # Dovecot): a cycle of an inbox this process polled before opens the TCP
        # connection to the endpoint that cycle used before its first statement, and
        # the greeting comes while the database answers. Nothing is sent on it before
        # the settings read then name the same endpoint: one connection, LOGIN after
        # the first read.
        with connections_and_statements() as events:
            self.assertEqual(self.fetch()["new"], 0)
        kinds = [kind for kind, _value in events]
        self.assertEqual(kinds.count("connect"), 1, events)
        self.assertEqual(events[kinds.index("connect")], ("connect", self.inbox.port), events)
        self.assertLess(kinds.index("connect"), kinds.index("sql"), events)
        self.assertLess(kinds.index("sql"), events.index(("imap", "LOGIN")), events)
        self.assertEqual(
            [value for kind, value in events if kind == "imap"], ["LOGIN", "SELECT", "LOGOUT"]
        )

    def test_a_connection_opened_early_to_an_old_endpoint_is_closed_unused(self):
        # The settings changed since the inbox's last cycle (here, its port: nothing
        # listens there): the connection opened early to the old endpoint is closed
        # with nothing sent on it, and the cycle connects where the settings read now
        # say, and fails there.
        old = self.inbox.port
        with socket.socket() as probe:
            probe.bind((self.dovecot.host, 0))
            closed_port = probe.getsockname()[1]
        self.inbox.port = closed_port
        self.env.flush_all()
        with connections_and_statements() as events:
            result = self.inbox._fetch()
        self.assertIn("refused", result.get("failure") or "", result)
        connects = [value for kind, value in events if kind == "connect"]
        self.assertEqual(connects, [old, closed_port], events)
        self.assertIn(("close", old), events)
        self.assertEqual([value for kind, value in events if kind == "imap"], [])

    def test_cycles_failing_before_they_connect_start_one_connection_at_most(self):
        # Every cycle fails before it connects (here an OAuth2 inbox whose settings
        # miss its refresh token; a lost authorization, settings the source refuses):
        # the connection started early is closed unused, which the server logs as a
        # connection without login ("no auth attempts") and fail2ban's dovecot filter
        # (aggressive mode) bans the address for, every inbox of this Odoo with it.
        # One such connection, not one per cycle: the next cycles start none.
        self.inbox.write({"auth_method": "oauth2", "oauth2_provider": "token_endpoint"})
        self.env.flush_all()
        with connections_and_statements() as events:
            for _cycle in range(3):
                self.assertIn("OAuth2", self.inbox._fetch().get("failure") or "")
        connects = [value for kind, value in events if kind == "connect"]
        self.assertEqual(connects, [self.inbox.port], events)
        self.assertEqual([value for kind, value in events if kind == "imap"], [])
        # Connected again, the next cycle starts its connection early again.
        self.inbox.write({"auth_method": "password"})
        self.fetch()
        with connections_and_statements() as events:
            self.fetch()
        kinds = [kind for kind, _value in events]
        self.assertLess(kinds.index("connect"), kinds.index("sql"), events)

    def test_a_server_name_that_does_not_resolve_is_looked_up_once_a_cycle(self):
        # The inbox's server name does not resolve (a typo, a name removed, the
        # resolver down): every cycle fails after one lookup, not one for a connection
        # started early and one more for the connection (a resolver that times out
        # would hold the cycle, and the cron run's next inboxes, twice as long).
        lookups, lookup = [], socket.getaddrinfo

        def counted(host, *args, **kwargs):
            lookups.append(host)
            return lookup(host, *args, **kwargs)

        old = self.inbox.server
        self.inbox.server = "mail.invalid"
        self.env.flush_all()
        with patch.object(socket, "getaddrinfo", counted):
            for _cycle in range(3):
                self.assertIn("unknown", self.inbox._fetch().get("failure") or "")
        self.assertEqual(lookups, [old] + ["mail.invalid"] * 3)
        # The name resolved when the last cycle connected, and no more now.
        self.env.registry.hmt_inbox_endpoints[self.inbox.id] = ("mail.invalid", self.inbox.port)
        lookups.clear()
        with patch.object(socket, "getaddrinfo", counted):
            for _cycle in range(2):
                self.assertIn("unknown", self.inbox._fetch().get("failure") or "")
        self.assertEqual(lookups, ["mail.invalid"] * 3)

    def test_an_override_of_the_sync_state_read_is_obeyed_by_every_cycle(self):
        # The idle cycle answers from its first read, but through _read_sync_state,
        # which an integrator may override: asked once an idle cycle, once more only
        # when the mailbox changed, and its answer obeyed (False: the inbox is gone,
        # nothing synchronized).
        inbox_class, calls = type(self.inbox), []
        original = inbox_class._read_sync_state

        def read_sync_state(record):
            calls.append(record.id)
            return original(record) if len(calls) <= 2 else False

        with patch.object(inbox_class, "_read_sync_state", read_sync_state):
            self.assertEqual(self.fetch()["new"], 0)
            self.assertEqual(len(calls), 1, "an idle cycle asks once")
            self.deliver(make_email(subject="Arrived before the next cycle"))
            calls.clear()
            self.assertEqual(self.fetch()["new"], 1)
            self.assertLessEqual(len(calls), 2, "asked again once the mailbox changed")
            self.deliver(make_email(subject="Arrived while the inbox is gone"))
            calls[:] = [0, 0]  # the next answer is the override's False
            self.assertEqual(self.fetch()["new"], 0, "the override's answer obeyed")

    def test_a_line_left_new_is_processed_on_a_state_read_after_a_commit(self):
        # The lines a cycle processes are claimed by their handles on the snapshot of
        # the synchronization state it relies on: one taken after the connection (a
        # commit, then the read), never the snapshot of the cycle's first read, taken
        # before it connected, which an idle cycle goes on with (a change of mailbox
        # committed meanwhile would not show there: TestDownloadsAfterMailboxChange).
        self.deliver(make_email(subject="Waiting for the budget"))
        self.assertEqual(self.inbox._fetch(limit=0)["remaining"], 1)  # its line left new
        inbox_class, events = type(self.inbox), []
        read_sync_state, process = inbox_class._read_sync_state, inbox_class._process_messages

        def read(record):
            state = read_sync_state(record)
            events.append("state read")
            return state

        def processing(record, source, messages, limit=None):
            events.append(f"{len(messages)} to process")
            return process(record, source, messages, limit)

        def commit():
            events.append("commit")
            self.env.invalidate_all()

        with (
            patch.object(odoo_modules.module, "current_test", None),
            patch.object(self.env.cr, "commit", commit),
            patch.object(inbox_class, "_read_sync_state", read),
            patch.object(inbox_class, "_process_messages", processing),
        ):
            self.assertEqual(self.fetch()["processed"], 1)
        first_processing = events.index("1 to process")
        before = events[max(first_processing - 2, 0) : first_processing]
        self.assertEqual(before, ["commit", "state read"], events)

    def test_unchanged_mailbox_takes_no_row_lock(self):
        # The synchronization's row lock is a write of the row: the commit ending the
        # cycle then waits for the disk (a WAL flush) where an idle cycle has nothing
        # to make durable. Nothing changed since the stored cursor: nothing is locked.
        with sql_statements() as statements:
            self.assertEqual(self.fetch()["new"], 0)
        locks = [s for s in statements if re.search(r"\bFOR\s+(NO\s+KEY\s+)?(UPDATE|SHARE)\b", s)]
        self.assertEqual(locks, [])

    def test_empty_mailbox_costs_what_an_unchanged_one_costs(self):
        # A mailbox that never held mail (its cursor's UIDNEXT is 1): no UID before the
        # cursor to look for in the ledger, at each cycle.
        login, password = self.new_mailbox()
        inbox = self.create_inbox(login, password)
        self.fetch(inbox)
        self.fetch(inbox)
        self.assertEqual(inbox.sync_cursor["uidnext"], 1)
        self.env.invalidate_all()
        with sql_statements() as statements:
            self.assertEqual(self.fetch(inbox)["new"], 0)
        self.assertLessEqual(len(statements), IDLE_STATEMENTS, "\n".join(statements))

    def test_unchanged_mailbox_reads_no_user_nor_contact(self):
        # The user's language is only needed to post a message: none this cycle.
        self.env.invalidate_all()
        with sql_statements() as statements:
            self.assertEqual(self.fetch()["new"], 0)
        self.assertEqual([s for s in statements if re.search(r'"res_(users|partner)"', s)], [])

    def test_last_run_date_is_rewritten_once_it_is_old(self):
        first = self.inbox.last_run_date
        self.assertTrue(first)
        self.fetch()
        self.assertEqual(self.inbox.last_run_date, first, "polled again within 10 s")
        older = fields.Datetime.now() - mail_inbox_fetch.LAST_RUN_PRECISION - timedelta(seconds=1)
        self.inbox.last_run_date = older
        self.fetch()
        self.assertGreater(self.inbox.last_run_date, older)
        self.assertEqual((self.inbox.state, self.inbox.failure_count), ("ok", 0))

    def test_a_cycle_reads_no_secret_and_writes_its_state_in_one_statement_each(self):
        # At the cron's periodicity (30 s by default, longer than LAST_RUN_PRECISION)
        # every cycle records its success, and one that recorded mail its new cursor:
        # the poll's own state (no field of it tracked nor written by a user), each
        # one UPDATE, not the ORM's write, which reads every tracked field of the row
        # again first (mail.thread's tracking). What the cycle reads of the inbox is
        # never read with its secrets (OAuth2 tokens, client secret): each commit
        # empties the cache, as a real one does.
        self.env.flush_all()
        self.inbox.last_run_date = fields.Datetime.now() - timedelta(minutes=1)
        self.deliver(make_email(subject="One more"))
        self.env.flush_all()
        self.env.invalidate_all()
        with (
            patch.object(odoo_modules.module, "current_test", None),
            patch.object(self.env.cr, "commit", self.env.invalidate_all),
            sql_statements() as statements,
        ):
            self.assertEqual(self.fetch()["new"], 1)
        self.assertEqual(
            [s for s in statements if re.search(r"refresh_token|client_secret|access_token", s)],
            [],
        )
        writes = [s for s in statements if re.match(r'\s*UPDATE\s+"?mail_inbox"?\s', s)]
        self.assertEqual(len(writes), 2, "\n".join(writes))  # the cursor, the success
        rows = [s for s in statements if re.search(r'FROM "mail_inbox"', s)]
        self.assertLessEqual(len(rows), ROW_READS_ONE_NEW, "\n".join(rows))
        self.inbox.invalidate_recordset()
        self.assertEqual((self.inbox.state, self.inbox.failure_count), ("ok", 0))
        self.assertGreater(self.inbox.last_run_date, fields.Datetime.now() - timedelta(minutes=1))
        self.assertEqual(self.inbox.sync_cursor["uidnext"], max(self.server_uids()) + 1)

    def test_a_failure_then_a_success_are_both_recorded(self):
        password = self.inbox.password
        self.inbox.password = "wrong"
        self.assertTrue(self.inbox._fetch().get("failure"))
        self.assertEqual((self.inbox.state, self.inbox.failure_count), ("error", 1))
        self.inbox.password = password
        self.fetch()
        self.assertEqual((self.inbox.state, self.inbox.failure_count), ("ok", 0))

    def test_errors_warn_again_only_when_more_come(self):
        warning = self.env.ref("mail.mail_activity_data_warning")

        def warnings():
            return self.inbox.activity_ids.filtered(lambda a: a.activity_type_id == warning)

        for number in range(10):
            self.deliver(make_email(sender=f"x{number}@nowhere.example"))
        self.fetch()
        self.assertEqual(len(warnings()), 1)
        warnings().action_feedback(feedback="Seen")
        self.fetch()
        self.assertFalse(warnings(), "no new error: no new warning")
        self.deliver(make_email(sender="x10@nowhere.example"))
        self.fetch()
        self.assertEqual(len(warnings()), 1)
        self.assertIn("11 messages are in error", warnings().note)

    def test_after_deleting_the_next_poll_does_not_list(self):
        self.inbox.email_storage = "delete"
        self.deliver(make_email(subject="Deleted once processed"))
        with imap_commands() as commands:
            self.fetch()
        self.assertEqual(self.server_uids(), [])
        # The count after the deletions is read once, then stored.
        self.assertEqual(commands.count("STATUS"), 1)
        listing = patch.object(
            mailsource.ImapSource, "list_messages", side_effect=AssertionError("full listing")
        )
        with listing, imap_commands() as commands:
            self.assertEqual(self.fetch()["new"], 0)
        self.assertEqual(commands, ["LOGIN", "SELECT", "LOGOUT"])


@tagged("post_install", "-at_install")
class TestCycleCostFollowsChange(MailTicketCase):
    """A cycle's work follows what changed, not what the mailbox keeps or the ledger
    holds: asserted on the ledger rows its statements return and the commands sent."""

    def test_one_new_message_in_a_kept_mailbox_reads_its_line_only(self):
        for number in range(8):
            self.deliver(make_email(subject=f"Kept request {number}"))
        self.fetch()
        self.fetch()  # settles the keep-until-closed marks
        age_ledger(self.env, self.inbox)
        self.deliver(make_email(subject="The new one"))
        with ledger_rows_read() as read, imap_commands() as commands:
            self.assertEqual(self.fetch()["new"], 1)
        self.assertEqual(self.ledger().filtered(lambda m: m.state == "processed").mapped(
            "subject").count("The new one"), 1)  # fmt: skip
        self.assertEqual([(rows, text) for rows, text in read if rows > 1], [])
        self.assertNotIn("1:*", " ".join(commands))
        # The new UIDs, their sizes, flags and header blocks in one UID FETCH from the
        # stored UIDNEXT (no UID SEARCH first), then the message.
        self.assertEqual(commands, ["LOGIN", "SELECT", "UID", "UID", "LOGOUT"])

    def test_new_messages_are_recorded_without_a_statement_each(self):
        # Recording new messages checks that the key of each is free: one statement
        # for all of them, not one a message (a statement each only for a key taken,
        # as a reused handle's). With either kind of key (handle, Message-ID).
        self.fetch()
        login, password = self.new_mailbox()
        by_message_id = self.create_inbox(login, password)
        for inbox, mailbox in ((self.inbox, self.mailbox_login), (by_message_id, login)):
            if inbox == by_message_id:
                self.env["ir.config_parameter"].set_param(
                    "helpdesk_mail_ticket.use_message_id_as_uid", "True"
                )
            for number in range(6):
                self.deliver(make_email(subject=f"Recorded {number}"), login=mailbox)
            with sql_statements() as statements:
                self.assertEqual(self.fetch(inbox)["new"], 6)
            key_checks = [s for s in statements if "AND uid = %s" in s]
            self.assertEqual(len(key_checks), 0, "\n".join(key_checks))
            self.assertEqual(len(set(self.ledger(inbox).mapped("uid"))), 6)
            self.assertEqual(set(self.ledger(inbox).mapped("state")), {"processed"})

    def test_pop3_cycle_reads_no_line_of_mail_gone_from_the_server(self):
        login, password = self.new_mailbox()
        inbox = self.create_inbox(login, password, protocol="pop3", email_storage="delete")
        for number in range(6):
            self.deliver(make_email(subject=f"Deleted request {number}"), login=login)
        self.fetch(inbox)
        self.assertEqual(self.server_uids(login), [])
        self.assertEqual(len(self.ledger(inbox)), 6)
        self.assertFalse(any(self.ledger(inbox).mapped("on_server")))
        with ledger_rows_read() as read:
            self.assertEqual(self.fetch(inbox)["new"], 0)
        self.assertEqual([(rows, text) for rows, text in read if rows > 0], [])
        self.deliver(make_email(subject="One more"), login=login)
        with ledger_rows_read() as read:
            self.assertEqual(self.fetch(inbox)["new"], 1)
        self.assertEqual([(rows, text) for rows, text in read if rows > 1], [])
        self.assertEqual(len(self.ledger(inbox)), 7)

    def test_pop3_cycle_of_a_kept_mailbox_reads_no_line_of_mail_still_there(self):
        # POP3 keeps no cursor: each cycle compares the whole listing with the ledger.
        # The comparison is made by the database, which returns only what differs.
        login, password = self.new_mailbox()
        inbox = self.create_inbox(login, password, protocol="pop3", email_storage="keep")
        for number in range(6):
            self.deliver(make_email(subject=f"Kept request {number}"), login=login)
        self.fetch(inbox)
        self.fetch(inbox)  # settles the keep marks
        self.assertEqual(len(self.server_uids(login)), 6)
        with ledger_rows_read() as read:
            self.assertEqual(self.fetch(inbox)["new"], 0)
        self.assertEqual([(rows, text) for rows, text in read if rows > 0], [])
        self.deliver(make_email(subject="One more"), login=login)
        with ledger_rows_read() as read:
            self.assertEqual(self.fetch(inbox)["new"], 1)
        self.assertEqual([(rows, text) for rows, text in read if rows > 1], [])
        self.assertEqual(len(self.ledger(inbox)), 7)
        self.assertEqual(
            self.ledger(inbox).filtered(lambda m: m.subject == "One more").state, "processed"
        )


@tagged("post_install", "-at_install")
class TestProcessingCost(MailTicketCase):
    """What processing a message costs in commits: each one waits for the disk and
    empties Odoo's cache (what the message needs is read again after it)."""

    def cycle_commits(self):
        """The commits a cycle makes (tests never commit: counted instead)."""
        made = []
        with (
            patch.object(odoo_modules.module, "current_test", None),
            patch.object(self.env.cr, "commit", lambda: made.append("commit")),
            patch.object(self.env.cr, "rollback", lambda: made.append("rollback")),
        ):
            result = self.fetch()
        self.assertEqual(made.count("rollback"), 0)
        return result, made.count("commit")

    def test_one_new_message_costs_four_commits_more_than_an_idle_cycle(self):
        # The state read again on a fresh snapshot once SELECT shows the change (an
        # idle cycle goes on with its first read's: no commit but its last). The
        # synchronization records the message and stores the cursor (every listed
        # message has its line), and the message is claimed and its download marked,
        # in one commit, as a further one is in its previous one's outcome (no commit
        # of its own). Then the attempt (before the parse) and the outcome.
        self.fetch()
        idle, idle_commits = self.cycle_commits()
        self.deliver(make_email(subject="Alone"))
        one, commits = self.cycle_commits()
        self.assertEqual((idle["new"], one["processed"]), (0, 1))
        self.assertEqual(idle_commits, 1)
        self.assertEqual(commits - idle_commits, 4, f"{idle_commits} idle, {commits} with one")
        self.assertEqual(self.inbox.sync_cursor["uidnext"], max(self.server_uids()) + 1)

    def test_one_new_message_reads_the_inbox_and_the_user_only_where_needed(self):
        # What a cycle recording and processing one message sends around the
        # message's own work: the synchronization's row lock taken once (the step
        # recording the message holds it already; the cursor is stored in that
        # step's commit, not under a second lock after it); the inbox's row read
        # whole only by the message's processing (its routing settings), not by the
        # synchronization (the company of the new line comes with the lock) nor by
        # the server actions' check after the outcome's commit (the columns it needs);
        # the user's language in one narrow read (Odoo's message_post reads the user
        # itself). Each commit empties the cache, as a real one does.
        self.fetch()
        self.deliver(make_email(subject="Alone"))
        self.env.flush_all()
        self.env.invalidate_all()
        made = []

        def commit():
            made.append("commit")
            self.env.invalidate_all()

        with (
            patch.object(odoo_modules.module, "current_test", None),
            patch.object(self.env.cr, "commit", commit),
            sql_statements() as statements,
        ):
            self.assertEqual(self.fetch()["processed"], 1)
        locks = [s for s in statements if re.search(r'mail_inbox"? WHERE .*FOR NO KEY UPDATE', s)]
        self.assertEqual(len(locks), 1, "\n".join(locks))
        # The processing's own read, and the queue_job bridge's check of its setting
        # when it is installed. A whole read names every column (about 60); the cycle's
        # first read names its connection settings and what an idle cycle reads (24).
        whole = [s for s in statements if s.count('"mail_inbox".') > 40]
        self.assertLessEqual(len(whole), 2, "\n".join(whole))
        users = [s for s in statements if '"res_users"."signature"' in s]
        self.assertLessEqual(len(users), 1, "\n".join(users))
        cursor_reads = [
            s
            for s in statements
            if re.match(r'SELECT "mail_inbox"\."id", "mail_inbox"\."sync_cursor" FROM', s)
        ]
        self.assertEqual(cursor_reads, [], "the cursor is read with the lock only")

    def test_each_further_message_of_a_cycle_costs_two_commits(self):
        # A message's attempt is committed before it is parsed (on a snapshot taken
        # once its email's lock is held); its outcome is committed with the claim of
        # the next message and the mark of that one's download, which must be
        # committed before the download starts.
        self.fetch()
        self.deliver(make_email(subject="Alone"))
        one, alone = self.cycle_commits()
        for number in range(5):
            self.deliver(make_email(subject=f"One of five {number}"))
        five, together = self.cycle_commits()
        self.assertEqual((one["processed"], five["processed"]), (1, 5))
        self.assertLessEqual(
            together - alone, 2 * 4, f"{alone} commits for one message, {together} for five"
        )
        self.assertEqual(len(self.ledger().filtered(lambda m: m.state == "processed")), 6)

    def batch_of_new_tickets(self, count=5):
        """The statements of a cycle processing ``count`` new requests in one batch,
        each with an attachment; returns them with the
        tickets made."""
        self.fetch()
        for number in range(count):
            self.deliver(
                make_email(
                    subject=f"Request {number}",
                    attachments=[("log.txt", "text/plain", f"log {number}".encode())],
                )
            )
        self.env.flush_all()
        self.env.invalidate_all()
        # Our inboxes' read of the alias domains, once a registry: not the batch's. So
        # is the read of the installed languages (``_left_for_later_reasons``, cached).
        self.inbox._get_mail_domains()
        self.env["res.lang"].get_installed()
        with sql_statements() as statements:
            self.assertEqual(self.fetch()["processed"], count)
        tickets = self.ledger().mapped(lambda line: line._get_ticket())
        self.assertEqual(len(tickets), count)
        return statements, tickets

    def test_a_batch_reads_the_default_stage_and_the_sequence_once(self):
        # Every ticket of a batch gets the same default stage and its reference from
        # the same sequence; the batch's transaction (repeatable read) sees the same
        # rows for each, so one search of each serves the batch. The sequence's
        # nextval stays one a ticket.
        statements, tickets = self.batch_of_new_tickets()
        stage_searches = [
            s for s in statements if s.startswith('SELECT "helpdesk_mail_ticket_stage"."id" FROM')
        ]
        sequence_searches = [
            s for s in statements if s.startswith('SELECT "ir_sequence"."id" FROM')
        ]
        self.assertEqual(len(stage_searches), 1, "\n".join(stage_searches))
        self.assertEqual(len(sequence_searches), 1, "\n".join(sequence_searches))
        self.assertEqual(len([s for s in statements if "nextval(" in s]), 5)
        self.assertEqual(len(set(tickets.mapped("reference"))), 5)
        default = self.env["helpdesk.mail.ticket"]._default_stage_id()
        self.assertEqual(tickets.stage_id, default)

    def test_a_new_ticket_searches_neither_its_messages_nor_its_attachments(self):
        # The ticket was created by this very message: its chatter has no message to
        # thread the email under and it has no attachment the email could repeat, so
        # neither is searched (a reply's update still searches both).
        statements, tickets = self.batch_of_new_tickets()
        parents = [
            s
            for s in statements
            if s.startswith('SELECT "mail_message"."id" FROM "mail_message" WHERE')
            and '"mail_message"."res_id" =' in s
        ]
        existing = [s for s in statements if s.startswith('SELECT "ir_attachment"."id" FROM')]
        self.assertEqual(parents, [])
        self.assertEqual(existing, [])
        for ticket in tickets:
            (message,) = ticket.message_ids.filtered(lambda m: m.message_type == "email")
            self.assertFalse(message.parent_id)
            self.assertEqual(message.attachment_ids.mapped("name"), ["log.txt"])
            self.assertEqual(ticket.message_partner_ids, ticket.partner_id)

    def test_a_reply_checks_the_tickets_it_may_answer_in_one_statement(self):
        # A reply naming several messages of its ticket (In-Reply-To, References):
        # whether their tickets still exist is one statement for all of them, not one
        # a message named and one more for the ticket chosen.
        self.deliver(make_email(subject="Printer", message_id="<first@client.example>"))
        self.fetch()
        (ticket,) = self.env["helpdesk.mail.ticket"].search([("name", "=", "Printer")])
        ticket.message_post(body="We look into it", message_id="<answer@odoo.example>")
        self.deliver(
            make_email(
                subject="Re: Printer",
                message_id="<second@client.example>",
                headers={
                    "In-Reply-To": "<answer@odoo.example>",
                    "References": "<first@client.example> <answer@odoo.example>",
                },
            )
        )
        self.env.flush_all()
        self.env.invalidate_all()
        with sql_statements() as statements:
            self.assertEqual(self.fetch()["processed"], 1)
        checks = [
            s
            for s in statements
            if s.startswith('SELECT "helpdesk_mail_ticket"."id" FROM "helpdesk_mail_ticket" WHERE')
        ]
        # One for the routing of the reply, one for the cycle's check of the tickets
        # of kept mail (whether they are closed).
        self.assertLessEqual(len(checks), 2, "\n".join(checks))
        (reply,) = self.ledger().filtered(lambda line: line.action == "updated")
        self.assertEqual(reply._get_ticket(), ticket)

    def test_the_caller_is_found_and_read_in_one_statement(self):
        # The caller's search returns the columns Odoo reads on the first access to
        # a field of the contact (its prefetch group): no second statement reading
        # the row the search just found.
        statements, tickets = self.batch_of_new_tickets(count=1)
        reads = [
            s
            for s in statements
            if s.startswith('SELECT "res_partner"."id", ')
            and '"res_partner"."email_normalized"' in s.split(" FROM ")[0]
        ]
        searches = [s for s in reads if '"res_partner"."email_normalized" = ' in s]
        self.assertEqual(len(searches), 1, "\n".join(reads))
        # The one read left: the caller's company (its organization), another row.
        self.assertLessEqual(len(reads) - len(searches), 1, "\n".join(reads))
        self.assertEqual(tickets.partner_id.email_normalized, "alice@acme.example")

    def test_a_message_and_its_attachments_pay_one_statement_a_savepoint(self):
        # Each message of a batch, and each attachment it stores, goes in a savepoint
        # of its own (undone alone on failure). A savepoint that succeeded is not
        # released: COMMIT keeps what it holds all the same, a rollback to an outer
        # one undoes it too; a RELEASE would be one more round trip a message.
        statements, _tickets = self.batch_of_new_tickets()
        savepoints = [s for s in statements if s.startswith("SAVEPOINT")]
        releases = [s for s in statements if s.startswith("RELEASE SAVEPOINT")]
        # Ten of them (five messages, five attachments) left unreleased; the cycle's
        # other savepoints (the claim's, the synchronization's) are released.
        self.assertLessEqual(len(releases), len(savepoints) - 10, "\n".join(releases))

    def test_a_failed_message_savepoint_undoes_that_message_only(self):
        # The savepoint that is not released still undoes its message alone: the
        # message failing (a broken hook) leaves no ticket and keeps its neighbours'.
        self.fetch()
        for number in range(3):
            self.deliver(make_email(subject=f"Neighbour {number}"))
        model = type(self.env["helpdesk.mail.ticket"])
        original = model._mail_ticket_new

        def broken(ticket_model, email, caller, inbox):
            ticket = original(ticket_model, email, caller, inbox)
            if email.subject == "Neighbour 1":
                raise RuntimeError("a broken hook")
            return ticket

        with patch.object(model, "_mail_ticket_new", broken):
            result = self.fetch()
        self.assertEqual(result["processed"], 2)
        names = self.env["helpdesk.mail.ticket"].search([]).mapped("name")
        self.assertEqual(sorted(names), ["Neighbour 0", "Neighbour 2"])
        failed = self.ledger().filtered(lambda line: line.state == "new")
        self.assertEqual(len(failed), 1)
        self.assertIn("a broken hook", failed.reason)

    def test_a_batch_finds_the_alias_domain_of_its_posts_once(self):
        # Odoo's message_post searches the alias domain of each record whose company
        # has none: the same answer for every ticket of the batch's company.
        statements, tickets = self.batch_of_new_tickets()
        searches = [s for s in statements if s.startswith('SELECT "mail_alias_domain"."id"')]
        self.assertLessEqual(len(searches), 1, "\n".join(searches))
        expected = tickets[:1].sudo()._mail_get_alias_domains(default_company=self.env.company)
        messages = tickets.message_ids.filtered(lambda m: m.message_type == "email")
        self.assertEqual(len(messages), 5)
        self.assertEqual(messages.record_alias_domain_id, expected[tickets[0].id])

    def test_a_batch_looks_for_aliases_of_its_tickets_once(self):
        # Odoo's message_post searches, for each post, the aliases whose parent is
        # the record posted on (a reply-to of its own, as a project's alias for its
        # tasks). A batch asks once whether any alias has a ticket for parent; with
        # none, each post's reply-to is what Odoo would compute without them.
        statements, tickets = self.batch_of_new_tickets()
        searches = [
            s
            for s in statements
            if s.startswith('SELECT "mail_alias"."id" FROM') and '"alias_parent_thread_id" IN' in s
        ]
        self.assertEqual(searches, [])
        parent_checks = [s for s in statements if "alias_parent_model_id" in s]
        self.assertLessEqual(len(parent_checks), 1, "\n".join(parent_checks))
        for ticket in tickets:
            (message,) = ticket.message_ids.filtered(lambda m: m.message_type == "email")
            expected = ticket._notify_get_reply_to(default=message.email_from)[ticket.id]
            self.assertEqual(message.reply_to, expected)

    def test_a_batch_asks_once_whether_its_emails_were_imported_or_posted(self):
        # Routing asks of each email whether another line imported it already and
        # whether its Message-ID is on a message of a ticket (Odoo's own mail coming
        # back): one statement for the emails of the batch, not two a message.
        statements, _tickets = self.batch_of_new_tickets()
        imported = [
            s
            for s in statements
            if s.startswith('SELECT "mail_inbox_message"."id" FROM')
            and '"mail_inbox_message"."stable_id" =' in s
        ]
        posted = [
            s
            for s in statements
            if s.startswith('SELECT "mail_message"."id" FROM')
            and '"mail_message"."message_id" =' in s
        ]
        self.assertEqual(imported, [])
        self.assertEqual(posted, [])
        batched = [s for s in statements if "'imported', stable_id" in s]
        self.assertLessEqual(len(batched), 1, "\n".join(batched))

    def test_a_batch_still_finds_an_email_imported_or_posted_before(self):
        # The batch's one question finds the email a line imported in an earlier
        # cycle and the Message-ID Odoo posted on a ticket: both are duplicates, their
        # neighbour in the batch a new ticket.
        first = make_email(subject="Printer", message_id="<printer@client.example>")
        self.deliver(b"Received: from relay1.example by mx.example; Mon, 1 Dec 2026\r\n" + first)
        self.fetch()
        (ticket,) = self.env["helpdesk.mail.ticket"].search([("name", "=", "Printer")])
        ticket.message_post(body="On our way", message_id="<answer@odoo.example>")
        # The same email again, through another relay.
        self.deliver(b"Received: from relay2.example by mx.example; Mon, 1 Dec 2026\r\n" + first)
        self.deliver(make_email(subject="Re: Printer", message_id="<answer@odoo.example>"))
        self.deliver(make_email(subject="Scanner", message_id="<scanner@client.example>"))
        self.assertEqual(self.fetch()["processed"], 3)
        lines = self.ledger().sorted("id")[1:]
        self.assertEqual(lines.mapped("action"), ["duplicate", "duplicate", "created"])
        self.assertEqual(lines[0]._get_ticket(), ticket)
        self.assertEqual(lines[1]._get_ticket(), ticket)
        self.assertEqual(
            len(ticket.message_ids.filtered(lambda m: m.message_id == "<printer@client.example>")),
            1,
        )

    def test_a_ticket_alias_is_still_the_reply_to_of_its_updates(self):
        # An alias whose parent is a ticket (an integrator's per-ticket address) is
        # the reply-to Odoo gives its posts: the batch's shortcut is not taken then.
        ticket, alias = self.ticket_with_alias("printer-ticket")
        # With a new request beside it: the two go in one batch.
        self.deliver(
            make_email(
                subject="Re: Printer",
                message_id="<second@client.example>",
                headers={"In-Reply-To": "<first@client.example>"},
            )
        )
        self.deliver(make_email(subject="Scanner", message_id="<third@client.example>"))
        self.assertEqual(self.fetch()["processed"], 2)
        message = ticket.message_ids.filtered(lambda m: m.message_id == "<second@client.example>")
        self.assertIn(f"printer-ticket@{alias.alias_domain_id.name}", message.reply_to)
        (other,) = self.env["helpdesk.mail.ticket"].search([("name", "=", "Scanner")])
        posted = other.message_ids.filtered(lambda m: m.message_id == "<third@client.example>")
        expected = other._notify_get_reply_to(default=posted.email_from)[other.id]
        self.assertEqual(posted.reply_to, expected)


@tagged("post_install", "-at_install")
class TestBigMail(MailTicketCase):
    def test_big_attachment_is_not_parsed_as_text(self):
        data = os.urandom(3 * 1024 * 1024)
        self.deliver(
            make_email(subject="Big report", attachments=[("report.pdf", "application/pdf", data)])
        )
        parsed_sizes = []
        original = loader._stdlib_parse

        def spy(raw):
            parsed_sizes.append(len(raw))
            return original(raw)

        with patch.object(loader, "_stdlib_parse", spy):
            self.fetch()
        (message,) = self.ledger()
        self.assertEqual(message.state, "processed")
        attachment = self.env["ir.attachment"].search(
            [("res_model", "=", "helpdesk.mail.ticket"), ("res_id", "=", message.ticket_id)]
        )
        self.assertEqual(attachment.raw, data)
        self.assertEqual(attachment.name, "report.pdf")
        self.assertLess(max(parsed_sizes), 64 * 1024, "the base64 body stays out of the parser")
