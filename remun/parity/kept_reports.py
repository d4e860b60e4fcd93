"""The figures of every parity report a process made, kept in the database for ``remun verify`` (issue 19).

Each report made is kept (``kept_reports``, migration 0020) under a digest of the figures versions it
was made under (remun/parity/versions.py): a project's report under the organisation's token and the
project's, the organisation's under the organisation's token and every project's. ``remun verify``
recomputes, without any cache, each kept report whose versions are still the current ones and names
any figure that differs (:func:`check_kept_reports`): a write that failed to move a version would
leave exactly such a report.

The organisation's report is kept as its pay gap, its basis and a digest of each project's figures
(each project's own figures are kept beside it when that project's report is made): keeping the whole
would cost, after any change in one project, as much as every project's report.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import Date, DateTime, Integer, String, Text, delete, func, insert, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from remun.parity.comparator_basis import basis_from_settings
from remun.parity.report import OrganisationParity, ProjectParity, combined_parity, project_reports
from remun.parity.report_json import report_as_json
from remun.parity.versions import organisation_digest, project_digest, read_versions
from remun.pay.rate_cards import RateBook
from remun.project_records.models import Base, Project


class KeptReport(Base):
    """The figures of one report a process made and served, under the figures versions it was made under."""

    __tablename__ = "kept_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "project" or "organisation"
    kind: Mapped[str] = mapped_column(String(20))
    project_id: Mapped[int | None] = mapped_column(Integer)  # no foreign key: a deleted project's row is stale anyway
    on_day: Mapped[dt.date] = mapped_column(Date)
    threshold: Mapped[int] = mapped_column(Integer)
    #: remun.parity.versions.project_digest or organisation_digest of the versions it was made under
    token: Mapped[str] = mapped_column(String(64), index=True)
    #: JSON of the figures (:func:`figures_json` for a project, :func:`organisation_figures` for the organisation)
    figures: Mapped[str] = mapped_column(Text)
    made_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


def figures_json(report: ProjectParity | OrganisationParity) -> str:
    """Every figure a report shows, as JSON text: equal texts are equal figures."""
    if isinstance(report, OrganisationParity):
        data = {"projects": [report_as_json(project) for project in report.projects], **_summary(report)}
    else:
        data = report_as_json(report)
    return json.dumps(data, sort_keys=True, default=str)


def _summary(report: OrganisationParity) -> dict:
    gap = report.pay_gap
    return {"pay_gap": {"mean": str(gap.mean_gap_percent), "median": str(gap.median_gap_percent),
                        "withheld": gap.withheld, "reasons": [reason.value for reason in gap.reasons]},
            "basis": report.basis.as_json()}


def figures_digest(figures: str) -> str:
    return hashlib.sha256(figures.encode()).hexdigest()


def organisation_figures(report: OrganisationParity, project_digests: dict[int, str]) -> str:
    """What is kept of the organisation's report: its own figures, the projects in order, and a digest of
    each project's figures (``project_digests``: project id -> figures_digest(figures_json(its report)))."""
    data = {**_summary(report), "projects": [[project.project_id, project_digests[project.project_id]]
                                             for project in report.projects]}
    return json.dumps(data, sort_keys=True, default=str)


#: One report to keep: (kind, project id or None, versions digest, day, threshold, figures text).
Kept = tuple[str, int | None, str, dt.date, int, str]


def keep(new_session: Callable[[], Session], reports: Iterable[Kept]) -> None:
    """Record the reports' figures, in a session and transaction of their own (the request's may only
    read), replacing what was kept for the same reports under older versions or days (so the table holds
    at most one row a report)."""
    reports = list(reports)
    if not reports:
        return
    with new_session() as session:
        same = [(KeptReport.kind == kind) & KeptReport.project_id.is_not_distinct_from(project_id)
                & (KeptReport.threshold == threshold) for kind, project_id, _token, _day, threshold, _figures in reports]
        for start in range(0, len(same), 200):  # a bounded statement however many projects were made
            session.execute(delete(KeptReport).where(or_(*same[start:start + 200])))
        session.execute(insert(KeptReport), [  # one statement however many
            {"kind": kind, "project_id": project_id, "token": token, "on_day": day, "threshold": threshold,
             "figures": figures} for kind, project_id, token, day, threshold, figures in reports])
        session.commit()  # two workers keeping the same report at once keep two equal rows: both are checked


def check_kept_reports(session: Session, book: RateBook) -> list[str]:
    """Each kept report under the current figures versions, made again without any cache and
    compared figure by figure: a sentence for each that differs (none when all are right).

    The reports of each day and threshold are made again in one pass over the data (every project's
    when the organisation's report is among them), as the dashboard makes them."""
    versions = read_versions(session)
    current = {project_digest(versions, project_id): project_id for project_id in versions.projects}
    current[organisation_digest(versions)] = None
    kept_rows = [kept for kept in session.scalars(select(KeptReport).where(KeptReport.token.in_(list(current)))
                                                  .order_by(KeptReport.id))
                 if current[kept.token] == kept.project_id and (kept.kind == "project") == (kept.project_id is not None)]
    basis = basis_from_settings(session)
    made: dict[tuple[dt.date, int], dict[int, ProjectParity]] = {}
    for day, threshold in {(kept.on_day, kept.threshold) for kept in kept_rows}:
        same = [kept for kept in kept_rows if (kept.on_day, kept.threshold) == (day, threshold)]
        ids = None if any(kept.kind == "organisation" for kept in same) else sorted({kept.project_id for kept in same})
        made[(day, threshold)] = {report.project_id: report
                                  for report in project_reports(session, book, day, threshold, basis, ids)}
    problems = []
    for kept in kept_rows:
        fresh = made[(kept.on_day, kept.threshold)]
        if kept.kind == "project":
            if kept.project_id not in fresh:
                continue  # removed since the versions were read
            figures = figures_json(fresh[kept.project_id])
            what = f"the parity report of project {fresh[kept.project_id].project_name!r} for {kept.on_day:%d %B %Y}"
        else:
            report = combined_parity(fresh.values(), kept.threshold, basis)
            figures = organisation_figures(report, {project.project_id: figures_digest(figures_json(project))
                                                    for project in report.projects})
            what = f"the organisation's parity report for {kept.on_day:%d %B %Y}"
        kept_figures = json.loads(kept.figures)
        where = _first_difference(kept_figures, json.loads(figures))
        if where is None:
            continue
        path, was, now = where
        if path.startswith("projects[") and path.endswith("][1]"):  # a project's figures, as their digest
            project_id = kept_figures["projects"][int(path[len("projects["):path.index("]")])][0]
            name = session.scalar(select(Project.name).where(Project.id == project_id))
            problems.append(f"{what}, kept under the current figures versions, holds figures of project {name!r} "
                            "that differ from a recomputation (a change did not move the version)")
        else:
            problems.append(f"{what}, kept under the current figures versions, differs from a recomputation: "
                            f"{path} is {was!r} where it should now be {now!r} (a change did not move the version)")
    return problems


def _first_difference(kept: Any, fresh: Any, path: str = "") -> tuple[str, Any, Any] | None:
    if isinstance(kept, dict) and isinstance(fresh, dict):
        for name in sorted(set(kept) | set(fresh)):
            found = _first_difference(kept.get(name), fresh.get(name), f"{path}.{name}" if path else name)
            if found:
                return found
        return None
    if isinstance(kept, list) and isinstance(fresh, list) and len(kept) == len(fresh):
        for index, (one, other) in enumerate(zip(kept, fresh)):
            found = _first_difference(one, other, f"{path}[{index}]")
            if found:
                return found
        return None
    return None if kept == fresh else (path or "the report", kept, fresh)
