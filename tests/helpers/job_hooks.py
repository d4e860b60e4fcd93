"""A job kind for tests only: reports progress, then on its first attempt works until its worker is killed.

Imported by tests/jobs/test_jobs.py and by the worker it starts (``python -c "import tests.helpers.job_hooks; ..."``),
so both know the kind. The real kinds (remun/jobs/kinds.py) are tested through the same runner.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from sqlalchemy.orm import Session

from remun.jobs.registry import handler

ROWS = 10


@handler("test-slow", ".txt")
def slow(session: Session, params: dict, target: Path, progress) -> str:
    from remun.jobs.models import Job

    attempts = session.get(Job, params["job_id"]).attempts if params.get("job_id") else 1
    if params.get("pid_file"):  # so the test can stop this process (RQ's work horse) when it kills the worker
        Path(params["pid_file"]).write_text(str(os.getpid()), encoding="utf-8")
    progress(3, ROWS)
    if attempts == 1:
        while True:  # the test kills the worker here
            time.sleep(0.1)
    target.write_text("finished on a later attempt\n", encoding="utf-8")
    progress(ROWS, ROWS)
    return "slow.txt"
