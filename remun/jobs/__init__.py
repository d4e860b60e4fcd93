"""Long work done in the background (issue 19): the finance export, budget workbooks and large imports.

A page asks for the work with ``runner.submit``: a ``Job`` row (remun/jobs/models.py)
is saved with its owner, and the work is handed to

- RQ over Redis when ``REMUN_REDIS_URL`` is set: queue ``remun``, run by ``remun worker``
  (any number, on any number of machines sharing the database and the jobs folder);
- otherwise a thread of the app itself, so one machine (``make run``) needs nothing more.

The work itself (``work.perform``) is the same either way: it marks the job running,
moves ``rows_done`` and a heartbeat as it goes, writes the file into the jobs folder and
marks the job done with an expiry (24 hours unless ``REMUN_JOB_KEEP_HOURS`` says
otherwise), or failed with a sentence saying why. A running job whose heartbeat has
stopped was lost with its worker: ``store.fail_lost_jobs`` marks it failed, and it can be
tried again. No Flask in ``store``; ``runner`` needs an app only for translated headings.

An import job's upload is kept in ``uploads/`` under the jobs folder until the import has run
(or, for a job that failed, until it would have expired); its "file" is the result its page shows.
"""
