"""The project workbook: a blank template to fill in, and its import.

Plain Python with no Flask in it, so the web app, the command line and the
tests share it:

- ``remun.imports.template.write_template(target)`` writes the blank workbook;
- ``remun.imports.importer.import_workbook(session, source, rate_book)`` reads
  a filled-in workbook into the database, all of it or nothing. Its parts: ``limits``
  (bounds checked before parsing), ``reading`` (the sheets as a stream), ``rows`` (one
  row's cells read and checked), ``plans`` (what the rows ask for), ``checking`` and
  ``checking_sessions`` (every row against the others and the database), ``writing``
  (the records added and updated) and ``results`` (the problems or the summary);
- ``remun.imports.operations.import_project`` imports for someone: as a project lead, with
  the claims the attendance makes (the upload page and the background job use it).

Messages for people (the problems found in a workbook and the summary of an
import) are English ``%(name)s`` format strings wrapped in ``N_()`` so the
translation tools extract them, and kept with their parameters so the web layer
can translate them: ``gettext(message_id) % params``.
"""

from __future__ import annotations


from remun.translation import N_  # noqa: F401  (re-exported for the import modules)
