"""Save an email too big to process (iTop's ``big_files_dir``) into a private folder.

The message is streamed from the server to the file (:meth:`MailSource.fetch_into`),
never held whole in memory. The folder is readable by the process's user alone (created
with mode 0700, an existing one must already be that private), the file by that user
alone (0600); its name is the caller's, never a path from the mail. The file is written
under a temporary name and renamed once whole and synced: a file with the final name is
always complete.
"""

import hashlib
import os
import re
import stat

_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,249}")  # with ".part": NAME_MAX
_UNSAFE_CHARS = re.compile(r"[^A-Za-z0-9._-]")
PARTIAL_SUFFIX = ".part"


def safe_file_name(*parts):
    """``parts`` joined by ``-``, every character but letters, digits, ``.``, ``_`` and
    ``-`` replaced by ``_``, never starting with a dot: a plain file name."""
    name = _UNSAFE_CHARS.sub("_", "-".join(str(part) for part in parts))
    return ("_" + name[1:] if name.startswith(".") else name)[:200]


def private_directory(directory):
    """Create ``directory`` (mode 0700) unless it exists; an existing one must be a
    directory of this process's user that no other user can enter (PermissionError
    with the reason otherwise). Returns its path."""
    if not os.path.isabs(directory):
        raise ValueError(f"The directory for big emails must be an absolute path: {directory!r}")
    os.makedirs(directory, mode=0o700, exist_ok=True)  # an existing one is checked below
    info = os.stat(directory)
    if not stat.S_ISDIR(info.st_mode):
        raise NotADirectoryError(f"{directory} is not a directory")
    mode = stat.S_IMODE(info.st_mode)
    if info.st_uid != os.getuid() or mode & 0o077:
        raise PermissionError(
            f"{directory} must belong to the user running Odoo and be closed to the others "
            f"(mode 0700): it has mode {mode:04o} and belongs to user {info.st_uid}"
        )
    return directory


def save_message(source, uid, directory, name, section=None, encoding=None):
    """Stream message ``uid`` of ``source`` into ``directory``/``name`` and return the
    file's path. ``name`` must be a plain file name (see :func:`safe_file_name`). An
    existing file of that name is replaced (the same message saved again). Any failure
    (server, disk) leaves no file behind and is raised. With ``section`` (IMAP), only
    that part is saved, decoded from its Content-Transfer-Encoding ``encoding``."""
    if not _SAFE_NAME.fullmatch(name or "") or name.endswith(PARTIAL_SUFFIX):
        raise ValueError(f"Not a plain file name: {name!r}")
    path = os.path.join(private_directory(directory), name)
    partial = path + PARTIAL_SUFFIX
    if os.path.lexists(partial):  # left by a process killed while saving
        os.unlink(partial)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    descriptor = os.open(partial, flags, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as out:
            if section:
                source.fetch_part_into(uid, section, out, encoding)
            else:
                source.fetch_into(uid, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)
    except BaseException:
        if os.path.lexists(partial):
            os.unlink(partial)
        raise
    _sync_directory(directory)
    return path


def _sync_directory(directory):
    """Make the rename durable (a crash after it must not lose the file's name)."""
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def rebuild_small(source, uid, tree, budget, save_large):
    """The MIME entity of ``tree`` (a :class:`~.structure.MimePart` of message ``uid``)
    with its leaves that fit, in order, within ``budget`` octets, fetched one by one
    as sent (their MIME header and content); every other leaf is handed to
    ``save_large(part)``, which returns where it saved it. Returns ``(entity or None
    when nothing fitted, [(part, path), ...])``."""
    large = []
    remaining = [budget]

    def build(part):
        if part.is_multipart:
            children = [entity for entity in map(build, part.children) if entity]
            return multipart(part.mimetype, children) if children else None
        if part.size <= remaining[0]:
            remaining[0] -= part.size
            header = source.fetch_part(uid, part.section, mime=True)
            return header + source.fetch_part(uid, part.section)
        large.append((part, save_large(part)))
        return None

    return build(tree), large


def multipart(mimetype, entities):
    """A ``multipart/*`` MIME entity (header and body) holding ``entities``. Its
    boundary is a digest of them: the same parts rebuilt again give the same bytes
    (and a boundary that cannot occur in them)."""
    digest = hashlib.sha256(mimetype.encode())
    for entity in entities:
        digest.update(hashlib.sha256(entity).digest())
    boundary = f"=_hmt_{digest.hexdigest()[:32]}"
    lines = [f'Content-Type: {mimetype}; boundary="{boundary}"\r\n\r\n'.encode()]
    for entity in entities:
        lines += [f"--{boundary}\r\n".encode(), entity, b"\r\n"]
    lines.append(f"--{boundary}--\r\n".encode())
    return b"".join(lines)


_CONTENT_FIELDS = re.compile(rb"(?i)^(content-type|content-transfer-encoding)\s*:")


def assemble_message(header, entities):
    """A message made of the header block ``header`` (its own Content-Type and
    Content-Transfer-Encoding fields dropped) and a multipart/mixed body of
    ``entities``."""
    kept, dropping = [], False
    for line in header.rstrip(b"\r\n").split(b"\n"):
        if line[:1] in (b" ", b"\t"):
            if not dropping:
                kept.append(line)
            continue
        dropping = bool(_CONTENT_FIELDS.match(line))
        if not dropping:
            kept.append(line)
    head = b"\n".join(kept).rstrip(b"\r") + b"\r\n"
    return head + multipart("multipart/mixed", entities)
