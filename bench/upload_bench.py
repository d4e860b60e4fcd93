"""Upload benchmark (issue 19): memory a worker grows by importing a hostile workbook, bounds on and off.

    .venv/bin/python bench/upload_bench.py              # XFD rows and a shared-strings bomb, before and after
    .venv/bin/python bench/upload_bench.py --rows 6000  # the issue's 6,000-row XFD workbook (needs ~1 GB before)

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


def vm_rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def build(case: str, rows: int) -> io.BytesIO:
    from tests.helpers.workbooks import good_sheets, workbook
    from tests.imports.test_upload_limits import MAIN, attendance_rows, replaced, sheet_part, with_shared_strings

    book = workbook(good_sheets())
    if case == "xfd":
        return replaced(book, {sheet_part(book, "Attendance"): attendance_rows(rows, extra_cell="XFD")})

    def strings(stream) -> None:
        stream.write(f'<sst {MAIN}>'.encode())
        chunk = b"".join(b"<si><t>%06d padding text</t></si>" % i for i in range(1000))
        for _ in range(int(STRINGS_MIB * 1024 * 1024 / len(chunk))):
            stream.write(chunk)
        stream.write(b"</sst>")

    return with_shared_strings(book, strings)


def child(case: str, mode: str, rows: int) -> None:
    from remun.imports import reading
    from remun.imports.importer import ImportFailed

    upload = build(case, rows)
    size = len(upload.getvalue())
    if mode == "before":
        reading.measure_workbook = lambda source: ([], 0)
    import gc

    gc.collect()
    start = vm_rss_mib()
    began = time.perf_counter()
    outcome = "imported"
    try:
        reading.read_workbook(upload)
    except ImportFailed as failure:
        outcome = failure.problems[0].text[:90]
    print(json.dumps({"case": case, "mode": mode, "upload_kib": size / 1024, "seconds": time.perf_counter() - began,
                      "growth_mib": vm_hwm_mib() - start, "outcome": outcome}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--child", nargs=3)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], int(args.child[2]))
        return
    print(f"load average {' '.join(os.getloadavg().__repr__().strip('()').split(', '))}")
    for case in ("xfd", "shared-strings"):
        for mode in ("before", "after"):
            done = subprocess.run([sys.executable, __file__, "--child", case, mode, str(args.rows)], capture_output=True,
                                  text=True, cwd=ROOT)
            if done.returncode:
                print(case, mode, "failed:", done.stderr[-400:])
                continue
            r = json.loads(done.stdout.strip().splitlines()[-1])
            print(f"  {r['case']:15} {r['mode']:6} upload {r['upload_kib']:8,.0f} KiB  {r['seconds']:6.2f} s  "
                  f"growth {r['growth_mib']:7.1f} MiB  {r['outcome']}")


if __name__ == "__main__":
    main()
