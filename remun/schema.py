"""Every table Remun has, in one metadata: imported by Alembic and the migration tests."""

from remun.project_records import models
from remun.accounts import models as account_models  # noqa: F401  (registers the tables)
from remun.ledger import models as ledger_models  # noqa: F401
from remun.budget import models as budget_models  # noqa: F401
from remun.reciprocity import models as reciprocity_models  # noqa: F401
from remun.organisation import models as organisation_models  # noqa: F401
from remun.accounts import sign_in_sessions as sign_in_session_models  # noqa: F401  (issue 15)
from remun.sessions import models as session_models  # noqa: F401
from remun.organisation import rate_figures as organisation_rate_figures  # noqa: F401
from remun.jobs import models as job_models  # noqa: F401  (issue 19: background jobs)
from remun.parity import report_cache as kept_report_models  # noqa: F401  (issue 19: kept reports)
from remun.parity import project_totals as kept_totals_models  # noqa: F401  (issue 19: kept project totals)

metadata = models.Base.metadata
