"""Prometheus metrics: requests (counted in every gunicorn worker), jobs, and the scheduled checks.

Under gunicorn, ``PROMETHEUS_MULTIPROC_DIR`` is set (deploy/gunicorn.conf.py) before this is
imported, so each worker writes its counts to files there and the metrics server in the gunicorn
master adds them up (prometheus_client's multiprocess mode). That server listens on its own address,
REMUN_METRICS_BIND (127.0.0.1:9180 by default): not public, and not behind the app's sign-in.

The rest is read when Prometheus scrapes: the checks' results from their status file
(remun/upkeep/checks.py), and the job queue from Redis when REMUN_REDIS_URL is set.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter, Histogram, start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, SummaryMetricFamily
from prometheus_client.registry import Collector

DEFAULT_BIND = "127.0.0.1:9180"

HTTP_REQUESTS = Counter("remun_http_requests", "Requests answered, by endpoint, method and status.",
                        ["endpoint", "method", "status"])
HTTP_LATENCY = Histogram("remun_http_request_duration_seconds", "Time to answer a request, by endpoint.",
                         ["endpoint"], buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60))
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def observe_request(endpoint: str | None, method: str, status: int, seconds: float) -> None:
    # Endpoint names, never paths: a path can hold a token, and unknown paths would make endless series.
    endpoint = endpoint or "unknown"
    HTTP_REQUESTS.labels(endpoint, method if method in KNOWN_METHODS else "other", str(status)).inc()
    HTTP_LATENCY.labels(endpoint).observe(seconds)


class OperationsCollector(Collector):
    """Read at each scrape: the scheduled checks' last results, and the RQ queue ``remun``."""

    def __init__(self, status_file: Path, redis_url: str | None):
        self.status_file = status_file
        self.redis_url = redis_url

    def collect(self) -> Iterator:
        yield from self._checks()
        if self.redis_url:
            yield from self._jobs()

    def _checks(self) -> Iterator:
        from remun.upkeep.checks import read_status

        status = read_status(self.status_file)
        now = dt.datetime.now(dt.timezone.utc).timestamp()
        ok = GaugeMetricFamily("remun_check_ok", "1 when the check's last run passed, 0 when it failed.", labels=["check"])
        last_run = GaugeMetricFamily("remun_check_last_run_timestamp_seconds", "When the check last ran.",
                                     labels=["check"])
        last_success = GaugeMetricFamily("remun_check_last_success_timestamp_seconds", "When the check last passed.",
                                         labels=["check"])
        failures = CounterMetricFamily("remun_check_failures", "Runs of the check that failed.", labels=["check"])
        for name, entry in sorted(status.items()):
            ok.add_metric([name], 1.0 if entry.get("ok") else 0.0)
            last_run.add_metric([name], float(entry.get("last_run", 0)))
            if entry.get("last_success"):
                last_success.add_metric([name], float(entry["last_success"]))
            failures.add_metric([name], float(entry.get("failures", 0)))
        yield from (ok, last_run, last_success, failures)

        verify = status.get("verify", {})
        since = GaugeMetricFamily("remun_verify_seconds_since_success",
                                  "Seconds since `remun checks run verify` last found the ledger intact "
                                  "(+Inf when it never has).")
        since.add_metric([], now - float(verify["last_success"]) if verify.get("last_success") else float("inf"))
        yield since
        rates = status.get("rates", {})
        if "overdue" in rates.get("counts", {}):
            overdue = GaugeMetricFamily("remun_rate_cards_overdue", "Rate cards overdue for review at the last check.")
            overdue.add_metric([], float(rates["counts"]["overdue"]))
            yield overdue

    def _jobs(self) -> Iterator:
        up = GaugeMetricFamily("remun_redis_up", "1 when Redis answered this scrape.")
        try:
            from redis import Redis
            from rq import Queue
            from rq.job import Job
            from rq.registry import FailedJobRegistry, FinishedJobRegistry, StartedJobRegistry

            from remun.upkeep.readiness import QUEUE_NAME, recent_workers

            connection = Redis.from_url(self.redis_url, socket_connect_timeout=1, socket_timeout=2)
            queue = Queue(QUEUE_NAME, connection=connection)
            depth = {"queued": queue.count,
                     "started": StartedJobRegistry(queue=queue).count,
                     "failed": FailedJobRegistry(queue=queue).count}
            workers = recent_workers(connection)
            finished = FinishedJobRegistry(queue=queue)
            # RQ keeps finished jobs for their result_ttl (500 s by default): these are the recent ones.
            recent = [job for job in Job.fetch_many(finished.get_job_ids(0, 499), connection=connection) if job]
        except Exception:  # noqa: BLE001  (metrics must answer even when Redis does not)
            up.add_metric([], 0.0)
            yield up
            return
        up.add_metric([], 1.0)
        yield up
        jobs = GaugeMetricFamily("remun_jobs", "Jobs in the queue `remun`, by state.", labels=["state"])
        for state, count in depth.items():
            jobs.add_metric([state], float(count))
        yield jobs
        seen = GaugeMetricFamily("remun_job_workers", "Job workers seen recently.")
        seen.add_metric([], float(workers))
        yield seen
        durations = [(job.ended_at - job.started_at).total_seconds() for job in recent
                     if job.started_at and job.ended_at]
        summary = SummaryMetricFamily("remun_job_duration_seconds", "How long recently finished jobs took.",
                                      labels=["queue"])
        summary.add_metric([QUEUE_NAME], count_value=len(durations), sum_value=sum(durations))
        yield summary


def metrics_registry(status_file: Path, redis_url: str | None) -> CollectorRegistry:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:  # one process (remun run): this process's own counts
        registry.register(HTTP_REQUESTS)
        registry.register(HTTP_LATENCY)
    registry.register(OperationsCollector(status_file, redis_url))
    return registry


def serve_metrics(bind: str, status_file: Path, redis_url: str | None):
    """Start the metrics server on ``host:port`` in a background thread; returns (server, thread)."""
    host, _, port = bind.rpartition(":")
    return start_http_server(int(port), addr=host or "127.0.0.1", registry=metrics_registry(status_file, redis_url))
