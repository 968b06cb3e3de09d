from . import test_maildir_inbox
