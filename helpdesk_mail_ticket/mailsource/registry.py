"""The kinds of mail source, by protocol name: IMAP and POP3 register here, and so can
another module (a Maildir folder, a provider's API...) without any table to edit.

``register_source(cls)`` keys ``cls`` (a :class:`~.base.MailSource` subclass) by its
``protocol``; :func:`open_source` and :class:`~.config.ServerConfig` accept any protocol
registered; ``default_port`` reads the class's ``default_ports``.
"""

_SOURCES = {}


def register_source(cls, unregister=False):
    """Make ``cls`` the source of ``cls.protocol`` (or forget it); returns ``cls``, so
    that it can decorate the class."""
    if unregister:
        if _SOURCES.get(cls.protocol) is cls:
            del _SOURCES[cls.protocol]
        return cls
    if not cls.protocol:
        raise ValueError(f"{cls.__name__} names no protocol")
    _SOURCES[cls.protocol] = cls
    return cls


def source_class(protocol):
    """The source class registered for ``protocol`` (``KeyError`` when none is)."""
    return _SOURCES[protocol]


def registered_protocols():
    return tuple(_SOURCES)


def default_port(protocol, security):
    """The usual port of ``protocol`` with ``security``, or 0 (none, or not known)."""
    cls = _SOURCES.get(protocol)
    return cls.default_ports.get(security, 0) if cls else 0


def open_source(config, trace=None):
    """An unconnected source for ``config`` (use it in a ``with`` block).

    :param trace: optional ``callable(str)`` receiving a debug trace of the dialogue;
        the password is never passed to it.
    """
    return source_class(config.protocol)(config, trace=trace)
