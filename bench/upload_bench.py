"""Upload benchmark (issue 19): memory a worker grows by importing a hostile workbook, bounds on and off.

    .venv/bin/python bench/upload_bench.py              # XFD rows and a shared-strings bomb, before and after
    .venv/bin/python bench/upload_bench.py --rows 6000  # the issue's 6,000-row XFD workbook (needs ~1 GB before)
    .venv/bin/python bench/upload_bench.py --cases bad-rows --bad-rows 99999   # the whole import of bad rows

"bad-rows" is a workbook just under the row limit whose every row is wrong (the issue's 200,000
bad rows took +553 MB and made a 73 MB error page): it is imported whole, checks included, into
an empty database in memory, and refused with its problems; only "after" is run (the bounds let it
through: it is within them).

Each import runs in its own process; "growth" is its peak resident size (VmHWM) less its size once the
workbook was built. "before" turns the checks of remun/imports/limits.py off (the previous code's path:
openpyxl read-only parsing of the whole file); "after" is the code as it is. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: The shared-strings bomb's unpacked size (the issue's was 511 MB from a 2.3 MB upload).
STRINGS_MIB = 100
sys.path.insert(0, str(ROOT))


def vm_hwm_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def reset_peak() -> None:
    """Start VmHWM again from the present size (Linux: 5 in clear_refs)."""
    Path("/proc/self/clear_refs").write_text("5")


def vm_rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def build(case: str, rows: int) -> io.BytesIO:
    from tests.helpers.workbooks import good_sheets, workbook
    from tests.imports.test_upload_limits import MAIN, attendance_rows, replaced, sheet_part, with_shared_strings

    book = workbook(good_sheets())
    if case == "bad-rows":
        return replaced(book, {sheet_part(book, "Attendance"): attendance_rows(rows)})
    if case == "full-rows":
        return replaced(book, {sheet_part(book, "Attendance"): full_attendance_rows(rows)})
    if case == "xfd":
        return replaced(book, {sheet_part(book, "Attendance"): attendance_rows(rows, extra_cell="XFD")})

    def strings(stream) -> None:
        stream.write(f'<sst {MAIN}>'.encode())
        chunk = b"".join(b"<si><t>%06d padding text</t></si>" % i for i in range(1000))
        for _ in range(int(STRINGS_MIB * 1024 * 1024 / len(chunk))):
            stream.write(chunk)
        stream.write(b"</sst>")

    return with_shared_strings(book, strings)


def full_attendance_rows(rows: int) -> bytes:
    """An Attendance sheet whose every cell is filled, with a long note that does not compress: about
    as much as an upload of 10 MB can carry within the row limit."""
    import random
    import string

    from remun.imports.limits import column_letters
    from tests.helpers.workbooks import ATTENDANCE_HEADINGS
    from tests.imports.test_upload_limits import MAIN

    rng = random.Random(19)
    letters = string.ascii_letters + " "
    columns = [column_letters(i + 1) for i in range(len(ATTENDANCE_HEADINGS))]

    def text_cell(ref: str, text: str) -> str:
        return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'

    body = ['<row r="1">' + "".join(text_cell(f"{c}1", name) for c, name in zip(columns, ATTENDANCE_HEADINGS)) + "</row>"]
    for n in range(2, rows + 2):
        note = "".join(rng.choice(letters) for _ in range(100))
        body.append(f'<row r="{n}"><c r="A{n}"><v>45792</v></c>{text_cell(f"B{n}", "Panel meeting")}'
                    f'{text_cell(f"C{n}", f"Person {n:06d}")}<c r="D{n}"><v>2.5</v></c><c r="E{n}"><v>1</v></c>'
                    f'<c r="F{n}"><v>0.5</v></c><c r="G{n}"><v>12.40</v></c>{text_cell(f"H{n}", "Travel")}'
                    f'{text_cell(f"I{n}", note)}</row>')
    return f'<worksheet xmlns="{MAIN.split(chr(34))[1]}"><sheetData>{"".join(body)}</sheetData></worksheet>'.encode()


def import_into_empty_database(upload: io.BytesIO) -> str:
    """The whole import (reading and checking) into an empty SQLite database in memory; what it said."""
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from remun.imports.importer import ImportFailed, import_workbook
    from remun.config import DEFAULT_RATES_DIR
    from remun.pay.rate_cards import load_rate_book
    from remun.project_records.models import Base

    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        try:
            import_workbook(session, upload, load_rate_book(DEFAULT_RATES_DIR))
        except ImportFailed as failure:
            return f"refused: {len(failure.problems)} problems listed, {failure.more:,} more counted"
    return "imported"


def child(case: str, mode: str, rows: int) -> None:
    from remun.imports import reading
    from remun.imports.importer import ImportFailed

    upload = build(case, rows)
    size = len(upload.getvalue())
    if mode == "before":
        reading.measure_workbook = lambda source: ([], 0)
    import gc

    gc.collect()
    reset_peak()  # building the workbook above had its own peak: measure only from here
    start = vm_rss_mib()
    began = time.perf_counter()
    outcome = "imported"
    try:
        if case in ("bad-rows", "full-rows"):
            outcome = import_into_empty_database(upload)
        else:
            reading.read_workbook(upload)
    except ImportFailed as failure:
        outcome = failure.problems[0].text[:90]
    print(json.dumps({"case": case, "mode": mode, "upload_kib": size / 1024, "seconds": time.perf_counter() - began,
                      "growth_mib": vm_hwm_mib() - start, "outcome": outcome}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--bad-rows", type=int, default=99_000)  # with the template's other rows, just under the limit
    parser.add_argument("--cases", default="xfd,shared-strings,bad-rows,full-rows")
    parser.add_argument("--child", nargs=3)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], int(args.child[2]))
        return
    print(f"load average {' '.join(os.getloadavg().__repr__().strip('()').split(', '))}")
    for case in args.cases.split(","):
        whole_import = case in ("bad-rows", "full-rows")
        for mode in ("after",) if whole_import else ("before", "after"):
            rows = args.bad_rows if whole_import else args.rows
            done = subprocess.run([sys.executable, __file__, "--child", case, mode, str(rows)], capture_output=True,
                                  text=True, cwd=ROOT)
            if done.returncode:
                print(case, mode, "failed:", done.stderr[-400:])
                continue
            r = json.loads(done.stdout.strip().splitlines()[-1])
            print(f"  {r['case']:15} {r['mode']:6} upload {r['upload_kib']:8,.0f} KiB  {r['seconds']:6.2f} s  "
                  f"growth {r['growth_mib']:7.1f} MiB  {r['outcome']}")


if __name__ == "__main__":
    main()
