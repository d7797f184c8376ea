"""An index of the open tasks by owner, on viewflow's task table (where the owner is).

Without it `scope=mine` has only the owner's index, which holds every task the member ever had
(thousands for a busy caseworker, to find a few dozen open ones), or the agency's open tasks:
either way a read that grows with the history. This index holds open tasks only.
`workflows.selectors._mine` asks for open statuses as well as `is_open` so that the planner may
use it.
"""

from django.db import migrations

# Closed means DONE or CANCELED: what `AgencyActivation.complete` and `cancel` set with
# `is_open = False` (workflows/nodes.py).
CREATE = (
    "CREATE INDEX task_open_owner_idx ON viewflow_task (owner_id) "
    "WHERE status NOT IN ('DONE', 'CANCELED')"
)
DROP = "DROP INDEX task_open_owner_idx"


class Migration(migrations.Migration):

    dependencies = [
        ("viewflow", "0015_task_scheduled"),
        ("workflows", "0003_alter_caseprocess_referral"),
    ]

    operations = [migrations.RunSQL(CREATE, DROP)]
