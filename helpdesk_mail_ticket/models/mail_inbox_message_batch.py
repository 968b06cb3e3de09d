# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Several new messages in one transaction: claimed, downloaded, counted and processed
together, a savepoint each, with three commits for the batch instead of two a message.

Only messages without history are batched (no attempt, no download mark, no connection
failure); the others are processed one at a time at their place, as before. Whatever
dies when, what is committed stays as one message's path would leave it:

- the claims and the download marks are committed before any download (a worker dying
  during the downloads leaves each mark, counted by the next cycle);
- the attempts are committed, once every email's lock is held, before any message is
  parsed: a worker dying while it processes the batch leaves each message one attempt,
  and the next cycle processes each alone (a message with history), so that the
  message that kills the worker is set aside after MAX_ATTEMPTS deaths and its
  neighbours are processed once;
- the outcomes are committed together, each with its ticket. A failure outside one
  message's savepoint, or of that commit, undoes the batch: the batch's attempt is
  given back and each message is processed alone in the same cycle.

The batch never waits for a lock while it holds others (two workers could wait for
each other): a message whose email another worker holds, or a reply whose parent may
be in flight, leaves the batch and is processed alone at the end of the cycle, waiting
as usual (what it waits for is most likely done by then). Its lease is kept meanwhile:
a message never looks out of flight before its outcome is committed (a reply to it
would not wait for it)."""

import logging

import psycopg2

from odoo import models

from ..mailparse import header_ids, parse_message
from ..mailsource import MailSourceError
from ..transaction import (
    LEASE_NS,
    SYNC_RETRIES,
    batch_memo,
    commit,
    email_lock_key,
    release_leases_held,
    release_locks,
    release_session_locks_held,
    remember,
    rollback,
    try_session_locks,
)
from .mail_inbox_message import _text
from .mail_inbox_message_claim import Handoff
from .mail_inbox_message_route import BATCH_EMAILS

# The messages' logger, whichever file of the model logs (log handlers name it).
_logger = logging.getLogger(__package__ + ".mail_inbox_message")


class Batch:
    """What a batch holds from one step to the next (``_process_batch``)."""

    def __init__(self, settings):
        self.settings = settings
        self.leases = []  # ids of the messages whose lease is held
        self.email_locks = []  # keys of the email locks held
        self.raws = {}  # id: the message's bytes
        self.answered = {}  # id: the references of the emails it answers
        self.stable_ids = {}  # id: its email's stable id, read from its header block
        self.alone = {}  # id: (attempts before, answered): processed one at a time, later
        self.states = []  # the new state of each message done (None: it stays new)


# One concern of mail.inbox.message per file, as Odoo splits a large model: intended.
class MailInboxMessage(models.Model):
    _inherit = "mail.inbox.message"  # pylint: disable=consider-merging-classes-inherited

    def _process_batch(self, source, settings, later):
        """Process these new messages (in id order) in as few transactions as possible.
        Returns the new state of each message done (None for one left to another
        worker or the next cycle); adds to ``later`` those it claimed and left out,
        for ``_process_alone``, their leases still held. A lost connection still ends
        the cycle."""
        batch = Batch(settings)
        try:
            claimed = self._claim_batch(batch)
            downloaded = claimed._download_batch(source, batch)
            if downloaded:
                locked = downloaded._lock_emails(batch)
                locked._run_batch(batch)
        finally:
            # Session locks: they survive commits and rollbacks (``transaction``).
            leases = [message_id for message_id in batch.leases if message_id not in batch.alone]
            release_locks(self.env, leases, batch.email_locks)
            later.update(batch.alone)
        return batch.states

    def _process_alone(self, source, settings, alone, wait=True):
        """Process one at a time, in id order, the messages batches claimed and left
        out (``alone``: id: (attempts before, the references of the emails it
        answers); each is taken out as it is processed), each with the claim its batch
        made: their leases are held all along, so that a reply to one of them sees it
        in flight (``_wait_for_answered_in_flight``) until its outcome is committed.
        Unless ``wait`` (the end of the cycle), stop at a reply whose parent another
        worker still holds: the next batch is done meanwhile instead of waiting."""
        states = []
        for message_id in sorted(alone):
            message = self.browse(message_id)
            previous, answered = alone[message_id]
            if not wait and answered and message._answered_in_flight(answered):
                break  # it, and after it what may answer it, wait for later
            # Each one after the first (the caller checked the mailbox before it): the
            # inbox may read another mailbox since, whose handles its line may hold
            # (another worker synchronized it), naming other mail on this connection.
            # Read on the snapshot this message's handle is read on.
            if states and not message.inbox_id._goes_on():
                break  # the rest stays new, its leases let go by the cycle
            del alone[message_id]
            handoff = Handoff()
            handoff.hand(message, (previous, False))
            states.append(message._process_isolated(source, settings, handoff))
        return states

    def _answered_in_flight(self, answered):
        """Whether another worker holds an older message this one may answer."""
        return any(flying for _id, flying, _likely in self._answered_candidates(answered))

    def _claim_batch(self, batch):
        """Claim these messages (each row locked, skipped when locked, and its lease
        tried, never waited for) and mark the downloads of those without history
        started, in one commit. Returns the messages without history; the others
        claimed (history since the plan was read) are processed alone, later."""
        rows = self._claim_rows()
        batch.leases = [message_id for message_id, _attempts, _clean in rows]
        batch.alone = {
            message_id: (attempts, ()) for message_id, attempts, clean in rows if not clean
        }
        clean = self.browse([message_id for message_id, _attempts, clean in rows if clean])
        if clean:
            self.env.cr.execute(
                """UPDATE mail_inbox_message
                      SET download_started = now() at time zone 'UTC',
                          write_date = now() at time zone 'UTC', write_uid = %(uid)s
                    WHERE id = ANY(%(ids)s) AND raw_attachment_id IS NULL""",
                {"ids": clean.ids, "uid": self.env.uid},
            )
            clean.invalidate_recordset(["download_started", "write_date", "write_uid"])
        commit(self.env)
        return clean

    def _claim_rows(self):
        """``_claim_attempt`` for these messages in one statement: ``[(id, attempts
        before, without history)]`` of those claimed, in id order. A conflict with a
        change made since this transaction's snapshot is tried again on a fresh one."""
        for _attempt in range(SYNC_RETRIES):
            try:
                with self.env.cr.savepoint(flush=False):
                    self.env.cr.execute(
                        # Materialized: the leases are tried on the locked rows alone.
                        """WITH locked AS MATERIALIZED (
                                SELECT id, COALESCE(attempts, 0) AS attempts,
                                       COALESCE(attempts, 0) = 0
                                           AND COALESCE(connection_failures, 0) = 0
                                           AND download_started IS NULL AS clean
                                  FROM mail_inbox_message
                                 WHERE id = ANY(%(ids)s) AND state = 'new'
                                 ORDER BY id FOR UPDATE SKIP LOCKED
                           )
                           SELECT id, attempts, clean FROM locked
                            WHERE pg_try_advisory_lock(%(lease)s, id) ORDER BY id""",
                        {"ids": self.ids, "lease": LEASE_NS},
                        log_exceptions=False,
                    )
                    return self.env.cr.fetchall()
            except psycopg2.errors.SerializationFailure:
                release_leases_held(self.env, self.ids)  # the failed statement's
                commit(self.env)
                # The change met may be an administrator's change of mailbox, and
                # another worker's synchronization of the new one: the lines may hold
                # its handles now, which name other mail on this cycle's connection.
                # Checked again on the fresh snapshot the claim is tried on.
                if not self[:1].inbox_id._goes_on():
                    return []
        return []

    def _download_batch(self, source, batch):
        """Download each claimed message. A message the server refuses (or that is too
        big, or gone) has its failure recorded as alone. A lost connection ends the
        cycle: the marks of the others are taken back (the death is not theirs).
        Returns the messages downloaded."""
        self.fetch(self._download_fields())  # one read for the batch
        downloaded = self.browse()
        # The handles just read name mail of the mailbox the inbox read on this same
        # snapshot: an administrator's change of mailbox committed since the claim's
        # commit, then another worker's synchronization of the new one, may have given
        # the lines that mailbox's handles (the leases do not stop it), which name
        # other mail on this cycle's connection. Then none is downloaded.
        if self and not self[:1].inbox_id._still_connected_mailbox():
            self._forget_download_marks()
            return downloaded
        for message in self:
            try:
                raw, state = message._download(source, batch.settings, 0, marked=True)
            except MailSourceError:
                (self - message)._forget_download_marks()
                raise
            except Exception:  # as alone (``_process_isolated``): retried next cycle
                _logger.exception("Message %s: its download failed", message.uid)
                rollback(self.env)
                raw, state = None, None
            if raw is None:
                batch.states.append(state)
            else:
                batch.raws[message.id] = raw
                downloaded |= message
        return downloaded

    def _forget_download_marks(self):
        """Take back the download marks of these messages and commit."""
        self.env.cr.execute(
            "UPDATE mail_inbox_message SET download_started = NULL WHERE id = ANY(%s)",
            [self.ids],
        )
        self.invalidate_recordset(["download_started"])
        commit(self.env)

    def _lock_emails(self, batch):
        """Take the messages' email locks, never waiting, in one statement (a message
        whose email another worker holds, or met twice in the batch, leaves it); count
        the attempts of the others in one statement, then commit (the next snapshot
        sees what the locks' previous holders committed). Returns the messages kept."""
        stable_ids, tried = {}, []
        try:
            for message in self:
                stable_id, batch.answered[message.id] = header_ids(batch.raws[message.id])
                stable_ids[message.id] = batch.stable_ids[message.id] = _text(stable_id)
            keys = {
                message_id: email_lock_key(stable_id)
                for message_id, stable_id in stable_ids.items()
                if stable_id  # header_ids always reads one; NULs alone make none
            }
            tried = [key for key in dict.fromkeys(keys.values()) if key not in batch.email_locks]
            held = try_session_locks(self.env, tried)
            batch.email_locks += [key for key in tried if key in held]
            kept, first = self.browse(), set()
            for message in self:
                key = keys.get(message.id)
                if key is None or (key in held and key not in first):
                    first.add(key)
                    kept |= message
                else:  # another worker has it, or an earlier message of the batch
                    batch.alone[message.id] = (0, ())
            kept._count_attempts([stable_ids[message_id] for message_id in kept.ids])
        except Exception:
            # A line changed by another worker since the downloads began (its sync):
            # the batch's snapshot cannot count it. One at a time, as a failed batch.
            _logger.warning(
                "Counting the attempts of a batch of %s messages failed: processed one at a time",
                len(self),
                exc_info=True,
            )
            rollback(self.env)
            release_session_locks_held(
                self.env, [key for key in tried if key not in batch.email_locks]
            )
            self._forget_download_marks()
            batch.alone.update({message.id: (0, ()) for message in self})
            return self.browse()
        if self - kept:
            (self - kept)._forget_download_marks()  # and commits the attempts
        else:
            commit(self.env)
        return kept

    def _run_batch(self, batch):
        """Process these counted messages in one transaction, each in a savepoint
        (``_process_claimed``), and commit their outcomes at once. A reply whose parent
        may be still new leaves the batch, its attempt given back: it goes alone when a
        worker has its parent (another one, or this one later in the cycle), else it
        is left for a later cycle at once (``_answered_still_new``).
        A reply to an email new in another inbox is left for a later cycle too
        (``_answered_elsewhere``). Anything else failing, the commit included, undoes
        the batch, which then goes alone too (its attempt given back)."""
        if not self:
            return
        try:
            states, left, later, elsewhere = self._process_in_transaction(batch)
            left._give_back_attempts()
            later._leave_for_later_replies()
            self._leave_for_elsewhere_replies(elsewhere)
            commit(self.env)
        except Exception:
            _logger.warning(
                "A batch of %s messages failed: processed one at a time", len(self), exc_info=True
            )
            rollback(self.env)
            self._give_back_attempts()
            commit(self.env)
            batch.alone.update({message.id: (0, ()) for message in self})
            return
        batch.states += states
        batch.alone.update({message.id: (0, batch.answered[message.id]) for message in left})

    def _process_in_transaction(self, batch):
        """Lock the rows, then parse and act on each message in id order. Returns the
        states, the messages left out (see ``_run_batch``), the replies left for
        a later cycle (``_answered_still_new``), and those left for an email new in
        another inbox (``_answered_elsewhere``: ``{message: line waited for}``)."""
        new = self._lock_rows()
        with batch_memo(self.env):
            # The emails of the batch, one message each (``_lock_emails``): what the
            # routing asks of each is asked once for all (``_batch_known_absent``).
            remember(self.env, BATCH_EMAILS, {m.id: batch.stable_ids.get(m.id) for m in self})
            return self._process_locked(batch, new)

    def _process_locked(self, batch, new):
        """``_process_in_transaction`` once the rows are locked (``new``: the ids of
        those still new)."""
        states, left, later, elsewhere = [], self.browse(), self.browse(), {}
        for message in self:
            if message.id not in new:  # ignored meanwhile: its attempt stays counted
                states.append(None)
                continue
            answered = batch.answered[message.id]
            wait = answered and message._answered_still_new(answered, batch, left)
            if wait == "alone":
                left |= message
                continue
            if wait == "later":
                later |= message
                states.append(None)
                continue
            awaited = answered and message._answered_elsewhere(answered)
            if awaited:
                elsewhere[message] = awaited
                states.append(None)
                continue
            raw = batch.raws[message.id]
            message._process_claimed(parse_message(raw, batch.settings), raw)
            states.append(message.state)
        return states, left, later, elsewhere

    def _lock_rows(self):
        """``_claim`` for these messages, in one statement, first thing in the
        transaction: the ids of those still new, their rows locked until the outcomes
        are committed."""
        for _attempt in range(SYNC_RETRIES):
            try:
                self.env.cr.execute(
                    """SELECT id FROM mail_inbox_message
                        WHERE id = ANY(%s) AND state = 'new' ORDER BY id FOR UPDATE""",
                    [self.ids],
                    log_exceptions=False,
                )
                return {row[0] for row in self.env.cr.fetchall()}
            except psycopg2.errors.SerializationFailure:
                rollback(self.env)
        return set()

    def _answered_still_new(self, answered, batch, left):
        """Whether an email this one answers may be an older message still new, and
        then what becomes of this one, which a batch never lets wait: ``"alone"``, it
        goes alone (``_process_attempt`` waits for it) when another worker holds it,
        or when this worker processes it later in the cycle (one ``left`` out of the
        batch, or left by an earlier batch: its lease is held here); ``"later"``, it
        is left for a later cycle at once when no worker has it (its processing
        failed just now, or its job has not started): alone, it would be downloaded
        again only to be left all the same. None: it is processed in the batch."""
        candidates = self._answered_candidates(answered)
        if any(flying for _id, flying, _likely in candidates):
            return "alone"
        likely = {message_id for message_id, _flying, is_likely in candidates if is_likely}
        if not likely:
            return None
        here = (set(batch.alone) | set(left.ids)) & likely
        if here or self._leases_held_here(likely - set(batch.leases)):
            return "alone"
        return "later"

    def _leases_held_here(self, message_ids):
        """Whether this worker holds the lease of any of these messages."""
        if not message_ids:
            return False
        self.env.cr.execute(
            """SELECT 1 FROM pg_locks
                WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted
                  AND classid = %s::oid AND objsubid = 2 AND objid::int = ANY(%s) LIMIT 1""",
            [LEASE_NS, list(message_ids)],
        )
        return bool(self.env.cr.fetchone())

    def _leave_for_later_replies(self):
        """``_leave_for_later_reply`` for these replies of a batch, without the commit
        (the batch's outcomes commit it)."""
        if not self:
            return
        for message in self:
            message.inbox_id._trace(
                "Message %s left for later: an older message it may answer is not processed yet",
                message.uid,
            )
        self._give_back_attempts(reason=self._left_for_later_reason())

    def _leave_for_elsewhere_replies(self, elsewhere):
        """``_leave_for_later_reply`` for the replies of a batch left for a line of
        another inbox (``elsewhere``: ``{message: line}``), without the commit."""
        if not elsewhere:
            return
        for message, line in elsewhere.items():
            message._trace_left_elsewhere(line)
        replies = self.browse([message.id for message in elsewhere])
        replies._give_back_attempts(reason=self._left_for_elsewhere_reason())

    def _give_back_attempts(self, reason=None):
        """Give back the attempt counted for these messages by a batch that did not
        process them: each then counts its own attempts alone (``reason``: why they
        are left new, when given)."""
        if not self:
            return
        self.env.cr.execute(
            """UPDATE mail_inbox_message
                  SET attempts = GREATEST(COALESCE(attempts, 0) - 1, 0),
                      reason = COALESCE(%(reason)s, reason)
                WHERE id = ANY(%(ids)s) AND state = 'new'""",
            {"ids": self.ids, "reason": reason},
        )
        self.invalidate_recordset(["attempts", "reason"])
