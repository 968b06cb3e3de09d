"""One error hierarchy for the email core."""


class MailParseError(ValueError):
    """Base class of every error the core raises on purpose."""


class PatternError(MailParseError):
    """A PCRE pattern (as iTop admins write it) that cannot be used."""


class SettingsError(MailParseError):
    """A global setting with a value that cannot be used."""
