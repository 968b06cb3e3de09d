# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""An idle POP3 cycle (the mailbox unchanged) sends no handle of its listing to the
database: the comparison with the ledger is skipped when the listing and every line the
comparison reads are unchanged since the last cycle that compared them. Each way the
ledger changes without the listing changing is put right by the next cycle, as the full
comparison did (a line set off the server by another worker or a lost QUIT, committed
before or during the cycle that remembered the listing, a line deleted, a cycle whose
UIDL failed, a server whose handles are the message numbers).

These tests commit for real (the skip relies on what committed transactions changed):
each inbox is created and deleted on connections of its own, its lines never processed
(set aside by SQL), so no ticket nor contact is left behind."""

import poplib
from contextlib import contextmanager
from unittest.mock import patch

from odoo.modules import module as odoo_module
from odoo.sql_db import Cursor
from odoo.tests import tagged

from ..mailharness.proxy import FaultProxy
from ..mailsource import pop3
from ..models.mail_inbox_fetch import MailInbox
from .common import MailTicketCase, make_email


@contextmanager
def statements_sent():
    """(statement, parameters) of every statement sent meanwhile."""
    sent, original = [], Cursor.execute

    def execute(cursor, query, params=None, log_exceptions=True):
        sent.append((str(getattr(query, "code", query)), repr(params)))
        return original(cursor, query, params, log_exceptions)

    with patch.object(Cursor, "execute", execute):
        yield sent


class Pop3IdleCase(MailTicketCase):
    """What the idle POP3 tests share: a committed inbox on a real Dovecot mailbox and
    its cycle. No test of its own, so a class built on it runs only its own tests."""

    def _committed_inbox(self, count=4, port=None, protocol="pop3"):
        """A POP3 inbox (or ``protocol``'s) committed on a connection of its own, its
        mailbox holding ``count`` messages, recorded and set aside (kept on the server):
        an idle mailbox."""
        env = self._real_env()
        login, password = self.new_mailbox()
        inbox = env["mail.inbox"].create(
            {"name": login, "server": self.dovecot.host, "port": port or self.dovecot.pop3_port,
             "protocol": protocol, "security": "none", "login": login, "password": password,
             "email_storage": "keep"}
        )  # fmt: skip
        env.cr.commit()
        self.addCleanup(self._drop_inbox, inbox.id)
        for number in range(count):
            self.deliver(
                make_email(subject=f"Kept {number}", body="Same size.",
                           message_id=f"<kept-{number}@client.example>"),
                login=login,
            )  # fmt: skip
        with patch.object(odoo_module, "current_test", None), inbox._open_source() as source:
            inbox._sync_mailbox(source)
        env.cr.commit()
        self.set_done(env, inbox)
        return env, login, inbox

    @staticmethod
    def _delete_first_line(other, inbox):
        """The inbox's oldest ledger line deleted and committed on ``other``'s cursor."""
        other.cr.execute(
            "DELETE FROM mail_inbox_message WHERE id = "
            "(SELECT min(id) FROM mail_inbox_message WHERE inbox_id = %s)",
            [inbox.id],
        )
        other.cr.commit()

    def _drop_inbox(self, inbox_id):
        env = self._real_env()
        env["mail.inbox"].browse(inbox_id).unlink()
        env.cr.commit()

    @staticmethod
    def set_done(env, inbox):
        """Nothing left to process, nothing for the server actions: set aside."""
        env.cr.execute(
            "UPDATE mail_inbox_message SET state = 'undesired' WHERE inbox_id = %s", [inbox.id]
        )
        env.cr.commit()

    def cycle(self, inbox):
        """One cycle, committing as in production; a message it records is left new
        (processing it would commit a ticket and a contact)."""

        def process_none(inbox, source, messages, limit=None):
            return {"processed": 0, "error": 0, "undesired": 0, "remaining": len(messages)}

        with (
            patch.object(odoo_module, "current_test", None),
            patch.object(MailInbox, "_process_messages", process_none),
        ):
            result = inbox._fetch()
        self.assertFalse(result.get("failure"), result.get("failure"))
        return result

    @staticmethod
    def lines(env, inbox):
        """(server_uid, on_server) of the inbox's lines, as committed."""
        check = env.registry.cursor()
        try:
            check.execute(
                "SELECT server_uid, on_server FROM mail_inbox_message WHERE inbox_id = %s "
                "ORDER BY id",
                [inbox.id],
            )
            return check.fetchall()
        finally:
            check.close()

    def handles(self, inbox):
        with inbox._open_source() as source:
            return list(source.list_messages().uids)

    def assert_all_on_server(self, env, inbox, count=4):
        lines = self.lines(env, inbox)
        self.assertEqual(sorted(uid for uid, on in lines if on), sorted(self.handles(inbox)))
        self.assertEqual(len([1 for _uid, on in lines if on]), count, lines)


@tagged("post_install", "-at_install")
class TestPop3IdleCycle(Pop3IdleCase):
    # -- what is skipped -------------------------------------------------------------------

    def test_unchanged_mailbox_sends_no_handle_to_the_database(self):
        env, _login, inbox = self._committed_inbox()
        self.cycle(inbox)  # compares the listing with the ledger: nothing changed
        handles = self.handles(inbox)
        with statements_sent() as sent:
            self.assertEqual(self.cycle(inbox)["new"], 0)
        carrying = [text for text, params in sent if any(h in params for h in handles)]
        self.assertEqual(carrying, [], "the listing was sent to the database")
        self.assert_all_on_server(env, inbox)

    def test_unchanged_mailbox_reads_no_line_of_its_listing(self):
        # LIST and UIDL answer a line a message (10,000 lines each for a kept mailbox
        # of 10,000): an unchanged listing is told by the digest of the answers as
        # sent, neither answer split into handles, numbers and sizes.
        env, _login, inbox = self._committed_inbox()
        self.cycle(inbox)  # compares the listing with the ledger, remembers it
        read, real = [], pop3._pairs

        def pairs(lines, convert):
            read.append(len(lines))
            return real(lines, convert)

        with patch.object(pop3, "_pairs", pairs):
            self.assertEqual(self.cycle(inbox)["new"], 0)
        self.assertEqual(read, [], "lines of the listing read")
        self.assert_all_on_server(env, inbox)
        self.deliver(make_email(subject="New", body="New."), login=_login)
        with patch.object(pop3, "_pairs", pairs):
            self.assertEqual(self.cycle(inbox)["new"], 1)  # a changed listing is read
        self.assertEqual(read, [5, 5])

    def test_unchanged_mailbox_sends_each_command_once(self):
        # What a bare LIST + UIDL poll sends, and nothing more: the login sent USER
        # twice, one more round trip to the server at every cycle.
        _env, _login, inbox = self._committed_inbox()
        self.cycle(inbox)
        sent, original = [], poplib.POP3._putcmd

        def putcmd(client, line):
            sent.append(line.split(" ", 1)[0].upper())  # the command, never its argument
            return original(client, line)

        with patch.object(poplib.POP3, "_putcmd", putcmd):
            self.assertEqual(self.cycle(inbox)["new"], 0)
        self.assertEqual(sent, ["USER", "PASS", "LIST", "UIDL", "QUIT"])

    def test_unchanged_mailbox_costs_one_commit_and_two_statements(self):
        # An idle cycle whose listing is skipped: the cycle's first read (connection
        # settings and what the rest of the cycle reads of the row), then the skip's
        # check with the lines left new and the server actions' candidates in one
        # statement (the skip writes nothing: they are read on the same snapshot);
        # one commit, ending the cycle (no commit of its own).
        _env, _login, inbox = self._committed_inbox()
        self.cycle(inbox)  # compares the listing with the ledger, remembers it
        inbox.env.invalidate_all()
        made, real_commit = [], inbox.env.cr.commit

        def commit():
            made.append("commit")
            real_commit()
            inbox.env.invalidate_all()

        with patch.object(inbox.env.cr, "commit", commit), statements_sent() as sent:
            self.assertEqual(self.cycle(inbox)["new"], 0)
        texts = [" ".join(text.split())[:160] for text, _params in sent]
        self.assertTrue([text for text in texts if "mail_inbox_listing_state" in text])
        self.assertEqual(len(made), 1, made)
        self.assertLessEqual(len(sent), 2, "\n".join(texts))

    def test_skipped_listing_still_finds_the_lines_left_new_and_what_to_delete(self):
        # The skip's check reads the lines left new (a retry) and the server actions'
        # candidates in its statement: both still acted on by the idle cycle.
        env, _login, inbox = self._committed_inbox()
        self.cycle(inbox)
        handles = self.handles(inbox)
        env.cr.execute(
            "UPDATE mail_inbox_message SET state = 'new' WHERE id = "
            "(SELECT min(id) FROM mail_inbox_message WHERE inbox_id = %s)",
            [inbox.id],
        )
        env.cr.commit()
        with statements_sent() as sent:
            self.assertEqual(self.cycle(inbox)["remaining"], 1, "the line left new is found")
        self.assertEqual([text for text, params in sent if any(h in params for h in handles)], [])
        self.set_done(env, inbox)
        env.cr.execute(
            "UPDATE mail_inbox SET email_storage = 'delete' WHERE id = %s; "
            "UPDATE mail_inbox_message SET state = 'processed' WHERE id = "
            "(SELECT max(id) FROM mail_inbox_message WHERE inbox_id = %s)",
            [inbox.id, inbox.id],
        )
        env.cr.commit()
        inbox.invalidate_recordset()
        with statements_sent() as sent:
            self.assertEqual(self.cycle(inbox)["new"], 0)
        self.assertEqual([text for text, _params in sent if "FULL JOIN" in text], [], "skipped")
        self.assertEqual(len(self.handles(inbox)), 3, "the processed message deleted")

    def test_gone_stamps_no_remembered_listing_can_miss_are_purged(self):
        # A line deleted leaves a row in mail_inbox_listing_gone for the next cycle to
        # compare; once a comparison has seen that deletion and remembered its listing,
        # no snapshot a later skip reads can miss it: the row goes (else the table grows
        # with every deletion, forever).
        env, _login, inbox = self._committed_inbox()
        self.cycle(inbox)
        other = self._real_env()
        for _round in range(2):
            other.cr.execute(
                "DELETE FROM mail_inbox_message WHERE id = "
                "(SELECT min(id) FROM mail_inbox_message WHERE inbox_id = %s)",
                [inbox.id],
            )
            other.cr.commit()
            self.assertEqual(self.cycle(inbox)["new"], 1)  # recorded again
            self.set_done(env, inbox)
            self.cycle(inbox)  # compares, finds the ledger equal, remembers
        other.cr.execute(
            "SELECT count(*) FROM mail_inbox_listing_gone WHERE inbox_id = %s", [inbox.id]
        )
        self.assertEqual(other.cr.fetchone()[0], 0)
        other.cr.commit()
        # And what was purged is still never missed: one more deletion is seen.
        self._delete_first_line(other, inbox)
        self.assertEqual(self.cycle(inbox)["new"], 1)
        self.set_done(env, inbox)
        self.assert_all_on_server(env, inbox)

    def test_unchanged_mailbox_commits_no_transaction_id(self):
        # An idle cycle makes nothing durable: none of its commits ends a transaction
        # that was given an id (a write, a row lock), whose commit would wait for the
        # disk (a WAL flush). IMAP (a cursor, read without locking the row) and POP3.
        for protocol in ("imap", "pop3"):
            with self.subTest(protocol=protocol):
                port = self.dovecot.imap_port if protocol == "imap" else None
                _env, _login, inbox = self._committed_inbox(port=port, protocol=protocol)
                self.cycle(inbox)
                self.cycle(inbox)
                ids = self.idle_cycle_transaction_ids(inbox)
                self.assertTrue(ids)
                self.assertEqual(ids, [None] * len(ids))

    def idle_cycle_transaction_ids(self, inbox):
        """The transaction id (None when none was given) of each commit of a cycle."""
        ids, cr = [], inbox.env.cr
        real_commit = cr.commit

        def commit():
            cr.execute("SELECT pg_current_xact_id_if_assigned()")
            ids.append(cr.fetchone()[0])
            real_commit()

        with patch.object(cr, "commit", commit):
            self.assertEqual(self.cycle(inbox)["new"], 0)
        return ids

    # -- what the skip must not miss -------------------------------------------------------

    def test_line_set_off_the_server_by_another_worker_comes_back(self):
        # Another worker's older session (or a DELE whose QUIT was lost) set a line off
        # the server; the mail is still there, the listing unchanged.
        env, _login, inbox = self._committed_inbox()
        self.cycle(inbox)
        self.cycle(inbox)
        other = self._real_env()
        other.cr.execute(
            "UPDATE mail_inbox_message SET on_server = FALSE WHERE id = "
            "(SELECT min(id) FROM mail_inbox_message WHERE inbox_id = %s)",
            [inbox.id],
        )
        other.cr.commit()
        self.cycle(inbox)
        self.assert_all_on_server(env, inbox)

    def test_line_set_off_while_the_listing_is_remembered_comes_back(self):
        # The other worker's change is not committed yet when the cycle compares and
        # remembers the listing; it commits after: the next cycle still compares.
        env, _login, inbox = self._committed_inbox()
        other = self._real_env()
        other.cr.execute(
            "UPDATE mail_inbox_message SET on_server = FALSE WHERE id = "
            "(SELECT min(id) FROM mail_inbox_message WHERE inbox_id = %s)",
            [inbox.id],
        )
        # A later transaction stamps another line (set off, then back) and commits
        # before the cycle's snapshot: a stamp newer than the other's, already seen.
        later = self._real_env()
        for on_server in (False, True):
            later.cr.execute(
                "UPDATE mail_inbox_message SET on_server = %s WHERE id = "
                "(SELECT max(id) FROM mail_inbox_message WHERE inbox_id = %s)",
                [on_server, inbox.id],
            )
        later.cr.commit()
        self.cycle(inbox)  # compares on a snapshot without the other's change
        other.cr.commit()
        self.cycle(inbox)
        self.assert_all_on_server(env, inbox)

    def test_line_deleted_is_recorded_again(self):
        env, _login, inbox = self._committed_inbox()
        self.cycle(inbox)
        self.cycle(inbox)
        other = self._real_env()
        self._delete_first_line(other, inbox)
        self.assertEqual(self.cycle(inbox)["new"], 1)
        self.set_done(env, inbox)
        self.assert_all_on_server(env, inbox)

    def test_a_cycle_whose_uidl_failed_is_put_right_when_it_works_again(self):
        env, _login, inbox = self._committed_inbox()
        self.cycle(inbox)
        self.cycle(inbox)
        real = pop3.Pop3Source._read_answer

        def read_answer(source, command):
            if command == "UIDL":
                raise poplib.error_proto("-ERR UIDL unavailable")
            return real(source, command)

        with patch.object(pop3.Pop3Source, "_read_answer", read_answer):
            self.cycle(inbox)  # keyed by header: the lines get those keys
        self.assertTrue(all(uid.startswith("sha256:") for uid, on in self.lines(env, inbox) if on))
        self.cycle(inbox)
        self.assert_all_on_server(env, inbox)

    def test_numbered_handles_given_to_another_message_of_the_same_size(self):
        # A server whose UIDLs are the message numbers: message 1 deleted by another
        # client and one of the same size arrived, the listing byte for byte the same.
        proxy = FaultProxy(self.dovecot.pop3_port, "pop3", uidl_as_number=True).start()
        self.addCleanup(proxy.stop)
        env, login, inbox = self._committed_inbox(count=2, port=proxy.port)
        self.cycle(inbox)
        self.cycle(inbox)
        before = self.handles(inbox)
        with self.dovecot.imap(login, "INBOX") as client:
            client.uid("STORE", "1", "+FLAGS", "(\\Deleted)")
            client.expunge()
        self.deliver(
            make_email(subject="Kept 9", body="Same size.", message_id="<kept-9@client.example>"),
            login=login,
        )
        self.assertEqual(self.handles(inbox), before)
        self.assertEqual(self.cycle(inbox)["new"], 1)
        lines = self.lines(env, inbox)
        self.assertEqual(len(lines), 3)
        self.assertEqual(len([1 for _uid, on in lines if on]), 2, lines)


@tagged("post_install", "-at_install")
class TestPop3IdleWithoutStamps(MailTicketCase):
    def test_code_newer_than_the_database_compares_every_cycle(self):
        # The code deployed before the addon's upgrade made the stamps (or a
        # PostgreSQL without xid8): POP3 goes on comparing, it does not fail.
        login, password = self.new_mailbox()
        inbox = self.create_inbox(login, password, protocol="pop3", email_storage="keep")
        self.deliver(make_email(subject="First"), login=login)
        self.env.cr.execute("DROP TABLE mail_inbox_listing_state")
        self.env.registry.hmt_listing_stamps = None  # as a process started then
        self.addCleanup(setattr, self.env.registry, "hmt_listing_stamps", None)
        self.assertEqual(self.fetch(inbox)["new"], 1)
        self.deliver(make_email(subject="Second"), login=login)
        self.assertEqual(self.fetch(inbox)["new"], 1)
        self.assertEqual(len(self.ledger(inbox)), 2)
