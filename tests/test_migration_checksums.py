"""Released migrations are never edited: each file's SHA-256 is pinned here.

A database that has run a migration never runs it again, so an edit to a
released one reaches new databases only (as 0005's did: see 0009). Change the
schema with a new migration instead.

When a migration is released (merged to main and deployed), add its file here:
    sha256sum migrations/versions/NNNN_name.py
and add a line ``"NNNN_name.py": "<that hash>",`` to ``RELEASED``. A file not yet
released may still change (its ``down_revision`` is re-chained at merge), so it
is not pinned until then; it must come after every pinned one.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

VERSIONS = Path(__file__).resolve().parents[1] / "migrations" / "versions"

RELEASED = {
    "0001_foundation.py": "5c5aedff2be9a03c46219fd5711deef6d0ebb33588f1135be3f42753ea353e61",
    "0002_accounts.py": "86d14cf58c8899d893a3cb661497522e3f51879c478a0ef5ebf4908ea72be66d",
    "0003_ledger.py": "579d100c478eb5e6260944db101fafe149b85b8870967442d1a8e02f134b272f",
    "0004_budgets.py": "1c97d95a67bdabab8117ec7127eafef7bc4fcba4f8a434b29b45b16a56188c97",
    "0005_reciprocity.py": "7324bad63319525f8e53598173debf806cd89fb995e44de6af338fc64aacc7c5",
    "0006_languages.py": "2f3471378595d89b2b1c41bd2ea49dd91222b8c1934f91828400a3a6cdac3b93",
    "0007_scale_indexes.py": "f9e80aad2a6e795fa3c9ea901a9ff4a2e3c149d3ee4cf09efd35bf2fa682c3c6",
    "0008_organisation_settings.py": "dd247ed5139b15be6e8cbe86e047619188bf03572eb0aa4392c55060ddbbfe06",
    "0009_settlement_parts_accrual.py": "5e830da07eef08231a97b642989d96c8aa7d489e9657e674b63dce563974459a",
    "0010_ledger_guards.py": "811046ebadcccb0f6819dab761b163186e2de06f5ee0a6a8fd0326ceba7d02c7",
    "0012_organisation_rate_figures.py": "d9988ab617b9e52ec5acb7e531dcd9f38cef9cbc073bb8327a575656c688779c",
    "0014_sign_in_sessions.py": "fdf679e9b0161cf2cc3d6b0d66fbed67d498cd172d09d245658f975061220fd6",
    "0015_told_sessions.py": "1cd9a6b2a1f145394f738cf5f6839a3b2f791701bd512204005dcd0b1f6296a3",
    "0016_background_jobs.py": "a8bb1c414e8e65f7b8cd0c3bc22f999acd08977935d8f40bb9ac0a51e739282d",
    "0017_project_accounting.py": "b08e3d15690ca7245a9800e980bce5ff6cc226f104ebd9e630f7a3dbc0787902",
    "0018_api_tokens.py": "1cef8d60333cf0e819918e9a1afa6af0cb97f207ffc55c65290a1f4f1927b150",
    "0020_kept_reports.py": "365bb5918c38ce5856dad8e5154a44d136db4dce5eae685de1671259e1c29b6d",
    "0021_project_figures_versions.py": "5667b39c2b93a0e5ddd92b7abc1bee491ac69faa4947060c5b6da6fa5dcc3a14",
    "0022_kept_project_totals.py": "c1c5537dee470e24e902976e0c35c6180e535bfe80a4c035f6f7e60123c1cb4d",
}


def checksum(path: Path) -> str:
    # Line endings as git stores them, so a checkout with CRLF endings is not an edit.
    return hashlib.sha256(path.read_bytes().replace(b"\r\n", b"\n")).hexdigest()


def test_released_migrations_are_unchanged():
    edited = {name: checksum(VERSIONS / name) for name, pinned in RELEASED.items()
              if not (VERSIONS / name).exists() or checksum(VERSIONS / name) != pinned}
    assert not edited, (
        f"released migrations were edited or removed: {sorted(edited)}. Never edit a released migration: "
        "undo the edit and make the change in a new migration."
    )


def test_every_migration_file_is_pinned_or_newer_than_the_released_ones():
    files = sorted(path.name for path in VERSIONS.glob("*.py") if path.name != "__init__.py")
    unpinned = [name for name in files if name not in RELEASED]
    newest_released = max(RELEASED)
    assert all(name > newest_released for name in unpinned), (
        f"{[n for n in unpinned if n <= newest_released]} sit among released migrations without a pinned checksum"
    )


def test_an_edit_is_caught(tmp_path):
    # The pin compares bytes: one changed character gives another checksum.
    original = VERSIONS / "0005_reciprocity.py"
    edited = tmp_path / original.name
    edited.write_bytes(original.read_bytes().replace(b"accrual_id", b"accrual_ix", 1))
    assert checksum(original) == RELEASED[original.name]
    assert checksum(edited) != RELEASED[original.name]
