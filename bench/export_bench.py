"""Export benchmark: rows per second and peak memory for the finance workbook, beside its peers.

    .venv/bin/python bench/export_bench.py                 # 100,000 and 1,000,000 postings
    .venv/bin/python bench/export_bench.py --rows 20000    # a quick run
    .venv/bin/python bench/export_bench.py --url postgresql+psycopg://postgres@127.0.0.1/remun_bench
                                       # every posting of a database filled by bench/generate
    make bench                         # all the benchmarks (bench/run_all.py), this one included

For each size it builds a temporary SQLite database with that many postings
(SQLAlchemy Core bulk inserts into a migrated schema: inserting is allowed, the
ledger's triggers only refuse updates and deletes), then runs each case in its
own process so each peak is its own (VmHWM; "growth" is the peak less the
process's size once its imports were done):

- ``remun-export``: remun.exports.finance_workbook.write_finance_workbook, every sheet,
  postings streamed from the database in chunks (XlsxWriter constant_memory since
  the switch; openpyxl write-only before it);
- ``remun-csv``: the Ledger sheet as CSV (remun.exports.csv_export);
- ``db-fetch``: only reading the postings (what the export's query costs);
- ``bare-openpyxl``: a bare openpyxl write-only loop writing the same Ledger
  cells with the same formats, styled cells made once and reused (the form
  Remun uses), from rows made in Python;
- ``bare-openpyxl-per-cell``: the same, but a new styled cell for every money,
  date and hours value (the usual way, which the issue suspected is slow);
- ``bare-openpyxl-named-style``: a new cell per value given a NamedStyle;
- ``xlsxwriter``: XlsxWriter with constant_memory, the same cells and formats.

Nothing here runs in the test suite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CASES = ["remun-export", "remun-csv", "db-fetch", "bare-openpyxl", "bare-openpyxl-per-cell",
         "bare-openpyxl-named-style", "xlsxwriter"]
PEOPLE = 2_000
PROJECTS = 3
LEDGER_HEADINGS = ["Date", "Transaction", "Project", "Cost centre", "Account", "Person", "Payee reference", "Role",
                   "Kind", "Description", "Hours", "Debit", "Credit", "Status", "Batch", "Currency", "Project ID",
                   "Account code"]


def rss_mib() -> float:
    """This process's peak resident memory in MiB.

    Linux's VmHWM belongs to the running program only; ru_maxrss would also
    count the parent's size at the fork before exec (this script's, holding
    the database it just built).
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# --- The database ---------------------------------------------------------------------------------

def build_database(path: Path, postings: int) -> None:
    """A migrated SQLite database holding ``postings`` postings: per claim, an accrual and a bank payment."""
    from sqlalchemy import event, insert

    from remun.database import make_engine, upgrade
    from remun.ledger.models import Claim, LedgerTransaction, PaymentBatch, Posting
    from remun.project_records.models import Attendance, Meeting, Person, Project, Role

    url = f"sqlite:///{path}"
    upgrade(url)
    engine = make_engine(url)

    @event.listens_for(engine, "connect")
    def _fast(connection, _record):  # a throwaway database: no need to survive a crash
        connection.execute("PRAGMA journal_mode=OFF")
        connection.execute("PRAGMA synchronous=OFF")

    engine.dispose()
    claims = max(postings // 4, 1)
    now = dt.datetime(2026, 4, 30, 12, tzinfo=dt.timezone.utc)
    start = dt.date(2025, 4, 1)
    with engine.begin() as connection:
        connection.execute(insert(Project), [
            {"id": p + 1, "name": f"Bench project {p + 1}", "cost_centre": f"CC-{100 + p}", "currency": "GBP"}
            for p in range(PROJECTS)])
        connection.execute(insert(Role), [
            {"id": p + 1, "project_id": p + 1, "title": "Peer researcher", "kind": "lived_experience"}
            for p in range(PROJECTS)])
        connection.execute(insert(Person), [
            {"id": i + 1, "name": f"Person {i + 1:05d} Mac{chr(65 + i % 26)}ãích", "payee_reference": f"SUP{i + 1:07d}",
             "reciprocity": "bank_transfer", "preferred_language": "en"} for i in range(PEOPLE)])
        meetings = claims // PEOPLE + 1
        connection.execute(insert(Meeting), [
            {"id": m + 1, "project_id": m % PROJECTS + 1, "date": start + dt.timedelta(days=m % 365),
             "title": f"Panel {m + 1}", "hours": Decimal("3")} for m in range(meetings)])
        batches = claims // 1_000 + 1
        connection.execute(insert(PaymentBatch), [
            {"id": b + 1, "project_id": b % PROJECTS + 1, "status": "paid", "created_at": now, "paid_at": now,
             "total": Decimal("80000.00"), "payees": 1000} for b in range(batches)])
        step = 5_000
        sequence = 0
        for first in range(0, claims, step):
            ks = range(first, min(first + step, claims))
            attendances, claim_rows, transactions, posting_rows = [], [], [], []
            for k in ks:
                meeting = k // PEOPLE + 1
                project = (meeting - 1) % PROJECTS + 1
                person = k % PEOPLE + 1
                day = start + dt.timedelta(days=k % 365)
                attendances.append({"id": k + 1, "meeting_id": meeting, "person_id": person, "role_id": project,
                                    "hours": Decimal("3"), "prep_hours": Decimal("1"), "travel_hours": Decimal("0")})
                claim_rows.append({"id": k + 1, "attendance_id": k + 1, "person_id": person, "project_id": project,
                                   "kind": "time", "status": "approved", "amount": Decimal("80.00"), "basis": "hour",
                                   "rate": Decimal("20"), "hours": Decimal("3"), "prep_hours": Decimal("1"),
                                   "travel_hours": Decimal("0"), "paid_hours": Decimal("4"), "submitted_at": now,
                                   "decided_at": now, "settled_as": "bank_transfer", "settled_at": now})
                for kind, batch in (("accrual", None), ("settlement", k // 1_000 + 1)):
                    sequence += 1
                    transactions.append({
                        "id": sequence, "sequence": sequence, "project_id": project, "kind": kind, "posted_on": day,
                        "created_at": now, "description": f"Claim {k + 1}: time {'approved' if batch is None else f'paid by bank in batch {batch}'}",
                        "claim_id": k + 1, "batch_id": batch, "previous_hash": f"{sequence - 1:064x}",
                        "hash": f"{sequence:064x}"})
                    lines = (("project_cost_time", None, "80.00"), ("owed", person, "-80.00")) if batch is None else \
                        (("owed", person, "80.00"), ("bank", person, "-80.00"))
                    for account, who, amount in lines:
                        posting_rows.append({"transaction_id": sequence, "account": account, "project_id": project,
                                             "person_id": who, "amount": Decimal(amount)})
            connection.execute(insert(Attendance), attendances)
            connection.execute(insert(Claim), claim_rows)
            connection.execute(insert(LedgerTransaction), transactions)
            connection.execute(insert(Posting), posting_rows)
    engine.dispose()


def count_postings(url: str) -> int:
    from sqlalchemy import func, select

    from remun.database import make_engine
    from remun.ledger.models import Posting

    engine = make_engine(url)
    with engine.connect() as connection:
        count = connection.scalar(select(func.count(Posting.id)))
    engine.dispose()
    return count


# --- Rows made in Python, shaped like the Ledger sheet's --------------------------------------------

def python_rows(count: int):
    accounts = (("Project cost: time", "project_cost_time"), ("Owed to the person", "owed"),
                ("Owed to the person", "owed"), ("Paid by bank", "bank"))
    start = dt.date(2025, 4, 1)
    for i in range(count):
        k, line = divmod(i, 4)
        person = k % PEOPLE + 1
        label, code = accounts[line]
        debit = Decimal("80.00") if line in (0, 2) else None
        yield (
            start + dt.timedelta(days=k % 365), 2 * k + 1 + line // 2, f"Bench project {k % PROJECTS + 1}",
            f"CC-{100 + k % PROJECTS}", label, f"Person {person:05d} Mac{chr(65 + (person - 1) % 26)}ãích",
            f"SUP{person:07d}", "Peer researcher", "Time", f"Claim {k + 1}: time approved",
            Decimal("4") if line == 0 else None, debit, None if debit else Decimal("80.00"),
            "Approved" if line < 2 else "Settled", None if line < 2 else k // 1000 + 1, "GBP", k % PROJECTS + 1, code,
        )


FORMATS = {"date": "dd/mm/yyyy", "money": '"£"#,##0.00;"-£"#,##0.00', "hours": "#,##0.00"}


def bare_openpyxl(path: Path, count: int, mode: str) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import NamedStyle

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Ledger")
    ws.freeze_panes = "A2"
    if mode == "named":
        for name, code in FORMATS.items():
            style = NamedStyle(name=name)
            style.number_format = code
            wb.add_named_style(style)
    ws.append(LEDGER_HEADINGS)

    if mode == "reused":
        cells = {}
        for name, code in FORMATS.items():
            cells[name] = [WriteOnlyCell(ws) for _ in range(2)]
            for cell in cells[name]:
                cell.number_format = code

        def styled(kind: str, value, slot: int = 0):
            cell = cells[kind][slot]
            cell.value = value
            return cell
    elif mode == "per-cell":
        def styled(kind: str, value, slot: int = 0):
            cell = WriteOnlyCell(ws, value=value)
            cell.number_format = FORMATS[kind]
            return cell
    else:
        def styled(kind: str, value, slot: int = 0):
            cell = WriteOnlyCell(ws, value=value)
            cell.style = kind
            return cell

    for row in python_rows(count):
        ws.append((styled("date", row[0]), *row[1:10],
                   None if row[10] is None else styled("hours", row[10]),
                   None if row[11] is None else styled("money", row[11], 0),
                   None if row[12] is None else styled("money", row[12], 1), *row[13:]))
    ws.auto_filter.ref = f"A1:R{count + 1}"
    wb.save(path)
    return count


def xlsxwriter_peer(path: Path, count: int) -> int:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("Ledger")
    formats = {name: wb.add_format({"num_format": code}) for name, code in FORMATS.items()}
    bold = wb.add_format({"bold": True})
    ws.freeze_panes(1, 0)
    ws.write_row(0, 0, LEDGER_HEADINGS, bold)
    for r, row in enumerate(python_rows(count), 1):
        ws.write_datetime(r, 0, dt.datetime.combine(row[0], dt.time()), formats["date"])
        ws.write_number(r, 1, row[1])
        for c in range(2, 10):
            ws.write_string(r, c, row[c])
        if row[10] is not None:
            ws.write_number(r, 10, row[10], formats["hours"])
        if row[11] is not None:
            ws.write_number(r, 11, row[11], formats["money"])
        if row[12] is not None:
            ws.write_number(r, 12, row[12], formats["money"])
        ws.write_string(r, 13, row[13])
        if row[14] is not None:
            ws.write_number(r, 14, row[14])
        ws.write_string(r, 15, row[15])
        ws.write_number(r, 16, row[16])
        ws.write_string(r, 17, row[17])
    ws.autofilter(0, 0, count, 17)
    wb.close()
    return count


# --- One case, in its own process ---------------------------------------------------------------------

def run_case(case: str, database: str, rows: int, out: Path) -> dict:
    """Run one case; the modules it needs are imported before the baseline is taken."""
    if case in ("remun-export", "remun-csv", "db-fetch"):
        from sqlalchemy.orm import Session

        from remun.config import DEFAULT_RATES_DIR
        from remun.database import make_engine
        from remun.exports import ExportContext, ExportFilters, queries
        from remun.exports.csv_export import write_ledger_csv
        from remun.exports.finance_workbook import write_finance_workbook
        from remun.pay.rate_cards import load_rate_book

        book = load_rate_book(DEFAULT_RATES_DIR)
    elif case == "xlsxwriter":
        import xlsxwriter  # noqa: F401
    else:
        import openpyxl  # noqa: F401
    baseline = rss_mib()
    started, cpu = time.perf_counter(), time.process_time()
    if case in ("remun-export", "remun-csv", "db-fetch"):
        engine = make_engine(database)
        with Session(engine) as session:
            context = ExportContext(made_by="bench")
            if case == "remun-export":
                written = write_finance_workbook(session, str(out), ExportFilters(), context, rate_book=book).postings
            elif case == "remun-csv":
                write_ledger_csv(session, str(out), ExportFilters(), context)
                written = rows
            else:
                written = sum(len(chunk) for chunk in queries.ledger_rows(session, ExportFilters()))
        engine.dispose()
    elif case == "bare-openpyxl":
        written = bare_openpyxl(out, rows, "reused")
    elif case == "bare-openpyxl-per-cell":
        written = bare_openpyxl(out, rows, "per-cell")
    elif case == "bare-openpyxl-named-style":
        written = bare_openpyxl(out, rows, "named")
    elif case == "xlsxwriter":
        written = xlsxwriter_peer(out, rows)
    else:
        raise SystemExit(f"unknown case {case}")
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    peak = rss_mib()
    return {"case": case, "rows": written, "seconds": seconds, "cpu": cpu_seconds, "peak_mib": peak,
            "growth_mib": max(peak - baseline, 0.0), "bytes": out.stat().st_size if out.exists() else 0}


def child(args) -> None:
    result = run_case(args.case, args.db, args.child_rows, Path(args.out))
    print(json.dumps(result))


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, action="append", help="postings to export (repeatable)")
    parser.add_argument("--cases", default=",".join(CASES), help=f"comma-separated, of: {', '.join(CASES)}")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each case, interleaved; medians are shown")
    parser.add_argument("--workdir", help="where to put the databases and files (a temporary folder when not given)")
    parser.add_argument("--url", help="export from this database (filled by bench/generate, e.g. PostgreSQL) "
                                      "instead of building an SQLite one; the bare loops write as many rows")
    parser.add_argument("--case", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--child-rows", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.case:
        child(args)
        return
    sizes = args.rows or [100_000, 1_000_000]
    cases = [case.strip() for case in args.cases.split(",") if case.strip()]
    unknown = set(cases) - set(CASES)
    if unknown:
        parser.error(f"unknown cases: {', '.join(sorted(unknown))}")
    from openpyxl import LXML

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"Python {sys.version.split()[0]}, openpyxl with lxml: {LXML}, {os.cpu_count()} CPUs, "
          f"load average {load:.1f} at the start")
    print("rows/s is per wall-clock second; cpu rows/s per second of the process's own CPU time "
          "(steadier on a busy machine). Peak is the process's maximum resident size.")
    with tempfile.TemporaryDirectory(dir=args.workdir) as folder:
        work = Path(folder)
        if args.url:
            sizes = [count_postings(args.url)]
        for size in sizes:
            database = work / f"bench-{size}.sqlite3"
            if args.url:
                url = args.url
                print(f"\n{size:,} postings in {url.split('@')[-1]}")
            else:
                url = f"sqlite:///{database}"
                started = time.perf_counter()
                build_database(database, size)
                print(f"\n{size:,} postings (database built in {time.perf_counter() - started:.1f} s)")
            runs: dict[str, list[dict]] = {case: [] for case in cases}
            for _round in range(args.repeat):
                for case in cases:
                    out = work / f"{case}-{size}.{'csv' if case == 'remun-csv' else 'xlsx'}"
                    completed = subprocess.run(
                        [sys.executable, __file__, "--case", case, "--db", url, "--out", str(out),
                         "--child-rows", str(size)], capture_output=True, text=True)
                    if completed.returncode != 0:
                        print(f"  {case}: failed: {completed.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
                        continue
                    runs[case].append(json.loads(completed.stdout.strip().splitlines()[-1]))
                    out.unlink(missing_ok=True)
            print(f"  {'case':28} {'seconds':>8} {'rows/s':>9} {'cpu s':>7} {'cpu rows/s':>11} {'peak MiB':>9} "
                  f"{'growth MiB':>11} {'file MiB':>9}")
            results = {}
            for case, found in runs.items():
                if not found:
                    continue
                result = {key: _median([run[key] for run in found]) for key in
                          ("rows", "seconds", "cpu", "peak_mib", "growth_mib", "bytes")}
                results[case] = result
                print(f"  {case:28} {result['seconds']:8.1f} {result['rows'] / result['seconds']:9,.0f} "
                      f"{result['cpu']:7.1f} {result['rows'] / result['cpu']:11,.0f} {result['peak_mib']:9.1f} "
                      f"{result['growth_mib']:11.1f} {result['bytes'] / 2**20:9.1f}", flush=True)

            def ratio(first: str, second: str, words: str) -> None:
                if first in results and second in results:
                    print(f"  {words}: {results[first]['cpu'] / results[second]['cpu']:.2f}x the CPU time")

            ratio("remun-export", "bare-openpyxl", "remun-export (every sheet, from the database) vs the bare loop")
            ratio("bare-openpyxl-per-cell", "bare-openpyxl", "a new styled cell per value vs reused cells")
            ratio("bare-openpyxl-named-style", "bare-openpyxl", "a new cell per value with a NamedStyle vs reused cells")
            ratio("xlsxwriter", "bare-openpyxl", "XlsxWriter constant_memory vs the bare openpyxl loop")
            if "remun-export" in results and "bare-openpyxl" in results:
                export, bare = results["remun-export"], results["bare-openpyxl"]
                share = (export["rows"] / export["cpu"]) / (bare["rows"] / bare["cpu"])
                met = share >= 0.9 and export["peak_mib"] < 250
                print(f"  target: remun-export at {share:.0%} of the bare openpyxl rate (CPU), peak "
                      f"{export['peak_mib']:.0f} MiB: {'met' if met else 'NOT met'} (>= 90%, < 250 MiB)")
            database.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
