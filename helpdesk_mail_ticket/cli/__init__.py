from . import helpdesk_fetch
from . import helpdesk_deliver
