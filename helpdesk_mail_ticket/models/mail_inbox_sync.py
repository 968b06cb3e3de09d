# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Synchronization of an inbox with its mailbox: record every message seen on the
server as a message of the inbox (mail.inbox.message), recognize known mail under new handles."""

import hashlib
import itertools
import re

import psycopg2

from odoo import api, models, modules
from odoo.tools import SQL

from ..mailparse.identity import header_digest, header_identity
from ..mailsource import (
    MessageError,
    MessageNotFoundError,
    ProtocolError,
    RemoteList,
    source_class,
)
from ..transaction import SYNC_RETRIES, commit, rollback, step_savepoint
from .mail_inbox_message import InboxProcessingError, _text

INSERT_CHUNK = 1000
# ``cr.cache`` key: the inbox (and its cycle's first read) whose synchronization found
# nothing changed on the snapshot of that first read (``_synced_on_first_read``).
FIRST_READ_SYNC = "hmt_synced_on_first_read"
# Messages whose headers are read then recorded per committed step (_record_identified).
RECOGNIZE_BATCH = 200


# One concern of mail.inbox per file, as Odoo splits a large model: intended.
class MailInbox(models.Model):
    _inherit = "mail.inbox"  # pylint: disable=consider-merging-classes-inherited

    def _sync_mailbox(self, source):
        """Record as messages what arrived since the last cycle; returns the new
        messages and the source's new sync cursor (None when the source keeps none).

        The source decides what to list from the cursor stored on the inbox
        (``list_changes``: IMAP sends no command when nothing changed, lists only the
        UIDs from the stored UIDNEXT on when mail was only added, and everything when
        mail left or UIDVALIDITY changed). A complete listing also tells which known
        messages left the server. Messages not known by their handle are recorded with
        their header block read first, so that mail the inbox knows under an old handle
        is recognized, not imported again (``_record_identified``). With a cursor, one
        worker at a time synchronizes an inbox; the others process. POP3 keeps no
        cursor: it lists UIDL, which downloads no message.
        """
        ledger = self.env["mail.inbox.message"]
        if not source.keeps_cursor:
            remote = source.list_messages()
            if not getattr(remote, "unread", False):  # else read only when compared
                self._trace("%d message(s) in the mailbox", len(remote))
            return self._sync_with_server(remote, source), None
        state_token = self.env.context.get("mail_inbox_first_state")
        first = state_token is not None
        state = self._read_sync_state()
        if not state:  # the inbox was deleted meanwhile
            return ledger.browse(), None
        if not self._reads_connected_mailbox():
            # Its settings now name another mailbox (their reset is committed): what
            # this connection lists is not the inbox's mail any more.
            self._trace("The inbox's mailbox changed during the cycle: not synchronized")
            return ledger.browse(), None
        # An override of _get_listing_cursor may take no argument: the read's answer
        # travels in the context.
        recorded = state.get("cursor_recorded") if isinstance(state, dict) else None
        inbox = self.with_context(mail_inbox_cursor_recorded=recorded)
        cursor = inbox._get_listing_cursor()
        if cursor == self.sync_cursor and source.unchanged_since(cursor):
            # Nothing changed since the stored cursor (the source knows it without a
            # command): nothing to write, hence no lock (a row lock makes the cycle's
            # last commit wait for the disk).
            self._trace("No change since the stored cursor")
            if first:
                # Told to the cycle (``_synced_on_first_read``): whatever it finds to
                # do on this snapshot, older than its connection, is read again.
                self.env.cr.cache[FIRST_READ_SYNC] = (self.id, state_token)
            return ledger.browse(), cursor
        if first:
            # A change since the cursor the cycle read before it connected: read on
            # that older snapshot, the lock would fail on any write of the row
            # committed meanwhile (another worker's cursor or status). The state is
            # read again on a fresh snapshot, and the rest goes as it always went, but
            # for the lock, taken by that read (``_read_sync_state``): the change it
            # is for was seen already.
            inbox = self.with_context(mail_inbox_first_state=None, mail_inbox_lock_on_read=True)
            return inbox._sync_mailbox(source)
        # The lock before the listing: a worker that cannot have it (another worker
        # synchronizes) sends no listing command, and writes nothing.
        locked = isinstance(state, dict) and state.get("locked")
        if not self.with_context(mail_inbox_sync_locked=locked)._lock_sync_state():
            self._trace("Another worker is synchronizing this inbox")
            return ledger.browse(), None
        listing = source.list_changes(cursor)
        self._trace("%s", listing.note)
        remote = listing.messages
        stored = []

        def store_with_lines(all_recorded=False):
            # Every listed message has its line: the cursor is stored in the commit
            # of the step that recorded the last of them, under the lock it holds.
            # Counted unless the recording saw each of them get or have its line.
            if all_recorded or not self._count_unrecorded(remote):
                self._write_sync_cursor(listing.cursor)
                stored.append(listing.cursor)

        if listing.complete:
            new = self._sync_with_server(remote, source)
        elif remote:
            # Under the synchronization lock this transaction holds already. The last
            # step's lines and the cursor are left to the cycle's next commit, which
            # comes before any download (``_process_messages``) or server command
            # (``_apply_server_actions``): one commit fewer a cycle with new mail.
            new = self._record_new_messages(
                remote,
                source,
                locked=True,
                before_last_commit=store_with_lines,
                leave_last_commit=True,
            )
        else:
            new = ledger.browse()
        if not stored:  # else committed with the new lines
            if remote and self._count_unrecorded(remote):
                # Recording stopped part way (another worker): the next cycle lists again.
                commit(self.env)
            else:
                self._store_sync_cursor(listing.cursor)
        return new, listing.cursor

    def _synced_on_first_read(self):
        """Whether the ``_sync_mailbox`` just made by this cycle answered from the
        cycle's first read (``mail_inbox_first_state``: a snapshot taken before the
        cycle connected) and found nothing changed, with no commit since: told once.
        What the cycle then finds to do on that snapshot (lines left new, mail to
        remove) is not acted on: an administrator's change of mailbox, and another
        worker's synchronization of the new one, committed since that snapshot would
        not be seen (a line's handle read there names other mail now)."""
        token = self.env.context.get("mail_inbox_first_state")
        told = self.env.cr.cache.pop(FIRST_READ_SYNC, None)
        return token is not None and told is not None and told[0] == self.id and told[1] is token

    @api.model
    def _get_mailbox_identity_fields(self):
        """The settings that may point the inbox at another mailbox (hook): a write of
        one of them compares ``_get_mailbox_identity`` before and after."""
        return {"protocol", "server", "login", "mailbox"}

    def _get_mailbox_identity(self):
        """What tells the mailbox this inbox reads (hook): its protocol, whose handles
        its lines hold, and its mailbox key (login, server, folder). Not the port nor
        the connection security: the same mailbox answers on several."""
        self.ensure_one()
        return (self.protocol, self.mailbox_key)

    def _reads_connected_mailbox(self):
        """Whether the mailbox the cycle connected to (``mail_inbox_connected`` in the
        context, set by ``_fetch``) is still the inbox's, as ``_read_sync_state`` read
        its row (True when not told)."""
        connected = self.env.context.get("mail_inbox_connected")
        return connected is None or tuple(connected) == self._get_mailbox_identity()

    def _still_connected_mailbox(self):
        """``_reads_connected_mailbox`` on the row as committed, for a write of the
        cycle in a later transaction than the read of the synchronization state, the
        row locked: an administrator's change of mailbox committed since (its reset)
        must not be undone by what the cycle found in the old mailbox (its cursor, its
        messages' lines). Whether the inbox is still active is read again with them
        (``_is_polled``)."""
        if self.env.context.get("mail_inbox_connected") is None:
            return True
        # Read again on this transaction's snapshot, through the hooks: an override of
        # _get_mailbox_identity names its fields in _get_mailbox_identity_fields.
        names = [*self._get_mailbox_identity_fields(), "protocol", "mailbox_key", "active"]
        names = [name for name in names if name in self._fields]
        self.flush_recordset(names)
        self.invalidate_recordset(names)
        if not self.exists():
            return False
        if self._reads_connected_mailbox():
            return True
        self._trace("The inbox's mailbox changed during the cycle: its state not stored")
        return False

    def _reset_sync_state(self):
        """Forget what these inboxes know of the mailbox they read until now, after
        their settings pointed them at another one (``write``): the stored cursor and
        the remembered POP3 listing (a listing from them would skip mail of the new
        mailbox, or list mail known under other handles as new), and which lines are on
        the server (the new mailbox may give their handles to other mail). The next
        cycle lists the whole mailbox; each message whose handle is a line's is that
        line's only if its header block is the line's, and the others are recognized by
        their header block as any renumbered mail (``_record_identified``): mail
        already made into a ticket is not made again, the rest is recorded. The
        keep-until-closed sweep runs again on the lines found back."""
        if not self:
            return
        ledger = self.env["mail.inbox.message"]
        # The inboxes' rows first, then their lines, as every writer of the
        # synchronization locks them (a cycle: its synchronization lock, then its
        # lines): the lines first, waiting for the row a synchronizing cycle holds
        # while it waits for them, was a deadlock (the ORM's UPDATE of the inbox
        # comes at its flush, after this).
        self.env.cr.execute(
            "SELECT id FROM mail_inbox WHERE id IN %s ORDER BY id FOR NO KEY UPDATE",
            [tuple(self.ids)],
            # A cycle's commit since this transaction began: a concurrency error, the
            # request retried (Odoo's HTTP layer), not a query to report.
            log_exceptions=False,
        )
        ledger.flush_model(["on_server", "server_uid", "header_digest"])
        self.env.cr.execute(
            "UPDATE mail_inbox_message SET on_server = FALSE WHERE inbox_id IN %s AND on_server "
            "RETURNING inbox_id",
            [tuple(self.ids)],
            log_exceptions=False,
        )
        listed = {row[0] for row in self.env.cr.fetchall()}
        # A line without a header digest (recorded before digests were, or its header
        # block refused when listed) cannot show that the new mailbox's message of its
        # handle is its own (_check_reused_handles takes such a line as before): it
        # keeps no handle, and is found again by its Message-ID (_read_recognition) or
        # not at all. Else that message was never recorded: lost.
        self.env.cr.execute(
            "UPDATE mail_inbox_message SET server_uid = NULL WHERE inbox_id IN %s "
            "AND header_digest IS NULL AND server_uid IS NOT NULL",
            [tuple(self.ids)],
            log_exceptions=False,
        )
        ledger.invalidate_model(["on_server", "server_uid"])
        if self._listing_stamps_ready():
            self.env.cr.execute(
                "DELETE FROM mail_inbox_listing_state WHERE inbox_id IN %s", [tuple(self.ids)]
            )
        for inbox in self.sudo():
            if inbox.sync_cursor:
                listed.add(inbox.id)
            inbox._write_poll_state({"sync_cursor": None, "keep_swept_date": False})
        # Told only where the old mailbox had been listed: not a new inbox's setup.
        self.browse(sorted(listed))._notify_sync_reset()

    def _notify_sync_reset(self):
        """Tell who reads the inbox's chatter that its mailbox is listed again."""
        for inbox in self:
            mailbox = f"{inbox.protocol.upper()} {inbox.mailbox_key}"
            inbox.message_post(
                body=self.env._(
                    "The inbox now reads another mailbox (%(mailbox)s): its next poll "
                    "lists the whole mailbox again. Mail already made into tickets is "
                    "recognized by its headers and not imported again.",
                    mailbox=mailbox,
                ),
                subtype_xmlid="mail.mt_note",
            )

    def _get_listing_cursor(self, recorded=None):
        """The stored cursor, never ahead of the ledger: an IMAP cursor whose UIDNEXT is
        past the newest UID the ledger holds for its UIDVALIDITY (however it got there)
        is taken back to that UID + 1, its message count by as much, so that the
        listing starts right after the last message recorded and skips none.
        ``recorded`` (by default the context's ``mail_inbox_cursor_recorded``, set by
        ``_sync_mailbox``): True when the read of the stored state found the ledger holding
        UIDNEXT - 1 (the usual case: the cursor is its own, nothing more to read)."""
        if recorded is None:
            recorded = self.env.context.get("mail_inbox_cursor_recorded")
        cursor = self.sync_cursor
        if not (isinstance(cursor, dict) and cursor.get("uidvalidity") and cursor.get("uidnext")):
            return cursor
        validity = str(cursor["uidvalidity"])
        if not validity.isdigit():
            return cursor
        if recorded or int(cursor["uidnext"]) <= 1:  # no UID before 1: none skipped
            return cursor
        cr = self.env.cr
        self.env["mail.inbox.message"].flush_model(["inbox_id", "server_uid"])
        if recorded is None:  # not told (False: the read found it missing)
            # Usually the ledger holds UIDNEXT - 1 (an index lookup): the cursor is its own.
            last = f"{validity}:{int(cursor['uidnext']) - 1}"
            cr.execute(
                "SELECT 1 FROM mail_inbox_message WHERE inbox_id = %s AND server_uid = %s LIMIT 1",
                [self.id, last],
            )
            if cr.fetchone():
                return cursor
        cr.execute(
            "SELECT max(substring(server_uid FROM %s)::bigint) FROM mail_inbox_message "
            "WHERE inbox_id = %s AND server_uid LIKE %s",
            [f"^{validity}:([0-9]+)$", self.id, f"{validity}:%"],
        )
        uidnext = (cr.fetchone()[0] or 0) + 1
        behind = cursor["uidnext"] - uidnext
        if behind <= 0:
            return cursor
        self._trace("Stored UIDNEXT %s past the ledger's: from %s", cursor["uidnext"], uidnext)
        messages = max((cursor.get("messages") or 0) - behind, 0)
        return dict(cursor, uidnext=uidnext, messages=messages)

    def _read_sync_state(self):
        """Read the stored synchronization state of this inbox (its cursor), without a
        lock: an unchanged mailbox writes nothing (``_lock_sync_state`` locks the row
        when something changed). Returns False (the inbox is gone), or a dict:
        ``cursor_recorded`` is True when the ledger holds the UID before the stored
        cursor's UIDNEXT (None: not known).

        The cycle's first read (``_read_cycle_state``, before it connected) read the
        same on its snapshot: that state is returned while the transaction is the same
        (the context's ``mail_inbox_first_state``, the cursor still in the cache), and
        ``_sync_mailbox`` asks again with it left out only when the mailbox changed
        since that cursor. Otherwise a new transaction is started first, whose
        snapshot then sees the last stored state; asked again that way (the context's
        ``mail_inbox_lock_on_read``), the same statement takes the synchronization
        lock, and the dict says so (``locked``: ``_lock_sync_state`` sends nothing)."""
        first = self.env.context.get("mail_inbox_first_state")
        if first is not None and self.env.cache.contains(self, self._fields["sync_cursor"]):
            return dict(first)
        commit(self.env)
        columns = self._sync_lock_columns()
        if self.env.context.get("mail_inbox_lock_on_read"):
            # The cycle's first read saw a change (new mail): the row is locked for the
            # synchronization by this transaction's first statement, the read itself
            # (its snapshot taken there: a change committed before it is seen, not a
            # conflict), and ``_lock_sync_state`` sends nothing more. Not locked (another
            # worker holds the row, or a conflict in the instant between the snapshot
            # and the lock; nothing else done in the transaction to undo): read and
            # locked as always.
            try:
                state = self._read_state_row(columns, lock=True)
            except psycopg2.errors.SerializationFailure:
                rollback(self.env)
                state = None
            if state:
                return dict(state, locked=True)
        return self._read_state_row(columns)

    def _read_cycle_state(self, names):
        """The cycle's first read, before it connects: ``names`` (its connection
        settings and what the rest of an idle cycle reads of the row) with the stored
        synchronization state, in the transaction's first statement (no commit before:
        the transaction is the cycle's own). Returns the state as ``_read_sync_state``
        does; False when the inbox is gone. The ledger is looked at only for a
        protocol keeping a cursor, as the cache or this process's last cycle of the
        inbox knows it (a POP3 cycle's statements name no ledger line it reads)."""
        registry = self.env.registry
        protocols = getattr(registry, "hmt_inbox_protocols", None)
        if protocols is None:
            protocols = registry.hmt_inbox_protocols = {}
        field = self._fields["protocol"]
        if self.env.cache.contains(self, field):
            protocol = self.env.cache.get(self, field)
        else:
            protocol = protocols.get(self.id)
        try:
            keeps_cursor = not protocol or source_class(protocol).keeps_cursor
        except KeyError:  # no source for it (its bridge not loaded): the cycle fails later
            keeps_cursor = True
        state = self._read_state_row(names, recorded=keeps_cursor)
        if state and "protocol" in names:
            protocols[self.id] = self.env.cache.get(self, field)
        return state

    def _read_state_row(self, names, recorded=True, lock=False):
        """One statement on this transaction's snapshot: the columns ``names`` (put in
        the cache as the ORM would), the stored cursor, and (``recorded``) whether the
        ledger holds the cursor's last UID (an index lookup, when the cursor's numbers
        are plain digits; else not known, None). See ``_read_sync_state``. ``lock``:
        the row locked ``FOR NO KEY UPDATE SKIP LOCKED`` by the same statement (None
        when it is not: held by another worker, or gone)."""
        self.flush_recordset()
        self.env["mail.inbox.message"].flush_model(["inbox_id", "server_uid"])
        # What the rest of the cycle reads of the row, read by this statement on its
        # snapshot too: a commit empties the cache, and one field missing there would
        # read the whole row again (every column, tokens included).
        names = [name for name in dict.fromkeys(names) if name != "sync_cursor"]
        check = SQL("NULL::boolean")
        if recorded:
            check = SQL(
                """CASE WHEN sync_cursor->>'uidvalidity' ~ '^[0-9]{1,18}$'
                         AND sync_cursor->>'uidnext' ~ '^[0-9]{1,18}$'
                   THEN EXISTS(
                       SELECT 1 FROM mail_inbox_message
                        WHERE inbox_id = %(id)s
                          AND server_uid = (sync_cursor->>'uidvalidity') || ':'
                              || ((sync_cursor->>'uidnext')::bigint - 1)::text)
                   END""",
                id=self.id,
            )
        self.env.cr.execute(
            SQL(
                "SELECT %(columns)s sync_cursor, %(check)s FROM %(table)s WHERE id = %(id)s"
                "%(lock)s",
                # Each column followed by its comma: none named, the cursor alone.
                columns=SQL("").join(SQL("%s, ", SQL.identifier(name)) for name in names),
                check=check,
                table=SQL.identifier(self._table),
                id=self.id,
                lock=SQL(" FOR NO KEY UPDATE SKIP LOCKED") if lock else SQL(""),
            ),
            log_exceptions=not lock,
        )
        row = self.env.cr.fetchone()
        self.invalidate_recordset(["sync_cursor", *names])
        if not row:
            return None if lock else False
        for name, value in zip([*names, "sync_cursor"], row, strict=False):
            field = self._fields[name]
            self.env.cache.update(self, field, [field.convert_to_cache(value, self)])
        return {"cursor_recorded": row[-1]}

    def _lock_sync_state(self):
        """Lock this inbox's row for the synchronization (after ``_read_sync_state``, in
        its transaction), unless another worker has it, or changed it since that read
        (its cursor is then newer than the one listed from: that worker synchronized).
        Returns whether it is locked. No statement when that read locked it already."""
        if self.env.context.get("mail_inbox_sync_locked"):  # by that read
            return True
        return self._lock_row(wait=False)

    def _sync_lock_columns(self):
        """The columns of ``_get_sync_lock_fields()`` one statement can read with the
        cursor and put in the cache."""
        return self._state_columns(self._get_sync_lock_fields())

    def _state_columns(self, names):
        """The fields of ``names`` that are columns of the row one statement can read
        with the cursor and put in the cache (``_read_state_row``)."""
        return [
            name
            for name in dict.fromkeys(names)
            if name in self._fields
            and name != "sync_cursor"
            # A column of the row (a field computed on the fly has a column type too).
            and self._fields[name].store
            and self._fields[name].column_type
            and not (self._fields[name].translate or self._fields[name].company_dependent)
        ]

    def _get_sync_lock_fields(self):
        """The inbox's columns the read of the synchronization state reads besides the
        cursor: those the rest of an idle cycle reads (server-action policy,
        keep-until-closed marks, status, trace) and the mailbox the settings name now
        (``_reads_connected_mailbox``), so that it reads the row no more.
        Hook: add the stored, non-translated fields an override reads (a many2one: its
        id; any other field named is left to be read as usual, when it is used)."""
        return (
            "name", "company_id", "trace", "state", "failure_count", "last_run_date",
            "email_storage", "error_behavior", "target_model", "keep_checked_date",
            "keep_swept_date", "protocol", "mailbox_key",
        )  # fmt: skip

    def _store_sync_cursor(self, cursor):
        """Remember the source's cursor the inbox's messages now reflect (written only
        if changed)."""
        self.fetch(["sync_cursor"])  # alone, when a commit emptied the cache
        if cursor == self.sync_cursor:
            # Nothing to write: the synchronization lock (taken when the listing showed a
            # change) is released by the cycle's next commit, with no server command
            # sent before it.
            return
        if self._lock_row():
            if self._still_connected_mailbox():
                self._write_sync_cursor(cursor)
        else:
            # Another worker stores a newer state meanwhile; the next cycle checks.
            self.invalidate_recordset(["sync_cursor"])
        commit(self.env)  # releases the synchronization lock

    def _write_sync_cursor(self, cursor):
        """Write ``cursor`` as the stored one, unless it is already (the row locked by
        this transaction)."""
        self.fetch(["sync_cursor"])  # alone, when a commit emptied the cache
        if cursor != self.sync_cursor:
            self._write_poll_state({"sync_cursor": cursor})

    def _store_count_after_server_actions(self, source, cursor):
        """After deletions or moves, store the cursor counting them in, unless mail
        arrived meanwhile (then the next cycle lists, as it must)."""
        after = source.cursor_after_changes(cursor)
        if after:
            self._store_sync_cursor(after)

    def _sync_with_server(self, remote, source=None):
        """Record every message seen on the server, and which ones left it.

        Insertion ignores conflicts, so two workers listing the same mailbox record a
        message once; when another worker changed the same rows meanwhile, the sync
        starts again on a fresh snapshot. With ``source``, the messages not known by
        their server handle are recorded by ``_record_identified`` (known mail under
        a new handle recognized), and a line is given back to a handle that may name
        another message now only once ``_check_reused_handles`` found it is the same.
        Returns the messages recorded now.
        """
        ledger = self.env["mail.inbox.message"]
        digest = self._listing_digest(remote, source) if source is not None else None
        if digest and self._listing_unchanged(digest):
            # Nothing written: the cycle goes on in this transaction, on this snapshot
            # (its last commit ends it), without a commit of its own.
            return ledger.browse()
        changes = self._listing_changes(remote)
        if not any(changes) and source is not None and self._last_renumbered(remote, source):
            changes = (set(_handles_and_sizes(remote)[0]), set())
        if not any(changes):
            if digest:
                self._remember_listing(digest)
            commit(self.env)
            return ledger.browse()
        checked = {}
        if source is not None and changes[0]:
            changed = _listed(remote, changes[0])
            checked = self._check_reused_handles(changed, source)
        for attempt in range(SYNC_RETRIES):
            try:
                with self.env.cr.savepoint(flush=False):
                    new_ids, unknown = self._sync_rows(
                        remote, insert=source is None, checked=checked, changes=changes
                    )
                break
            except psycopg2.errors.SerializationFailure:
                if attempt == SYNC_RETRIES - 1 or modules.module.current_test:
                    raise
                rollback(self.env)
                changes = None  # read again on the fresh snapshot
                # The change met may be an administrator's reset (another mailbox):
                # this listing is not the inbox's mail any more, nor its handles.
                if not self._still_connected_mailbox():
                    return ledger.browse()
        ledger.invalidate_model()
        commit(self.env)
        if unknown:
            new_ids += self._record_identified(source, unknown)
        return ledger.browse(new_ids)

    def _listing_digest(self, remote, source=None):
        """The digest of a POP3 listing as the comparison with the ledger reads it
        (``_listing_changes``: its handles, and its sizes when they are compared), or
        None when an unchanged listing may still hide a change: not a POP3 listing, or
        handles made of the message numbers (another message of the same size may
        have the same number: ``_last_renumbered`` reads a header block each cycle).
        Made of the server's answers when the source has them (``listing_digest``:
        the same answers make the same listing), so that an unchanged listing is
        never read line by line."""
        if not isinstance(remote, RemoteList) or _numbered_listing(remote, source):
            return None
        if not self._listing_stamps_ready():
            return None
        by_message_id = self._get_parse_settings().use_message_id_as_uid
        digest = hashlib.sha256(f"pop3 {self.id} {bool(by_message_id)}\n".encode())
        answered = getattr(source, "listing_digest", None)
        answered = answered() if answered else None
        if answered:
            digest.update(f"answers {answered}".encode())
            return digest.hexdigest()
        # A handle holds no line end: the one between handles keeps them apart.
        digest.update("\n".join(remote.uids).encode("utf-8", "surrogateescape"))
        if by_message_id:
            digest.update(("\n" + " ".join(map(str, remote.sizes))).encode())
        return digest.hexdigest()

    def _listing_stamps_ready(self):
        """Whether the database has the listing stamps (made by the addon's install or
        upgrade, on PostgreSQL 13 or later): code deployed before the upgrade compares
        every cycle. Asked once a registry."""
        registry = self.env.registry
        ready = getattr(registry, "hmt_listing_stamps", None)
        if ready is None:
            self.env.cr.execute("SELECT to_regclass('mail_inbox_listing_state') IS NOT NULL")
            ready = registry.hmt_listing_stamps = self.env.cr.fetchone()[0]
        return ready

    def _listing_unchanged(self, digest):
        """Whether the last comparison of this inbox's listing with its ledger was made
        on this same listing (``digest``) and found them equal, and nothing that
        comparison reads has changed since: no line of the inbox on the server
        inserted, deleted, or changed (handle, size, ``on_server``) by a transaction
        that comparison's snapshot did not see, committed or not (stamped by the
        database, ``mail.inbox.message._init_listing_stamps``). One statement, on
        indexes: the lines are not read, the listing is not sent. False as well when
        the transaction ids went back (a database restored into another cluster).

        In a cycle's first transaction (the context's ``mail_inbox_first_state``) the
        same statement reads what ``_find_pending_and_removable`` reads, kept for it
        when the listing is unchanged (nothing is written before it asks)."""
        first = self.env.context.get("mail_inbox_first_state")
        queries, plan = ([], None)
        if first is not None:
            queries, plan = self._pending_and_removable_queries()
        self.env["mail.inbox.message"].flush_model()
        check = SQL(
            """(SELECT NULL::integer, NULL::varchar, NULL::integer, true
                 FROM mail_inbox_listing_state state
                WHERE state.inbox_id = %(id)s AND state.digest = %(digest)s
                  AND pg_snapshot_xmax(pg_current_snapshot())
                      >= pg_snapshot_xmax(state.snapshot)
                  AND NOT EXISTS(
                      SELECT 1 FROM mail_inbox_message line
                       WHERE line.inbox_id = %(id)s AND line.listing_xid IS NOT NULL
                         AND line.listing_xid >= pg_snapshot_xmin(state.snapshot)
                         AND NOT pg_visible_in_snapshot(line.listing_xid, state.snapshot))
                  AND NOT EXISTS(
                      SELECT 1 FROM mail_inbox_listing_gone gone
                       WHERE gone.inbox_id = %(id)s
                         AND gone.xid >= pg_snapshot_xmin(state.snapshot)
                         AND NOT pg_visible_in_snapshot(gone.xid, state.snapshot)))""",
            id=self.id,
            digest=digest,
        )
        self.env.cr.execute(SQL(" UNION ALL ").join([check, *queries]))
        rows = self.env.cr.fetchall()
        unchanged = any(row[0] is None for row in rows)
        if unchanged and queries:
            found = self._pending_and_removable_from([r for r in rows if r[0] is not None], plan)
            self.env.cr.cache["hmt_pending_with_listing"] = (first, self.id, found)
        return unchanged

    def _remember_listing(self, digest):
        """Remember that the listing ``digest`` was found equal to the ledger on this
        transaction's snapshot (the one the comparison read: PostgreSQL's repeatable
        read keeps one snapshot a transaction). A conflict with another worker
        remembering the same inbox's listing is left to the next cycle.

        The same statement forgets the inbox's ``mail_inbox_listing_gone`` rows this
        snapshot sees: so does every snapshot remembered after it (taken after this
        commit: one that would not see it fails to write the row, a serialization
        failure; after a TRUNCATE, whose trigger forgets the row, the ledger is empty).
        Else the table grew by a row at each deletion, forever."""
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    """WITH purged AS (
                           DELETE FROM mail_inbox_listing_gone
                            WHERE inbox_id = %(id)s
                              AND pg_visible_in_snapshot(xid, pg_current_snapshot()))
                       INSERT INTO mail_inbox_listing_state (inbox_id, digest, snapshot)
                       VALUES (%(id)s, %(digest)s, pg_current_snapshot())
                       ON CONFLICT (inbox_id) DO UPDATE
                       SET digest = EXCLUDED.digest, snapshot = EXCLUDED.snapshot""",
                    {"id": self.id, "digest": digest},
                    log_exceptions=False,
                )
        except (psycopg2.errors.SerializationFailure, psycopg2.errors.LockNotAvailable):
            self._trace("Another worker remembers this inbox's listing")

    def _last_renumbered(self, remote, source):
        """Whether the last message of a POP3 listing whose handles are made of the
        message numbers is another message than its line's, the listing otherwise
        unchanged: as many messages deleted by another client as arrived, of the same
        sizes. New mail comes last, so its header block tells (one command a cycle,
        on such servers only)."""
        if source.keeps_cursor or not _numbered_listing(remote):
            return False
        last = remote.uids[-1]
        self.env["mail.inbox.message"].flush_model()
        self.env.cr.execute(
            "SELECT header_digest FROM mail_inbox_message WHERE inbox_id = %s AND on_server "
            "AND server_uid = %s AND header_digest IS NOT NULL ORDER BY id DESC LIMIT 1",
            [self.id, last],
        )
        row = self.env.cr.fetchone()
        if not row:
            return False
        try:
            same = header_digest(source.fetch_header(last)) == row[0]
        except (MessageError, ProtocolError) as error:  # not found too
            self._trace("Header of message %s unreadable: %s", last, error)
            return True
        if not same:
            self._trace("Message %s is another message than its line's", last)
        return not same

    def _check_reused_handles(self, remote, source):
        """By server handle, whether the listed message is still the message of the
        line known by that handle, for the handles that may have been given to another
        message: the line had left the server (POP3 servers whose UIDLs are message
        numbers, or reuse them), or, with use_message_id_as_uid, the listed size is not
        the line's. Its header block is read and compared with the line's header digest
        (a line without one is taken as before); unreadable, it is not the same."""
        ledger = self.env["mail.inbox.message"]
        by_message_id = self._get_parse_settings().use_message_id_as_uid
        ledger.flush_model()
        self.env.cr.execute(
            """SELECT DISTINCT ON (server_uid) server_uid, on_server, size, header_digest
                 FROM mail_inbox_message WHERE inbox_id = %s AND server_uid = ANY(%s)
                ORDER BY server_uid, on_server DESC, id DESC""",
            [self.id, [message.uid for message in remote]],
        )
        rows = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        checked = {}
        for message in remote:
            on_server, size, digest = rows.get(message.uid, (True, None, None))
            # A handle made of its message number may be given to another message of
            # the same size (see _listing_changes): a line still on the server is
            # checked whenever its handle is listed as changed.
            # A POP3 handle only: an IMAP one ("<validity>:<uid>") is never given again.
            numbered = not source.keeps_cursor and _numbered(message.uid, message.number)
            resized = by_message_id and size and message.size and size != message.size
            if not digest or (on_server and not resized and not numbered):
                continue
            try:
                checked[message.uid] = header_digest(source.fetch_header(message.uid)) == digest
            except (MessageError, ProtocolError) as error:  # not found too
                self._trace("Header of message %s unreadable: %s", message.uid, error)
                checked[message.uid] = False
            if not checked[message.uid]:
                self._trace("Message %s is another message than its line's", message.uid)
        return checked

    def _listing_changes(self, remote):
        """What differs between a complete listing and the ledger, computed by the
        database: the handles listed without a line on the server (new, back, or given
        to another message), with ``use_message_id_as_uid`` or handles made of the
        message numbers also those listed with another size than their line's; and the
        ids of the lines on the server that are not listed (they left it). An unchanged
        mailbox returns no row: the lines of the mail still there are never sent back
        (POP3 lists the whole mailbox at each cycle, and a kept mailbox grows all year)."""
        # Sizes are compared with use_message_id_as_uid (keys that are no handles), and
        # when the handles are made of the message numbers ("1", "msg-2"...; RFC 1939
        # forbids it): such a server gives a deleted message's handle to the next one,
        # which a line still on the server would take for its own email.
        by_message_id = self._get_parse_settings().use_message_id_as_uid
        numbered = _numbered_listing(remote)
        by_size = by_message_id or numbered
        self.env["mail.inbox.message"].flush_model()
        handles, sizes = _handles_and_sizes(remote)
        uids = handles
        joined = " ".join(handles)
        if joined.split() == handles:
            # The handles travel as one text (POP3 UIDLs are printable characters
            # without space, IMAP ones "<validity>:<uid>"), which PostgreSQL splits
            # much faster than it parses an array literal of 100,000 strings.
            sizes = " ".join(str(size or 0) for size in sizes) if by_size else ""
            uids = joined
            listed = "unnest(string_to_array(%s, ' '), string_to_array(%s, ' ')::integer[])"
        else:  # handles with white space (or empty)
            sizes = [size or 0 for size in sizes]
            listed = "unnest(%s::varchar[], %s::integer[])"
        # Sizes are compared only then (``by_size``): otherwise none is sent.
        resized = "OR (line.size > 0 AND listed.size > 0 AND line.size != listed.size)"
        # The statement is made of constant parts only; the values are parameters.
        self.env.cr.execute(  # pylint: disable=sql-injection
            f"""SELECT listed.uid, line.id
                 FROM {listed} AS listed(uid, size)
                 FULL JOIN (SELECT id, server_uid, size FROM mail_inbox_message
                             WHERE inbox_id = %s AND on_server) AS line
                   ON line.server_uid = listed.uid
                WHERE line.id IS NULL OR listed.uid IS NULL {resized if by_size else ""}""",
            [uids, sizes, self.id],
        )
        changed, gone = set(), set()
        for uid, line_id in self.env.cr.fetchall():
            if uid is None:
                gone.add(line_id)
            else:
                changed.add(uid)
        if numbered and (changed or gone):
            # A message left (or came): every number after it may name another message
            # now, of the same size too. All are checked by their header block
            # (_check_reused_handles), on a cycle that changed the mailbox only.
            changed.update(handles)
        return changed, gone

    def _sync_rows(self, remote, insert=True, checked=None, changes=None):
        """Mark the lines that left the server or came back, by their server handle;
        insert lines for the messages not known (unless ``insert`` is false). Returns
        the ids inserted and the messages left to insert. ``checked``: by handle,
        whether the listed message is its line's (``_check_reused_handles``); one
        that is not is another message, its line left the server. ``changes``: what
        ``_listing_changes`` found on this snapshot (read when not given)."""
        cr = self.env.cr
        # Only the lines that can change: those of the handles that changed and those
        # that left the server. The lines of the mail still there are never read.
        changed, gone_ids = changes or self._listing_changes(remote)
        if not changed and not gone_ids:
            return [], []
        cr.execute(
            "SELECT server_uid, id, on_server FROM mail_inbox_message WHERE id = ANY(%s) "
            "UNION SELECT server_uid, id, on_server FROM mail_inbox_message "
            "WHERE inbox_id = %s AND server_uid = ANY(%s) ORDER BY on_server, id",
            [list(gone_ids), self.id, list(changed)],
        )
        # A handle on the server wins over a stale one (a line that left it).
        known = {uid: (rid, on_server) for uid, rid, on_server in cr.fetchall()}
        checked = checked or {}
        for uid in [uid for uid, same in checked.items() if not same and uid in known]:
            if known[uid][1]:  # on the server no more: its handle names another message
                cr.execute(
                    "UPDATE mail_inbox_message SET on_server = FALSE WHERE id = %s",
                    [known[uid][0]],
                    log_exceptions=False,
                )
            del known[uid]
        unknown = _listed(remote, {uid for uid in changed if uid not in known})
        new_ids = self._insert_lines(unknown) if insert else []
        gone = sorted(gone_ids)  # every line of a handle not listed, duplicates too
        # The lines known off the server are of changed handles, all listed: they are back.
        back = [rid for rid, on_server in known.values() if not on_server]
        if gone:
            cr.execute(
                "UPDATE mail_inbox_message SET on_server = FALSE WHERE id IN %s",
                [tuple(gone)],
                log_exceptions=False,
            )
        if back:
            cr.execute(
                "UPDATE mail_inbox_message SET on_server = TRUE WHERE id IN %s",
                [tuple(back)],
                log_exceptions=False,
            )
        for message in _listed(remote, {uid for uid, same in checked.items() if same}):
            if message.size and message.uid in known:
                cr.execute(  # the same message: its listed size, checked no more
                    "UPDATE mail_inbox_message SET size = %s WHERE id = %s AND size != %s",
                    [message.size, known[message.uid][0], message.size],
                    log_exceptions=False,
                )
        return new_ids, [] if insert else unknown

    def _record_new_messages(self, remote, source=None, **steps):
        """Record messages listed as new (IMAP UIDs above the last UIDNEXT); returns the
        new lines. With ``source``, by ``_record_identified`` (given ``steps``)."""
        ledger = self.env["mail.inbox.message"]
        if source is not None:
            return ledger.browse(self._record_identified(source, remote, **steps))
        new_ids = self._insert_lines(remote)
        commit(self.env)
        return ledger.browse(new_ids)

    def _insert_lines(self, remote, identities=None):
        """Insert a line (mail.inbox.message) per listed message, in bulk; conflicts are ignored
        (another worker recorded them). ``identities`` gives, by server handle, the
        line's key, header digest and Message-ID (by default: the handle, none, none).
        Returns the ids inserted."""
        cr, new_ids, identities = self.env.cr, [], identities or {}
        for start in range(0, len(remote), INSERT_CHUNK):
            rows = [
                cr.mogrify(
                    "(%s, %s, %s, %s, %s, %s, %s, 'new', 0, TRUE, %s, %s, "
                    "now() at time zone 'UTC', now() at time zone 'UTC')",
                    [self.id, self.company_id.id or None,
                     *identities.get(message.uid, (message.uid, None, None)), message.uid,
                     message.size, self.env.uid, self.env.uid],
                ).decode()
                for message in remote[start : start + INSERT_CHUNK]
            ]  # fmt: skip
            # The rows are values psycopg2 itself quoted (mogrify) above.
            cr.execute(  # pylint: disable=sql-injection
                "INSERT INTO mail_inbox_message (inbox_id, company_id, uid, header_digest, "
                "message_id, server_uid, size, state, attempts, on_server, create_uid, write_uid, "
                f"create_date, write_date) VALUES {', '.join(rows)} "
                "ON CONFLICT (inbox_id, uid) DO NOTHING RETURNING id",
                log_exceptions=False,
            )
            new_ids += [row[0] for row in cr.fetchall()]
        return new_ids

    def _record_identified(
        self, source, remote, locked=False, before_last_commit=None, leave_last_commit=False
    ):
        """Record messages the inbox does not know by their server handle, their
        header block read first. One it knows under another handle (the
        server renumbered its mailbox: a new UIDVALIDITY, new POP3 UIDLs) gets its
        line back, whatever its state: nothing is imported or forwarded again. The
        others get new lines, keyed by their handle or, with use_message_id_as_uid,
        by their Message-ID (``_identity_key``).

        In steps of RECOGNIZE_BATCH messages, each committed under the inbox's row
        lock, so one worker at a time records them: an interrupted cycle leaves the
        messages not recorded yet to the next listing, which finds them again.
        ``locked``: this transaction holds the lock already (the synchronization's),
        the first step does not take it again. ``before_last_commit``: called in the
        last step's transaction, after its lines are written, before its commit, with
        whether every message of ``remote`` was seen to get or have its line (False:
        not known, a message gone or a key taken meanwhile).
        ``leave_last_commit``: the last step is not committed here; the caller's next
        commit ends it (before any download or server command: the lines must be in
        the database first). Returns the ids of the new lines."""
        ledger = self.env["mail.inbox.message"]
        by_message_id = self._get_parse_settings().use_message_id_as_uid
        new_ids, all_recorded = [], True
        for start, end in self._recording_steps(len(remote)):
            if not (locked and not start) and not self._lock_recording_step():
                self._trace(
                    "Another worker records this inbox's messages: %d left to it",
                    len(remote) - start,
                )
                break
            if start or not locked:
                # A step of its own (the first one under the synchronization's lock
                # was checked by _sync_mailbox): the settings may name another mailbox
                # since, whose reset the old one's lines would undo.
                if not self._still_connected_mailbox():
                    break
            batch = remote[start:end]
            try:
                # Not released when the step succeeds (``step_savepoint``).
                with step_savepoint(self.env, flush=False):
                    step_ids, step_recorded = self._record_batch(source, batch, by_message_id)
                    new_ids += step_ids
                    all_recorded = all_recorded and step_recorded
                    if before_last_commit and end >= len(remote):
                        before_last_commit(all_recorded)
            except psycopg2.errors.SerializationFailure:
                self._trace("Lines changed by another worker: recording left to the next cycle")
                rollback(self.env)
                break
            ledger.invalidate_model()
            if not (leave_last_commit and end >= len(remote)):
                commit(self.env)
        return new_ids

    def _lock_recording_step(self):
        """Lock the row for a step of ``_record_identified`` (its transaction's first
        statement); False when another worker synchronizes. The row may be held for a
        moment by a worker that is not synchronizing: one recording its failure or new
        errors (which wait for the row, hence take it the moment a step commits), its
        status or keep marks. So a step that finds it held waits for that worker's
        commit, then locks it again on a fresh snapshot, which sees what it committed
        (lines it recorded are skipped); held again, another worker synchronizes."""
        if self._lock_row(wait=False):
            return True
        self._lock_row()  # waits; a change of the row by the holder fails it: no matter
        commit(self.env)
        return self._lock_row(wait=False)

    def _recording_steps(self, count):
        """The ``(start, end)`` slices of ``_record_identified``'s committed steps for
        ``count`` listed messages: the first is one batch of processing
        (``_get_batch_size()``), so that the other workers have mail to process after
        the headers of a batch instead of RECOGNIZE_BATCH, while this worker records
        the rest; then RECOGNIZE_BATCH each."""
        first = min(self._get_batch_size(), RECOGNIZE_BATCH)
        bounds = [0, *range(first, count, RECOGNIZE_BATCH), count]
        return [(start, end) for start, end in itertools.pairwise(bounds) if end > start]

    def _record_batch(self, source, batch, by_message_id):
        """One step of ``_record_identified``; returns the ids of the new lines, and
        whether each message of ``batch`` was seen to have or get its line."""
        handles = [message.uid for message in batch]
        # Header blocks the listing brought cost no command: read first, the ledger is
        # then read once for the lines of the handles, the known lines and the keys.
        # Else the recorded handles first: no command for what another worker recorded.
        ahead = all(source.holds_header(uid) for uid in handles)
        recorded = set() if ahead else self._read_recognition(handles=handles)[0]
        identities = {}
        for message in batch:
            if message.uid in recorded:
                continue  # by another worker since the listing
            try:
                identities[message.uid] = header_identity(source.fetch_header(message.uid))
            except MessageNotFoundError:
                continue  # gone since the listing
            except (MessageError, ProtocolError) as error:
                # The server refuses this message alone: recorded by its handle, its
                # download then counts against it, not against the inbox's sync.
                self._trace("Header of message %s unreadable: %s", message.uid, error)
                identities[message.uid] = ("", None)
        found, known, free = self._read_recognition(
            handles if ahead else (),
            identities.values(),
            [_text(mid) or f"hdr:{digest}" for mid, digest in identities.values() if digest]
            if by_message_id
            else list(identities),
        )
        cr = self.env.cr
        for uid in found:  # by another worker since the listing
            identities.pop(uid, None)
        recorded |= found
        listed, taken, keys = [m for m in batch if m.uid in identities], set(), {}
        # A message gone since the listing has no line (the next listing tells).
        all_recorded = {m.uid for m in listed} | recorded == set(handles)
        for message in listed:
            message_id, digest = identities[message.uid]
            line = digest and self._pick_known_line(known, message, message_id, digest)
            if digest and by_message_id:
                identity = _text(message_id) or f"hdr:{digest}"
                kept = line and (line[1] == identity or line[1].startswith(identity + "#"))
                key = line[1] if kept else self._identity_key(identity, digest, taken, free)
            elif line and line[1] == message.uid:
                key = message.uid
            else:  # its handle may be the key of another line (a reused UIDL)
                fallback = digest or hashlib.sha256(message.uid.encode()).hexdigest()
                key = self._identity_key(message.uid, fallback, taken, free)
            taken.add(key)
            if line:
                cr.execute(
                    "UPDATE mail_inbox_message SET uid = %s, server_uid = %s, on_server = TRUE, "
                    "header_digest = %s, write_date = now() at time zone 'UTC', write_uid = %s "
                    "WHERE id = %s",
                    [key, message.uid, digest, self.env.uid, line[0]],
                    log_exceptions=False,
                )
                self._trace("Message %s is %s, already known", message.uid, line[1])
            else:
                keys[message.uid] = (key, digest, _text(message_id)[:998] or None)
        new_ids = self._insert_lines([m for m in listed if m.uid in keys], keys)
        # A line inserted for each (none of their keys taken by another worker meanwhile).
        return new_ids, all_recorded and len(new_ids) == len(keys)

    def _count_unrecorded(self, remote):
        """How many of the ``remote`` messages have no line on the server yet."""
        ledger = self.env["mail.inbox.message"]
        ledger.flush_model()
        self.env.cr.execute(
            "SELECT count(DISTINCT server_uid) FROM mail_inbox_message WHERE inbox_id = %s "
            "AND on_server AND server_uid = ANY(%s)",
            [self.id, [message.uid for message in remote]],
        )
        return len({message.uid for message in remote}) - self.env.cr.fetchone()[0]

    def _read_recognition(self, handles=(), identities=(), keys=()):
        """What a step of ``_record_identified`` reads of this inbox's lines, in one
        statement: the ``handles`` that have a line on the server (a set); the lines
        that left the server and may be these messages (``(message_id, header_digest)``
        pairs in ``identities``): same header digest, or, for lines recorded before
        header digests were, same Message-ID (``(id, uid, header_digest, message_id,
        size)`` rows, oldest first); those of ``keys`` no line holds (a set: the keys
        most new messages get, checked together by ``_identity_key``). With them, the
        cycle's user's language, which processing the new lines needs
        (``_get_user_lang``), put in the cache when neither it nor the context has it."""
        identities = list(identities)
        digests = [digest for _mid, digest in identities if digest]
        message_ids = [_text(mid) for mid, _digest in identities if mid]
        queries = []
        if handles:
            queries.append(SQL(
                "(SELECT 0, id, server_uid, NULL::varchar, NULL::varchar, NULL::integer "
                "FROM mail_inbox_message WHERE inbox_id = %s AND on_server "
                "AND server_uid = ANY(%s))",
                self.id, list(handles),
            ))  # fmt: skip
        if digests or message_ids:
            queries.append(SQL(
                "(SELECT 1, id, uid, header_digest, message_id, size FROM mail_inbox_message "
                "WHERE inbox_id = %s AND NOT on_server AND uid NOT LIKE %s "
                "AND (header_digest = ANY(%s) OR (header_digest IS NULL "
                "AND message_id = ANY(%s))))",
                self.id, "push:%", digests, message_ids,
            ))  # fmt: skip
        if keys:
            queries.append(SQL(
                "(SELECT 2, NULL::integer, uid, NULL::varchar, NULL::varchar, NULL::integer "
                "FROM mail_inbox_message WHERE inbox_id = %s AND uid = ANY(%s))",
                self.id, list(keys),
            ))  # fmt: skip
        rows = []
        if queries:
            lang = self._user_lang_query()
            if lang is not None:
                queries.append(SQL(
                    "(SELECT 3, NULL::integer, (%s), NULL::varchar, NULL::varchar, "
                    "NULL::integer)",
                    lang,
                ))  # fmt: skip
            self.env.cr.execute(SQL(" UNION ALL ").join(queries))
            rows = self.env.cr.fetchall()
            for row in rows:
                if row[0] == 3 and row[2] is not None:
                    user = self.env.user
                    self.env.cache.update(user, user._fields["lang"], [row[2]])
        recorded = {row[2] for row in rows if row[0] == 0}
        known = sorted(row[1:] for row in rows if row[0] == 1)
        return recorded, known, set(keys) - {row[2] for row in rows if row[0] == 2}

    def _pick_known_line(self, known, message, message_id, digest):
        """The first of the ``known`` rows that is ``message`` (same header digest and
        size, or a line without digest with its Message-ID), taken out of ``known``."""
        for index, row in enumerate(known):
            _rid, _uid, row_digest, row_message_id, size = row
            same_size = not (size and message.size) or size == message.size
            if (row_digest == digest and same_size) or (
                row_digest is None and message_id and row_message_id == _text(message_id)
            ):
                return known.pop(index)
        return None

    def _identity_key(self, identity, digest, taken, free=frozenset()):
        """A free key (``uid``) for a message keyed by its Message-ID (use_message_id_as_uid):
        the Message-ID, else (another email uses it, or another copy of the same
        email is in the mailbox) the Message-ID and its header digest. The same for a
        message keyed by its server handle, which a line that left may hold.
        ``taken``: the keys this step gave already; ``free``: keys found free by
        ``_read_recognition`` in this step (no other statement checks them)."""
        candidates = [identity, f"{identity}#{digest[:16]}"]
        candidates += [f"{identity}#{digest[:16]}#{n}" for n in range(2, 1000)]
        for key in candidates:
            if key in taken:
                continue
            if key in free:
                return key
            self.env.cr.execute(
                "SELECT 1 FROM mail_inbox_message WHERE inbox_id = %s AND uid = %s",
                [self.id, key],
            )
            if not self.env.cr.fetchone():
                return key
        raise InboxProcessingError(f"No free key for {identity}")


_TRAILING_NUMBER = re.compile(r"(?<![0-9])([0-9]+)\Z")


def _numbered(uid, number):
    """Whether the handle ``uid`` ends with the message number ``number`` ("7",
    "msg-7"): a server that derives its POP3 UIDLs from the message numbers."""
    found = _TRAILING_NUMBER.search(uid or "")
    return bool(found) and found.group(1).lstrip("0") == str(number)


def _numbered_listing(remote, source=None):
    """Whether a POP3 listing's handles are made of its message numbers, told by its
    first and last message (no real UIDL ends with its number at both ends), as the
    source reads them without reading the whole listing when it can."""
    if not isinstance(remote, RemoteList):
        return False
    edges = getattr(source, "listing_edges", None)
    if edges:
        edges = edges()
    elif remote.uids:
        edges = (remote.uids[0], remote.numbers[0]), (remote.uids[-1], remote.numbers[-1])
    if not edges:
        return False
    (first, number), (last, last_number) = edges
    return _numbered(first, number) and _numbered(last, last_number)


def _handles_and_sizes(remote):
    """The handles and the sizes (None or 0 when unknown) of a listing, as two lists."""
    if isinstance(remote, RemoteList):
        return remote.uids, remote.sizes
    return [message.uid for message in remote], [message.size for message in remote]


def _listed(remote, uids):
    """The messages of a listing whose handle is in ``uids``, in listing order, built
    for those only (a POP3 listing of the whole mailbox is a RemoteList)."""
    if not uids:
        return []
    if isinstance(remote, RemoteList):
        return remote.where(uids)
    return [message for message in remote if message.uid in uids]
