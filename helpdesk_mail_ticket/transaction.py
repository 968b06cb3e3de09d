# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Transactions and locks of the addon: how no email is lost or imported twice.

Every model of the addon commits, rolls back and locks through this module; the
reasoning is written here once.

- **Commit per step.** A cycle commits after each step the next one relies on: the
  lines of the messages before anything is downloaded, an attempt before its email is parsed
  (a crash while parsing is then remembered, so a poison message cannot loop), the
  outcome together with its ticket, and only then the server side (delete, move).
  Whatever dies when, the next cycle resumes from what the messages' lines say. Tests never
  commit nor roll back: their transaction is undone at their end.
- **Durable commits.** The attempt and the outcome wait for the disk; the commit of a
  message's line, claim and download mark before its download does not
  (``commit(env, durable=False)``): nothing outside the database acts on it before the
  attempt's commit, which the WAL's order makes it part of.
- **Batches.** Messages never tried before take these steps together, one commit a step
  for up to ``batch_size`` messages (claims and download marks, attempts, outcomes), a
  savepoint each; a batch only ever *tries* a lock (it holds others), and what it cannot
  keep, or a failure undoing it, goes one message at a time (``mail_inbox_message_batch``).
- **Row locks.** The inbox's row, ``FOR NO KEY UPDATE`` (``lock_row``), serializes the
  workers that write its state (sync cursor, status), never the processing: a ``FOR
  UPDATE`` lock would count as a change of its keys, and then fail every worker whose
  snapshot predates it when it inserts a ticket referring to the inbox. A message's line
  is row-locked by the worker that processes it, until its outcome is committed.
- **The lease.** A session advisory lock on ``(LEASE_NS, line id)``: it outlives the
  commits of one processing attempt and dies with the worker's connection, so other
  workers skip the message meanwhile and a crashed worker leaves no stale claim.
- **The email lock.** A session advisory lock on the email's stable id
  (``email_lock_key``): one email at a time across workers and inboxes. The lock is
  followed by a commit, so the next snapshot sees what the previous holder committed
  (the same mail in two of our inboxes makes one ticket).
- **Serialization failures.** Under a conflict with a change committed since the
  snapshot, a step that has written nothing yet is tried again on a fresh snapshot
  (up to SYNC_RETRIES times); otherwise the step is left to the next cycle.
- **Session locks outlive a failed transaction.** A session lock taken by a statement
  that fails afterwards is held all the same, so each is taken by a statement of its
  own, and released after a rollback when the transaction failed; a pooled connection
  would otherwise keep it forever. A statement taking several (a batch's claims and
  email locks) is followed, when it fails, by one releasing those this session holds
  as ``pg_locks`` lists them (``release_leases_held``, ``release_session_locks_held``).
"""

import hashlib
import uuid
from contextlib import contextmanager

import psycopg2

from odoo import modules
from odoo.tools import SQL

# Namespace of the per-message leases (session advisory locks on (LEASE_NS, id)).
LEASE_NS = 0x484D54  # "HMT"
# How many times a step that met a serialization failure is tried on a fresh snapshot.
SYNC_RETRIES = 3


# A function call turning the transaction's wait for the disk off at its commit (as
# ``SET LOCAL synchronous_commit TO OFF``), for a statement that runs anyway to carry.
NOT_DURABLE = SQL("set_config('synchronous_commit', 'off', true)")


def commit(env, durable=True, turned_off=False):
    """Commit what is done so far (not in tests, whose transaction is rolled back at
    their end).

    ``durable=False``: bookkeeping that nothing outside the database acts on before the
    next durable commit (a message's line, its claim and the mark of its download,
    committed before the download): visible to every worker at once, as any commit,
    but PostgreSQL does not wait for the disk (``synchronous_commit`` off for this
    transaction). The WAL is written in order, so the next durable commit makes it
    durable too; a crash of the worker loses nothing, a crash of the database server
    before that durable commit loses both, as if the worker had died before them.
    Never for an attempt (it must survive whatever the parse kills) nor for an outcome
    (the server is told to delete or move mail after it). ``turned_off``: a statement
    of the transaction ran ``NOT_DURABLE`` already (one round trip fewer)."""
    if not modules.module.current_test:
        if not durable and not turned_off:
            env.cr.execute("SET LOCAL synchronous_commit TO OFF")
        env.cr.commit()  # pylint: disable=invalid-commit


def rollback(env):
    """Undo the current transaction after an unexpected failure (not in tests, whose
    cursor must not roll back)."""
    if not modules.module.current_test:
        env.cr.rollback()
        env.invalidate_all()


def lock_row(env, table, record_id, wait=True):
    """Lock a row ``FOR NO KEY UPDATE`` (waiting for another worker that holds it,
    unless ``wait`` is false). False when it is not locked: held by another worker,
    or changed by one since this transaction's snapshot (a conflict checked before
    writing, so that it never shows in the log as a failed query)."""
    skip = SQL("") if wait else SQL("SKIP LOCKED")
    try:
        with env.cr.savepoint(flush=False):
            env.cr.execute(
                SQL(
                    "SELECT id FROM %s WHERE id = %s FOR NO KEY UPDATE %s",
                    SQL.identifier(table),
                    record_id,
                    skip,
                ),
                log_exceptions=False,
            )
            return bool(env.cr.fetchone())
    except psycopg2.errors.SerializationFailure:
        return False


def release_lease(env, record_id):
    """Give a message's lease back."""
    _unlock(env, SQL("SELECT pg_advisory_unlock(%s, %s)", LEASE_NS, record_id))


def release_locks(env, leases=(), email_keys=(), also=None):
    """Give back the leases of the messages ``leases`` (ids) and the email locks
    ``email_keys``, each as many times as listed, in one statement (a batch's).

    ``also``: ``(columns, joins)``, SQL read by the same statement, its one row being
    ``(SELECT 1) AS one`` followed by ``joins`` (LEFT JOINs: the row is there whatever
    they find); returns ``columns``' values (a tuple), read on the snapshot of the
    transaction the statement runs in (after a failed one, the next)."""
    if not (leases or email_keys):
        return None
    unlocks = SQL(
        """SELECT (SELECT count(pg_advisory_unlock(%s, id)) FROM unnest(%s::int[]) id),
                  (SELECT count(pg_advisory_unlock(key)) FROM unnest(%s::bigint[]) key)""",
        LEASE_NS,
        list(leases),
        list(email_keys),
    )
    if also is None:
        _unlock(env, unlocks)
        return None
    _unlock(env, SQL("%s, %s FROM (SELECT 1) AS one %s", unlocks, *also))
    return env.cr.fetchone()[2:]


def release_leases_held(env, record_ids):
    """Give back the leases among ``record_ids`` this session holds: after a statement
    that tried to take several and failed (it may have taken some all the same)."""
    _unlock(
        env,
        SQL(
            """SELECT count(pg_advisory_unlock(%s, objid::int)) FROM pg_locks
                WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted
                  AND classid = %s::oid AND objsubid = 2 AND objid::int = ANY(%s)""",
            LEASE_NS,
            LEASE_NS,
            list(record_ids),
        ),
    )


def try_session_locks(env, keys):
    """Take, without waiting, each of the session advisory locks ``keys`` no other
    session holds, in one statement (a batch's email locks). Returns those held. A
    statement failing part way may have taken some: the caller releases them with
    ``release_session_locks_held`` once its transaction is undone."""
    keys = list(dict.fromkeys(keys))
    if not keys:
        return set()
    env.cr.execute(
        "SELECT key FROM unnest(%s::bigint[]) AS key WHERE pg_try_advisory_lock(key)",
        [keys],
        log_exceptions=False,
    )
    return {row[0] for row in env.cr.fetchall()}


def release_session_locks_held(env, keys):
    """Give back those of the session advisory locks ``keys`` this session holds (a
    bigint key is listed by pg_locks as its high and low 32 bits)."""
    if keys:
        _unlock(
            env,
            SQL(
                """SELECT count(pg_advisory_unlock(key)) FROM unnest(%s::bigint[]) AS key
                    WHERE EXISTS (
                        SELECT 1 FROM pg_locks
                         WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted
                           AND objsubid = 1
                           AND classid = ((key >> 32) & 4294967295)::oid
                           AND objid = (key & 4294967295)::oid)""",
                list(keys),
            ),
        )


def wait_for_lease(cr, record_id):
    """Wait until the worker holding a message's lease lets it go."""
    cr.execute("SELECT pg_advisory_lock(%s, %s)", [LEASE_NS, record_id])
    cr.execute("SELECT pg_advisory_unlock(%s, %s)", [LEASE_NS, record_id])


def email_lock_key(stable_id):
    """The advisory lock key of an email, from its stable id."""
    digest = hashlib.sha256(f"helpdesk_mail_ticket:{stable_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextmanager
def session_lock(env, key):
    """Hold the session advisory lock ``key`` for the block (see the module's doc)."""
    # A statement of its own: a session lock taken by a statement that fails
    # afterwards is held all the same, and would never be released.
    env.cr.execute("SELECT pg_advisory_lock(%s)", [key])
    try:
        yield key
    finally:
        _unlock(env, SQL("SELECT pg_advisory_unlock(%s)", key))


def _unlock(env, query):
    try:
        env.cr.execute(query)
    except psycopg2.Error:
        # The transaction failed: undo it, then release the lock, which would
        # otherwise outlive this message on a pooled connection.
        rollback(env)
        env.cr.execute(query)


# What the messages of one batch read alike (``batch_memo``), kept on the cursor.
_BATCH_MEMO = "helpdesk_mail_ticket.batch_memo"


@contextmanager
def batch_memo(env):
    """While a batch processes its messages in one transaction: what each of them
    would read alike (the default stage, the reference sequence, the alias domain of
    the posts) is read once (``memoized``). The transaction is repeatable read, so a
    second read of a row the batch does not write returns the first read's answer:
    remembering it changes no outcome. Only ids are kept, never a record (its
    environment) nor a row the batch writes."""
    env.cr.cache[_BATCH_MEMO] = {}
    try:
        yield
    finally:
        env.cr.cache.pop(_BATCH_MEMO, None)


def memoized(env, key, compute):
    """``compute()``, once per ``key`` in a batch (``batch_memo``), every time
    otherwise. ``key`` names whatever the answer depends on (user, companies...)."""
    memo = env.cr.cache.get(_BATCH_MEMO)
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


# The first alias domain (``mail.alias.domain``'s order) read by the processing's claim
# (``keep_with_cached``): Odoo's ``message_post`` records it when the company has none.
FIRST_ALIAS_DOMAIN = "helpdesk_mail_ticket.first_alias_domain"


def keep_with_cached(env, key, record, field_name, value):
    """Keep ``value`` under ``key`` as long as ``record``'s ``field_name``, read on the
    same snapshot, stays in the ORM's cache: a commit or a rollback empties that cache
    (so does the end of a test), so ``value`` holds for that transaction only (an id
    of a row another worker may delete as soon as the transaction is over)."""
    env.cr.cache[key] = (record._name, record.id, field_name, value)


def kept_with_cached(env, key):
    """``(value,)`` kept by ``keep_with_cached`` under ``key``, or None when its
    record's field left the cache since (the transaction ended)."""
    kept = env.cr.cache.get(key)
    if kept is None:
        return None
    record = env[kept[0]].browse(kept[1])
    if not env.cache.contains(record, record._fields[kept[2]]):
        env.cr.cache.pop(key, None)
        return None
    return (kept[3],)


def remember(env, key, value):
    """Keep ``value`` under ``key`` while the batch lasts (nothing outside a batch)."""
    memo = env.cr.cache.get(_BATCH_MEMO)
    if memo is not None:
        memo[key] = value


def recall(env, key, default=None):
    """What ``remember`` or ``memoized`` kept under ``key`` in this batch, or
    ``default`` (outside a batch too)."""
    memo = env.cr.cache.get(_BATCH_MEMO)
    return default if memo is None else memo.get(key, default)


@contextmanager
def step_savepoint(env, flush=True):
    """A savepoint around one step of a transaction (a message of a batch, an
    attachment), as ``cr.savepoint()`` with its flushes, but not released when the
    step succeeds: PostgreSQL commits what an unreleased savepoint holds with the
    transaction, and a rollback to an outer savepoint undoes it too, so a RELEASE
    would only be one more round trip a step. Its row locks stay held until the
    commit, as a released one's do. A failure rolls back to it and raises.
    ``flush=False``: as ``cr.savepoint(flush=False)`` (a step of raw SQL: no flush
    before nor after, the cache kept on failure)."""
    cr = env.cr
    if flush:
        cr.flush()
    name = f"hmt_{uuid.uuid4().hex}"
    cr.execute(SQL("SAVEPOINT %s", SQL.identifier(name)))
    try:
        yield
        if flush:
            cr.flush()
    except BaseException:
        if flush:
            cr.clear()
        cr.execute(SQL("ROLLBACK TO SAVEPOINT %s", SQL.identifier(name)))
        raise
