# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""A message's exactly-once machinery: claim a message, count the attempt,
process it under its email's lock, release it (the locks: ``..transaction``)."""

import logging
from contextlib import contextmanager
from datetime import timedelta

import psycopg2

from odoo import api, models
from odoo.tools import SQL

from ..mailparse import header_ids, parse_message
from ..mailsource import MailSourceError, MessageError, MessageNotFoundError, ProtocolError
from ..transaction import (
    FIRST_ALIAS_DOMAIN,
    LEASE_NS,
    NOT_DURABLE,
    SYNC_RETRIES,
    commit,
    email_lock_key,
    keep_with_cached,
    release_lease,
    release_leases_held,
    release_locks,
    rollback,
    session_lock,
    step_savepoint,
    wait_for_lease,
)
from .mail_inbox_message import MAX_ATTEMPTS, InboxProcessingError, _text

# The messages' logger, whichever file of the model logs (log handlers name it).
_logger = logging.getLogger(__package__ + ".mail_inbox_message")

TRACE_MAX_CHARS = 20_000
# How long after it was recorded a reply may wait for the email it answers when that
# email is still new in another inbox (``_answered_elsewhere``).
CROSS_INBOX_WAIT = timedelta(hours=1)


class _NotClaimed(Exception):
    """Another worker has the message (see ``MailInboxMessage._claim_attempt``)."""


class Handoff:
    """A batch's next message, claimed by the commit of the previous one's outcome
    (``MailInboxMessage._commit_outcome``): one commit per message fewer. The batch
    sets ``following`` before each message and calls ``release`` at its end, so that
    no lease outlives it (a lease is a session lock: it would stay with a pooled
    connection)."""

    def __init__(self):
        self.following = None
        self._claimed = None  # (message, (attempts before, marked))

    def hand(self, message, claim):
        self._claimed = (message, claim)

    def holds(self, message):
        """Whether the previous commit claimed ``message`` (not taken yet)."""
        return bool(self._claimed) and self._claimed[0].id == message.id

    def take(self, message):
        """The claim made for ``message`` by the previous commit, if any (taken once)."""
        claimed, self._claimed = self._claimed, None
        if claimed and claimed[0].id == message.id:
            return claimed[1]
        if claimed:
            claimed[0]._release()
        return None

    def release(self):
        """Give back the lease of a message claimed ahead and never processed."""
        claimed, self._claimed = self._claimed, None
        if claimed:
            claimed[0]._release()


# One concern of mail.inbox.message per file, as Odoo splits a large model: intended.
class MailInboxMessage(models.Model):
    _inherit = "mail.inbox.message"  # pylint: disable=consider-merging-classes-inherited

    def _process_isolated(self, source, settings, handoff=None):
        """Process one message so that nothing it does can stop the messages after it:
        an unexpected failure is logged, undone, and retried by the next cycle (its
        attempt is counted). A lost connection still ends the cycle."""
        try:
            return self._process(source, settings, handoff)
        except MailSourceError:
            raise
        except Exception:
            _logger.exception("Message %s of %s: processing aborted", self.uid, self.inbox_id.name)
            rollback(self.env)
            return None

    def _process(self, source, settings, handoff=None):
        """Process one recorded message, exactly once. Returns its new state, or None
        when another worker has it or it is left for the next cycle.

        ``handoff`` (a ``Handoff``, from a batch): this message may have been claimed
        by the commit of the previous message's outcome; the commit of this one's
        claims ``handoff.following`` and marks its download started."""
        self.ensure_one()
        claim = handoff.take(self) if handoff is not None else None
        previous, marked = claim if claim else (self._claim_attempt(), False)
        if previous is None:
            return None
        email_keys = []  # the email's lock, let go with the lease: one statement
        try:
            return self._process_attempt(
                source, settings, previous, marked, handoff, email_keys=email_keys
            )
        finally:
            if email_keys:
                self._release_reading_inbox(email_keys)
            else:
                self._release()

    def _release_reading_inbox(self, email_keys):
        """Give this message's lease and its email's locks ``email_keys`` back, in one
        statement which reads, as superuser, the inbox's columns the cycle reads next
        (``_get_sync_lock_fields``: the server actions' check, the cycle's status) and
        puts them in the cache as the ORM's read would: after the outcome's commit
        (which emptied the cache) it is its transaction's first statement, so they are
        what that read would find on the same snapshot. One statement fewer."""
        inbox_model = self.env["mail.inbox"]
        names = inbox_model._sync_lock_columns() if self.env.su else []
        if not names:
            release_locks(self.env, [self.id], email_keys)
            return
        try:
            inbox_model.flush_model(names)
        except psycopg2.Error:
            # The transaction failed (a query of the processing, its commit's flush)
            # with a write of the inbox pending: undone, the locks are still given back
            # (session locks: they would outlive the message on this connection).
            rollback(self.env)
        row = release_locks(
            self.env,
            [self.id],
            email_keys,
            also=(
                SQL(", ").join(SQL.identifier("inbox", name) for name in ["id", *names]),
                SQL(
                    "LEFT JOIN mail_inbox_message line ON line.id = %s "
                    "LEFT JOIN mail_inbox inbox ON inbox.id = line.inbox_id",
                    self.id,
                ),
            ),
        )
        self._cache_inbox_read(names, row)

    def _claim_attempt(self):
        """Take this message for one processing attempt, in one statement: lock its row
        and take its lease (``transaction``: other workers skip the message meanwhile).
        Returns the attempts made before this one, or None when another worker has
        the message or it is done. The caller counts the attempt
        (``_count_attempt``) and commits it before the message is parsed (it must be
        remembered before anything can crash), and calls ``_release``."""
        self.flush_recordset()
        try:
            # Not released when the claim succeeds (``step_savepoint``).
            with step_savepoint(self.env, flush=False):
                self.env.cr.execute(
                    # The row lock is a materialized CTE, so the lease is tried on the
                    # locked row alone (a condition in the same WHERE could be
                    # evaluated on every row the planner scans, leasing them all).
                    """WITH locked AS MATERIALIZED (
                            SELECT id, COALESCE(attempts, 0) AS attempts
                              FROM mail_inbox_message
                             WHERE id = %(id)s AND state = 'new' FOR UPDATE SKIP LOCKED
                       )
                       SELECT attempts FROM locked WHERE pg_try_advisory_lock(%(lease)s, id)""",
                    {"id": self.id, "lease": LEASE_NS},
                    log_exceptions=False,
                )
                row = self.env.cr.fetchone()
                if not row:
                    # Undo the savepoint: it releases the row lock taken when the lease
                    # was refused, which would hold up the worker that has the lease.
                    raise _NotClaimed()
        except (_NotClaimed, psycopg2.errors.SerializationFailure):
            row = None  # another worker has it, or changed it since this snapshot
        return row[0] if row else None

    def _count_attempt(self, stable_id=None, reason=None, email_keys=None):
        """Count this attempt and record the email's stable id (committed with it, a
        worker holding a reply to the email can tell it is in flight), in the only
        UPDATE of this line in its transaction: PostgreSQL checks the foreign keys of
        a row updated twice by one transaction again, and that check fails when
        another worker changed the inbox since this transaction's snapshot.

        ``email_keys`` (a list), with a stable id: the same statement takes the
        email's lock once the row is updated (``_email_lock``, ``held=True``), and its
        key is added to the list first: a lock taken by a statement that fails
        afterwards is held all the same, and the list's holder lets it go (a lock not
        held is let go as a no-op). Returns whether the lock is held."""
        self.ensure_one()
        key = email_lock_key(stable_id) if email_keys is not None and stable_id else None
        if key is not None:
            email_keys.append(key)
        counted = self._count_attempts([stable_id], reason=reason, email_key=key)
        if key is not None and not counted:  # the line is gone: the lock alone
            self.env.cr.execute("SELECT pg_advisory_lock(%s)", [key])
        return key is not None

    def _count_attempts(self, stable_ids, reason=None, email_key=None):
        """``_count_attempt`` for these messages in one statement (a batch's), each
        with its email's stable id (``stable_ids``, in the order of ``self``; None
        keeps the line's). ``email_key``: the session lock the statement takes once
        the rows are updated (``_count_attempt``). Returns how many rows it counted."""
        if not self:
            return 0
        self.flush_recordset()
        lock = " RETURNING pg_advisory_lock(%(key)s)" if email_key is not None else ""
        self.env.cr.execute(
            """UPDATE mail_inbox_message AS line
                  SET attempts = LEAST(COALESCE(line.attempts, 0) + 1, %(max)s),
                      download_started = NULL, connection_failures = 0,
                      stable_id = COALESCE(counted.stable_id, line.stable_id),
                      reason = COALESCE(%(reason)s, CASE WHEN line.reason = ANY(%(left)s)
                                                         THEN NULL ELSE line.reason END),
                      write_date = now() at time zone 'UTC', write_uid = %(uid)s
                 FROM unnest(%(ids)s::int[], %(stable_ids)s::varchar[]) AS counted(id, stable_id)
                WHERE line.id = counted.id"""
            + lock,
            {
                "key": email_key,
                "ids": self.ids,
                "stable_ids": list(stable_ids),
                "reason": reason,
                "left": self._left_for_later_reasons(),
                "max": MAX_ATTEMPTS,
                "uid": self.env.uid,
            },
        )
        self.invalidate_recordset(
            ["attempts", "stable_id", "reason", "write_date", "write_uid", "download_started",
             "connection_failures"]
        )  # fmt: skip
        return self.env.cr.rowcount

    def _release(self):
        """Give this message's lease back (see ``_claim_attempt``)."""
        release_lease(self.env, self.id)

    def _process_attempt(
        self, source, settings, previous, marked=False, handoff=None, email_keys=None
    ):
        """Download, then parse and act on a claimed message. The attempt is counted
        and committed before the message is parsed: a crash while parsing or
        processing it is remembered, so a poison message cannot loop. The same commit,
        made once the email's lock is held, starts a transaction whose snapshot sees
        what the lock's previous holder committed. ``marked``: its download was marked
        started by the previous message's commit (``_claim_following``). ``email_keys``:
        a list the email's lock is added to instead of being let go here (see
        ``_email_lock``)."""
        if not marked and self._count_connection_failure(source):
            return self.state
        raw, state = self._download(source, settings, previous, marked)
        if raw is None:
            return state
        if previous >= MAX_ATTEMPTS:
            reason = self.env._(
                "Processing this message failed %(count)s times; it is set aside.",
                count=previous,
            )
            self._record_raw_headers(raw)
            self._set_error(raw, f"{reason} {self.reason or ''}".strip())
            commit(self.env)
            return self.state
        key, answered = header_ids(raw)  # the header block only: safe before the commit
        held = self._count_attempt(_text(key), email_keys=email_keys)
        with self._email_lock(_text(key), email_keys, held=held) as email_key:
            if answered and self._wait_for_answered_in_flight(answered, email_key):
                self._leave_for_later_reply()
                return None
            elsewhere = answered and self._answered_elsewhere(answered)
            if elsewhere:
                self._leave_for_later_reply(elsewhere)
                return None
            parsed = parse_message(raw, settings)
            if not self._claim():
                return None
            self._process_claimed(parsed, raw)
            state = self.state  # read before the commit, which empties the cache
            self._commit_outcome(handoff)
        return state

    def _download(self, source, settings, previous, marked=False):
        """This claimed message's bytes: ``(raw, None)``; or ``(None, state)`` when its
        download failed on its own account, the failure recorded and committed as an
        attempt of this message (``state``: its new state, None when it stays new). A
        failure of the connection is raised: it is no attempt of the message."""
        try:
            return self._get_raw(source, settings, marked), None
        except InboxProcessingError as error:
            self._set_error(None, str(error))
            commit(self.env)
            return None, self.state
        except MessageNotFoundError:
            # Deleted by another client since the listing; the next sync records it.
            self.write({"on_server": False, "download_started": False})
            commit(self.env)
            return None, None
        except MessageError as error:
            # The server refuses this message (a damaged one): its failure alone.
            return None, self._record_download_failure(source, error, previous)
        except MailSourceError as error:
            # The connection's (reset, timeout): it fails the cycle and is no attempt
            # of the message; its download, marked started, is counted by the next
            # cycle (_count_connection_failure). The cycle's failure names it.
            error.download_note = self.env._(
                "The connection died while message %(message)s was downloaded (%(count)s "
                "of %(max)s times in a row before it is set aside).",
                message=self.message_id or self.uid,
                count=self.connection_failures + 1,
                max=MAX_ATTEMPTS,
            )
            raise

    def _commit_outcome(self, handoff=None):
        """Commit this message's outcome, and with it (one commit fewer per message)
        the claim of the batch's next message and the mark of its download
        (``_claim_following``). The email's lock and this message's lease are let go
        after the commit, as before."""
        self._commit_claiming(handoff.following if handoff is not None else None, handoff)

    @api.model
    def _commit_claiming(self, following, handoff, durable=True):
        """Commit, and in the same transaction claim ``following`` (one message, or
        None) and mark its download started (``_claim_following``); its claim is
        handed to ``handoff``, its lease let go if the commit fails. ``durable=False``
        when the transaction holds bookkeeping only (``transaction.commit``): the
        claim's statement turns the commit's wait for the disk off itself."""
        claim = following._claim_following(durable=durable) if following else None
        try:
            commit(self.env, durable=durable, turned_off=bool(claim))
        except Exception:
            if claim:
                following._release()
            raise
        if claim:
            previous, marked, read = claim
            # Read by the claim under its row lock and lease (only this worker writes
            # them until it lets the lease go, but a synchronization, which may set the
            # handle and size afterwards as before): the download reads no line again.
            following._cache_read(read)
            handoff.hand(following, (previous, marked))

    def _claim_following(self, durable=True):
        """Claim this message in the transaction of the previous message's outcome
        (never waiting: the row is skipped when locked and the lease only tried, so
        two workers cannot deadlock), and mark its download started, unless its bytes
        are kept or its last download died (``_count_connection_failure`` counts that
        after the commit), in one statement which reads what the download needs
        (``_download_fields``) and, ``durable=False``, turns the commit's wait for the
        disk off (``transaction.commit``). Returns ``(attempts before this one, marked,
        {field: value read})``, or None when it is not claimed: it is then claimed on
        its turn, as any message."""
        self.flush_recordset()
        # The columns among them: a field without one (computed, related, not stored:
        # an integrator's) is read by the download's ``fetch``, as before.
        names = self._column_fields(self._download_fields())
        # The row lock and the lease as ``_claim_attempt``'s; the mark updates the row
        # the first CTE locked, and reads it as it was before (the statement's snapshot).
        query = SQL(
            """WITH locked AS MATERIALIZED (
                    SELECT id, COALESCE(attempts, 0) AS attempts, %(columns)s
                      FROM mail_inbox_message
                     WHERE id = %(id)s AND state = 'new' FOR UPDATE SKIP LOCKED
               ), leased AS MATERIALIZED (
                    SELECT * FROM locked WHERE pg_try_advisory_lock(%(lease)s, id)
               ), marked AS (
                    UPDATE mail_inbox_message line
                       SET download_started = now() at time zone 'UTC',
                           write_date = now() at time zone 'UTC', write_uid = %(uid)s
                      FROM leased
                     WHERE line.id = leased.id AND leased.download_started IS NULL
                       AND leased.raw_attachment_id IS NULL
                 RETURNING line.id, line.download_started
               )
               SELECT leased.attempts, marked.id IS NOT NULL, %(read)s %(off)s
                 FROM leased LEFT JOIN marked ON marked.id = leased.id""",
            columns=SQL(", ").join(SQL.identifier(name) for name in names),
            id=self.id,
            lease=LEASE_NS,
            uid=self.env.uid,
            read=SQL(", ").join(
                SQL("COALESCE(marked.download_started, leased.download_started)")
                if name == "download_started"
                else SQL.identifier("leased", name)
                for name in names
            ),
            off=SQL("") if durable else SQL(", %s", NOT_DURABLE),
        )
        try:
            # Not released when the claim succeeds (``step_savepoint``).
            with step_savepoint(self.env, flush=False):
                self.env.cr.execute(query, log_exceptions=False)
                row = self.env.cr.fetchone()
                if not row:
                    # Undo the savepoint: it releases the row lock taken when the lease
                    # was refused, which would hold up the worker that has the lease.
                    raise _NotClaimed()
        except (_NotClaimed, psycopg2.errors.SerializationFailure):
            return None  # another worker has it, or changed it since this snapshot
        except Exception:
            # The statement may have taken the lease before it failed (a lease outlives
            # a failed statement: ``transaction``); the savepoint is undone already.
            release_leases_held(self.env, self.ids)
            raise
        self.invalidate_recordset(["download_started", "write_date", "write_uid"])
        return row[0], row[1], dict(zip(names, row[2 : 2 + len(names)], strict=True))

    def _column_fields(self, names):
        """Those of the fields ``names`` a statement reads as columns of this line's
        table, in their order: stored in a column which holds their value as such, not
        one per language or company (``translate``, ``company_dependent``: the ORM
        picks the current one)."""
        return [
            name
            for name in names
            if (field := self._fields[name]).store and field.column_type and name != "id"
            and not field.translate and not field.company_dependent
        ]  # fmt: skip

    def _cache_read(self, values):
        """Put ``values`` (``{field name: column value}``, read from this line's row) in
        the cache, as a read of them would."""
        for name, value in values.items():
            # Raw column values, without overwriting a value written meanwhile: as the
            # ORM's own read (``_fetch_query``).
            self.env.cache.insert_missing(self, self._fields[name], [value])

    def _count_connection_failure(self, source):
        """When the previous download of this message from the server never ended (its
        mark is still set: the connection or the worker died during it), count it
        against the message. A message that kills the connection every time would
        otherwise be retried first at every cycle and stall its inbox: at
        MAX_ATTEMPTS in a row it is set aside in error, kept on the server, the admin
        told (with its headers when the server still gives them). Returns whether it
        was set aside."""
        self.fetch(self._download_fields())  # _get_raw's too: one statement
        if not self.download_started:
            return False
        failures = self.connection_failures + 1
        self.inbox_id._trace("Message %s: its last download died (%d in a row)", self.uid, failures)
        self.connection_failures = failures  # committed with the next download's mark
        if failures < MAX_ATTEMPTS:
            return False
        reason = self.env._(
            "The connection to the mail server died %(count)s times in a row while this "
            "message was downloaded: it is set aside, and kept on the server.",
            count=failures,
        )
        self._set_error(None, reason)
        commit(self.env)
        try:
            header = source.fetch_header(self.server_uid) if source is not None else None
        except (MessageError, ProtocolError) as error:
            self.inbox_id._trace("Message %s: headers unreadable too: %s", self.uid, error)
            header = None
        if header:
            self._record_raw_headers(header)
            self._forward_error(header, reason, headers_only=True)
            commit(self.env)
        return True

    def _record_download_failure(self, source, error, previous):
        """The server refused to hand this message over (``error`` carries its answer):
        count the attempt, with the answer, against this message alone and leave it
        for the next cycle; at the last attempt set it aside in error (the admin is
        told as of any error, with its headers when the server still gives them)."""
        attempt = min(previous + 1, MAX_ATTEMPTS)
        reason = self.env._(
            "The mail server refused to hand over this message (attempt %(attempt)s of "
            "%(max)s): %(answer)s",
            attempt=attempt,
            max=MAX_ATTEMPTS,
            answer=error.detail or str(error),
        )
        self.inbox_id._trace("Message %s: %s", self.uid, reason)
        if attempt < MAX_ATTEMPTS:
            self._count_attempt(reason=reason)
            commit(self.env)
            return None
        header = None
        try:
            header = source.fetch_header(self.server_uid)
        except MailSourceError as header_error:
            self.inbox_id._trace("Message %s: headers unreadable too: %s", self.uid, header_error)
        if header:
            self._record_raw_headers(header)
        self.attempts = attempt
        self._set_error(None, reason)
        if header:
            self._forward_error(header, reason, headers_only=True)
        commit(self.env)
        return self.state

    @contextmanager
    def _email_lock(self, stable_id, keys=None, held=False):
        """Hold the email's lock (``transaction``: one email at a time across workers
        and inboxes), then commit the attempt counted, so that the snapshot sees what
        the lock's previous holder committed. Yields the lock's key (None without a
        stable id), for ``_wait_for_answered_in_flight`` to let go while it waits.
        ``keys``: a list the key is added to once the lock is held; its holder lets the
        lock go (with the message's lease, ``transaction.release_locks``), not the
        block's end. ``held``: the lock is held and its key in ``keys`` already (the
        attempt's statement took it, ``_count_attempt``)."""
        if held:
            commit(self.env)
            yield email_lock_key(stable_id)
            return
        if not stable_id:  # header_ids always reads one; NULs alone make none
            commit(self.env)
            yield None
            return
        if keys is not None:
            key = email_lock_key(stable_id)
            # A statement of its own (``transaction.session_lock``).
            self.env.cr.execute("SELECT pg_advisory_lock(%s)", [key])
            keys.append(key)
            commit(self.env)
            yield key
            return
        with session_lock(self.env, email_lock_key(stable_id)) as key:
            commit(self.env)
            yield key

    def _wait_for_answered_in_flight(self, answered, email_key=None):
        """A reply must find the ticket of the email it answers. When that email is an
        older message of this inbox not processed yet in this transaction's snapshot,
        another worker may be processing it right now (it holds the message's lease):
        wait until it is done; then take a new snapshot, which sees what it committed,
        so that the reply updates the ticket it makes instead of making a ticket of
        its own. An older message whose id is not known yet (its worker has not
        committed its attempt) may be it. Waits only go to older messages, and the
        reply's own email lock (``email_key``) is not held while waiting: the worker
        awaited may be about to take it (the same email twice in the inbox).

        Returns whether such an older message is still to be processed (no worker
        has it: its job has not started, or its attempt failed and the next cycle
        retries it): the reply must then be left for later (``_leave_for_later_reply``),
        never wait for it here."""
        cr = self.env.cr
        candidates = self._answered_candidates(answered)
        if not candidates:
            return False
        in_flight = [message_id for message_id, flying, _likely in candidates if flying]
        if in_flight and email_key is not None:
            cr.execute("SELECT pg_advisory_unlock(%s)", [email_key])
        for message_id in in_flight:
            self.inbox_id._trace("Message %s waits for message %s in flight", self.uid, message_id)
            wait_for_lease(cr, message_id)
        if in_flight and email_key is not None:
            cr.execute("SELECT pg_advisory_lock(%s)", [email_key])
        commit(self.env)  # a snapshot that sees what they committed meanwhile
        return any(likely for _id, _flying, likely in self._answered_candidates(answered))

    def _leave_for_later_reply(self, elsewhere=None):
        """Leave this reply new, its attempt given back, for a later cycle (or job)
        to take after the older message it may answer (``_wait_for_answered_in_flight``),
        or after the line of another inbox it answers (``elsewhere``, from
        ``_answered_elsewhere``). Never a wait without end: that message leaves
        ``new`` once processed, or set aside in error after MAX_ATTEMPTS; the reply
        is then processed as usual. A line of another inbox is waited for only within
        the bound ``_answered_elsewhere`` keeps."""
        if elsewhere:
            self._trace_left_elsewhere(elsewhere)
            self._give_back_attempts(reason=self._left_for_elsewhere_reason())
        else:
            self.inbox_id._trace(
                "Message %s left for later: an older message it may answer is not processed yet",
                self.uid,
            )
            self._give_back_attempts(reason=self._left_for_later_reason())
        commit(self.env)

    def _trace_left_elsewhere(self, elsewhere):
        """Trace why this reply is left for the line ``elsewhere`` of another inbox."""
        self.inbox_id._trace(
            "Message %s left for later: the email it answers is new in inbox %s (message %s)",
            self.uid,
            elsewhere.inbox_id.name,
            elsewhere.uid,
        )

    def _left_for_later_reason(self):
        """The reason of a reply left for later: true until its next attempt is counted
        (``_count_attempts`` clears it), so that a reply whose processing then dies
        never reads as waiting, nor is set aside with it."""
        return self.env._(
            "Left for the next cycle: an older message of this inbox it may answer is "
            "not processed yet."
        )

    def _left_for_elsewhere_reason(self):
        """The reason of a reply left for the email it answers, new in another inbox
        (``_answered_elsewhere``): the bound of its wait, in the admin's words."""
        return self.env._(
            "Left for the next cycle: the email it answers is not processed yet in another "
            "inbox. It waits for it at most %(minutes)s minutes after it was received, and "
            "only while that inbox is active and polled without failure; then it makes a "
            "ticket of its own.",
            minutes=int(self._get_cross_inbox_wait().total_seconds() // 60),
        )

    def _left_for_later_reasons(self):
        """Every reason of a reply left for later, which its next attempt clears, in
        every installed language: the worker that left the reply wrote it in its own
        (a job run for an administrator, the cron's user), which need not be the one
        of the worker counting the next attempt. A reason left uncleared would read as
        waiting (the queue_job bridge hands such a reply on) and would end in the
        reason the reply is set aside with."""
        return self._in_every_language("_left_for_later_reason", "_left_for_elsewhere_reason")

    def _in_every_language(self, *methods):
        """The texts the line's ``methods`` (names of methods that take no argument)
        give in English and in every installed language, sorted: what a worker of any
        user's language may have written."""
        codes = ["en_US", *(code for code, _name in self.env["res.lang"].get_installed())]
        lines = [self.with_context(lang=code) for code in dict.fromkeys(codes)]
        return sorted({getattr(line, method)() for line in lines for method in methods})

    @api.model
    def _get_cross_inbox_wait(self):
        """How long after it was recorded a reply may wait for the email it answers in
        another inbox (``_answered_elsewhere``)."""
        return CROSS_INBOX_WAIT

    def _answered_elsewhere(self, answered):
        """The decision, writing nothing: a line of another inbox this reply waits for
        (one record), or an empty recordset. It is the email the reply answers
        (``answered``: the references it carries; its stable id, or, not known yet,
        the Message-ID its synchronization read), new, still on the server or kept
        here, and left attempts before it is set aside, in an inbox that will process
        it soon: active, its last poll a success and less than
        ``_get_cross_inbox_wait()`` ago (a stopped cron polls it no more), of the
        same ticket model, and whose tickets this reply's inbox may reach (the rule of routing,
        ``_mail_ticket_company_domain``: the same company, or either of none); and
        the email made no such ticket yet through another line (a copy sent to two
        addresses). And only while this reply was recorded less than
        ``_get_cross_inbox_wait()`` ago. A copy of this very email (its References
        may name its own Message-ID) is no email it answers: two copies would wait
        for each other.
        Never waited for in flight: the reply is left for a later cycle, so that two
        workers never wait for each other across inboxes."""
        self.env.cr.execute(
            """SELECT m.id, COALESCE(m.stable_id, m.message_id)
                 FROM mail_inbox_message r
                 JOIN mail_inbox mine ON mine.id = r.inbox_id
                 JOIN mail_inbox_message m
                   ON m.state = 'new' AND m.inbox_id <> r.inbox_id
                  AND (m.stable_id = ANY(%(answered)s)
                       OR (m.stable_id IS NULL AND m.message_id = ANY(%(answered)s)))
                  AND COALESCE(m.stable_id, m.message_id) IS DISTINCT FROM r.stable_id
                 JOIN mail_inbox other ON other.id = m.inbox_id
                WHERE r.id = %(id)s AND r.create_date > now() at time zone 'UTC' - %(wait)s
                  AND (m.on_server OR m.raw_attachment_id IS NOT NULL)
                  AND COALESCE(m.attempts, 0) < %(max)s
                  AND other.active AND other.state = 'ok' AND COALESCE(other.failure_count, 0) = 0
                  AND other.last_run_date > now() at time zone 'UTC' - %(wait)s
                  AND other.target_model = mine.target_model
                  AND (other.company_id = mine.company_id
                       OR other.company_id IS NULL OR mine.company_id IS NULL)
                  AND NOT EXISTS (
                        SELECT 1 FROM mail_inbox_message done
                         WHERE done.stable_id = COALESCE(m.stable_id, m.message_id)
                           AND done.state = 'processed' AND done.action IN ('created', 'updated')
                           AND done.ticket_model = mine.target_model
                           AND (done.company_id = mine.company_id
                                OR done.company_id IS NULL OR mine.company_id IS NULL))
                ORDER BY m.id LIMIT 20""",
            {
                "id": self.id,
                "answered": [_text(ref) for ref in answered],
                "wait": self._get_cross_inbox_wait(),
                "max": MAX_ATTEMPTS,
            },
        )
        rows = self.env.cr.fetchall()
        reached = rows and self._answered_on_a_ticket({key for _id, key in rows})
        return self.browse([line_id for line_id, key in rows if key not in reached][:1])

    def _answered_on_a_ticket(self, keys):
        """Which of these emails (``keys``: stable ids) are on a ticket this reply's
        inbox may reach already, by their Message-ID on ``mail.message`` (Odoo's own
        mail coming back, an email posted by other means): the reply reaches it now,
        as routing does (``_match_by_headers``); waiting for a copy of it in
        another inbox would gain nothing. Read only when the reply would wait."""
        model = self.env[self.inbox_id.target_model].sudo()
        posted = (
            self.env["mail.message"]
            .sudo()
            .search(
                [("message_id", "in", [f"<{key}>" for key in keys]), ("model", "=", model._name)]
            )
        )
        if not posted:
            return set()
        tickets = model.browse(set(posted.mapped("res_id"))).exists()
        tickets = tickets.filtered_domain(
            model._mail_ticket_company_domain(self.inbox_id.company_id)
        )
        return {message.message_id[1:-1] for message in posted if message.res_id in tickets.ids}

    def _answered_candidates(self, answered):
        """The older messages of this inbox, new in this transaction's snapshot and
        kept on the server or here, that may be the email this one answers
        (``answered``: the references it carries; a message whose stable id is not
        known yet may be it): ``[(id, whether another worker holds its lease, whether
        it is likely the one)]``. Likely: its stable id is one answered, or, not known
        yet, the Message-ID its synchronization read from its header is (or there was
        none, or it was cut): a reply is left for later only for a likely one
        (``_wait_for_answered_in_flight``); another email is waited for in flight only.
        What this transaction did is flushed first (a batch's messages done are no
        longer new; its next savepoint, or commit, would flush it all the same)."""
        self.env.flush_all()
        self.env.cr.execute(
            """SELECT m.id, EXISTS (
                        SELECT 1 FROM pg_locks l
                         WHERE l.locktype = 'advisory' AND l.granted
                           AND l.classid = %(lease)s::oid AND l.objid = m.id::oid
                           AND l.objsubid = 2 AND l.pid <> pg_backend_pid()),
                      m.stable_id IS NOT NULL OR m.message_id IS NULL
                          OR m.message_id = ANY(%(answered)s) OR length(m.message_id) >= 998
                 FROM mail_inbox_message m
                WHERE m.inbox_id = %(inbox)s AND m.state = 'new' AND m.id < %(id)s
                  AND (m.on_server OR m.raw_attachment_id IS NOT NULL)
                  AND (m.stable_id IS NULL OR m.stable_id = ANY(%(answered)s))""",
            {
                "lease": LEASE_NS,
                "inbox": self.inbox_id.id,
                "id": self.id,
                "answered": [_text(ref) for ref in answered],
            },
        )
        return self.env.cr.fetchall()

    def _claim(self):
        """Check, first thing in the transaction that processes this message, that it is
        still new (an admin may have ignored it since its attempt was committed) and
        lock its row until the outcome is committed.

        The lease is ours, so another transaction holds the row only for a moment (a
        worker whose claim the lease refused, a sync, an admin's action): wait for it.
        Skipping it would leave the message for a later cycle while a reply to it,
        seeing no lease, could not tell it is still to be processed. A conflict with a
        change made since this transaction's snapshot, when nothing is done yet, is
        checked again on a fresh snapshot.

        The same statement reads the line's columns the ORM would read at the first
        access of its fields (the commit before emptied the cache), its inbox's (the
        processing reads its settings: ``_claim_inbox_fields``) and the cycle's user's
        that Odoo's ``message_post`` reads (``_claim_user_fields``), on the same
        snapshot, the inbox's and the user's rows not locked: three statements fewer.
        And the first alias domain, which Odoo's ``message_post`` searches for each
        post when the companies have none (``_mail_ticket_first_alias_domain_id``),
        kept for this transaction only: one statement fewer.
        Only as superuser (the cron's, a worker's): otherwise the ORM reads them, with
        its access checks."""
        self.flush_recordset()
        names = self._claim_read_fields() if self.env.su else []
        inbox_names = self._claim_inbox_fields() if self.env.su else []
        user_names = self._claim_user_columns() if self.env.su else []
        if inbox_names:
            self.env["mail.inbox"].flush_model(inbox_names)
        if user_names:
            self.env["res.users"].flush_model(user_names)
        columns = SQL("").join(
            [
                *(SQL(", %s", SQL.identifier("line", name)) for name in names),
                *(SQL(", %s", SQL.identifier("inbox", name)) for name in ["id", *inbox_names]),
                *(SQL(", %s", SQL.identifier("usr", name)) for name in ["id", *user_names]),
            ]
        )
        if self.env.su:
            self.env["mail.alias.domain"].flush_model(["sequence"])
            columns = SQL(
                "%s, (SELECT id FROM mail_alias_domain ORDER BY sequence, id LIMIT 1)", columns
            )
        for _attempt in range(SYNC_RETRIES):
            try:
                self.env.cr.execute(
                    SQL(
                        "SELECT line.id%s FROM mail_inbox_message line "
                        "LEFT JOIN mail_inbox inbox ON inbox.id = line.inbox_id "
                        "LEFT JOIN res_users usr ON usr.id = %s "
                        "WHERE line.id = %s AND line.state = 'new' FOR UPDATE OF line",
                        columns,
                        self.env.uid,
                        self.id,
                    ),
                    log_exceptions=False,
                )
                row = self.env.cr.fetchone()
                if row:
                    inbox_at = 1 + len(names)
                    user_at = inbox_at + 1 + len(inbox_names)
                    self._cache_read(dict(zip(names, row[1:inbox_at], strict=True)))
                    self._cache_inbox_read(inbox_names, row[inbox_at:user_at])
                    user_end = len(row) - 1 if self.env.su else len(row)
                    self._cache_user_read(user_names, row[user_at:user_end])
                    if self.env.su and "state" in names:
                        # Kept while the line's state read here stays in the cache.
                        first = row[-1] or False
                        keep_with_cached(self.env, FIRST_ALIAS_DOMAIN, self, "state", first)
                return bool(row)
            except psycopg2.errors.SerializationFailure:
                rollback(self.env)
        return False

    def _claim_inbox_fields(self):
        """The inbox's fields ``_claim`` reads with the line: those the ORM reads
        together at the first access of one of them (stored columns of its default
        prefetch group: the processing's routing settings)."""
        return [
            name
            for name, field in self.env["mail.inbox"]._fields.items()
            if field.prefetch is True and field.is_accessible(self.env)
            and field.store and field.column_type and name != "id"
            and not field.translate and not field.company_dependent
        ]  # fmt: skip

    def _cache_inbox_read(self, names, row):
        """Put the inbox's columns ``names`` read by ``_claim`` (``row``: its id first)
        in the cache, as a read of them would."""
        if not names or row[0] is None:
            return
        inbox = self.env["mail.inbox"].browse(row[0])
        for name, value in zip(names, row[1:], strict=True):
            self.env.cache.insert_missing(inbox, inbox._fields[name], [value])

    def _claim_user_fields(self):
        """The cycle's user's fields ``_claim`` reads with the line: those Odoo's
        ``message_post`` reads of it after the attempt's commit (whether it is active
        and its partner, so that the author is not notified of its own post:
        ``_notify_get_recipients``); read alone, each would have the ORM read the
        user's whole row. Hook: an override adds stored columns of ``res.users``."""
        return ["active", "partner_id"]

    def _claim_user_columns(self):
        """The columns of ``_claim_user_fields()`` one statement can read and put in
        the cache (any other field named is read by the ORM when used, as before)."""
        fields_ = self.env["res.users"]._fields
        return [
            name
            for name in self._claim_user_fields()
            if (field := fields_.get(name)) and field.store and field.column_type
            and not field.translate and not field.company_dependent
        ]  # fmt: skip

    def _cache_user_read(self, names, row):
        """Put the user's columns ``names`` read by ``_claim`` (``row``: its id first)
        in the cache, as a read of them would (none when the user is gone)."""
        if not names or row[0] is None:
            return
        user = self.env["res.users"].browse(row[0])
        for name, value in zip(names, row[1:], strict=True):
            self.env.cache.insert_missing(user, user._fields[name], [value])

    def _claim_read_fields(self):
        """The line's fields ``_claim`` reads: those the ORM reads together at the
        first access of one of them (stored columns of the default prefetch group)."""
        return self._column_fields(
            name
            for name, field in self._fields.items()
            if field.prefetch is True and field.is_accessible(self.env)
        )

    def _process_claimed(self, parsed, raw):
        """Act on a claimed message in a savepoint. An InboxProcessingError sets it
        aside at once; any other failure (an integrator's hook, a lock conflict) is
        retried by the next cycles, up to MAX_ATTEMPTS, then set aside with its reason.
        Its headers are recorded either way."""
        inbox = self.inbox_id
        buffer = self.env.context.get("mail_inbox_trace")
        start = len(buffer) if buffer is not None else 0
        try:
            with step_savepoint(self.env):
                # The headers, the outcome and the trace are flushed in one UPDATE.
                self._record_headers(parsed)
                self._process_parsed(parsed, raw)
                self._store_trace(buffer, start)
        except InboxProcessingError as error:
            inbox._trace("Message %s in error: %s", self.uid, error)
            self._record_headers(parsed)  # undone with the savepoint
            self._set_error(raw, str(error))
        except Exception as error:
            _logger.warning(
                "Processing message %s of %s failed (attempt %s of %s)",
                self.uid,
                inbox.name,
                self.attempts,
                MAX_ATTEMPTS,
                exc_info=True,
            )
            reason = self.env._(
                "Unexpected failure while processing (attempt %(attempt)s of %(max)s): %(error)s",
                attempt=self.attempts,
                max=MAX_ATTEMPTS,
                error=str(error)[:500],
            )
            self._record_headers(parsed)
            if self.attempts >= MAX_ATTEMPTS:
                self._set_error(raw, reason)
            else:
                self.reason = reason
        else:
            return
        self._store_trace(buffer, start)

    def _store_trace(self, buffer, start):
        """Keep the lines this message added to the cycle's trace on its line."""
        if buffer is not None:
            self.trace = "\n".join(buffer[start:])[-TRACE_MAX_CHARS:]
