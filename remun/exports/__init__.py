"""Finance exports: the finance workbook, the Ledger as CSV and payment batch files.

No Flask in here: the web views and the command line pass in what the
exports need from them (who is asking, their locale and a ``gettext``
function), so both produce the same files.

- ``finance_workbook``: the finance workbook (XlsxWriter's constant-memory mode, streamed).
- ``csv_export``: the Ledger sheet as CSV (UTF-8 with a byte-order mark).
- ``batch_file``: a payment batch as a workbook or CSV, the same bytes every time.
- ``safety``: text that could run as a formula is written as plain text.
- ``formats``: spreadsheet number and date formats from Babel's locale data.
- ``headings``: every heading and label the files show, in one place.
"""

from remun.exports.context import ExportContext, ExportFilters, ExportTooLarge

__all__ = ["ExportContext", "ExportFilters", "ExportTooLarge"]
