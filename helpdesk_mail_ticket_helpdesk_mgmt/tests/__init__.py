from . import test_helpdesk_mgmt_inbox
