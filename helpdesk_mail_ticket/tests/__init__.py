from . import test_admin_tools
from . import test_itop_import
from . import test_mail_to_ticket
from . import test_protocols
from . import test_real_mail
from . import test_security
from . import test_settings_cron
from . import test_ui
