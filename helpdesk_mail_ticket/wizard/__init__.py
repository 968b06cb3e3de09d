from . import itop_import
from . import mail_inbox_test_email
