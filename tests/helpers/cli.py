"""Running the ``remun`` command in a subprocess, on a new database of each backend."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import create_postgres_database


REMUN = shutil.which("remun", path=str(Path(sys.executable).parent)) or "remun"


@pytest.fixture
def cli_env(backend, tmp_path):
    """Environment for running `remun` against a new, empty database of the backend."""
    drop = None
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    else:
        url, drop = create_postgres_database()
    env = dict(os.environ, REMUN_DATABASE_URL=url, REMUN_INSTANCE_PATH=str(tmp_path / "instance"))
    yield env
    if drop:
        drop()


def run(env, *args, input_text=None):
    return subprocess.run([REMUN, *args], env=env, capture_output=True, text=True, input=input_text, timeout=120)
