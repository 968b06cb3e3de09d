from . import test_helpdesk_mgmt_inbox
from . import test_i18n
from . import test_update_subtype
from . import test_write_date_index
from . import test_archived_reply
