"""The ledger key: a secret kept outside the database that seals each transaction's hash.

With the key, the chain's hashes are HMACs, so someone who can edit the database (even
its owner, with the triggers switched off) cannot write a transaction, or rewrite a
chain, that `remun verify` accepts. The key is REMUN_LEDGER_KEY, else the file
``ledger_key`` in the instance folder, made once by `remun migrate`. Several servers
must share one key (through the environment). Keep a copy somewhere safe: without it
the keyed part of the chain cannot be checked.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from remun import config

KEY_FILE = "ledger_key"
#: Chain versions: 1 = SHA-256 of the transaction (before keys); 2 = HMAC-SHA256 with the ledger key.
UNKEYED, KEYED = 1, 2


def key_path(folder: Path | None = None) -> Path:
    return (folder or config.instance_path()) / KEY_FILE


def ledger_key(folder: Path | None = None) -> bytes | None:
    """The key, or None when there is none yet."""
    from_env = os.environ.get("REMUN_LEDGER_KEY")
    if from_env:
        return from_env.encode("utf-8")
    path = key_path(folder)
    if path.exists():
        return path.read_text(encoding="ascii").strip().encode("ascii")
    return None


def ensure_ledger_key(folder: Path | None = None) -> Path | None:
    """Make the key file once (readable by its owner only); None when the key comes from the environment."""
    if os.environ.get("REMUN_LEDGER_KEY"):
        return None
    path = key_path(folder)
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it a moment ago
        return path
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secrets.token_hex(32))
    return path
