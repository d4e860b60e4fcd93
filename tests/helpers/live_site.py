"""A Remun app on its own migrated database, served from a background thread, for the browser tests.

Each browser test module fills the database its own way (``fill`` runs in the
app's context with its session and returns the ids the tests need); this
module does the part they share: settings, migrations, catalogues, the server
and putting everything back afterwards.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SETTINGS = ("REMUN_DATABASE_URL", "REMUN_INSTANCE_PATH")


@contextmanager
def _settings(**values: str) -> Iterator[None]:
    previous = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _call(function: Callable[[], Any]) -> Any:
    return function()


@contextmanager
def served_app(database_url: str, folder: Path, fill: Callable[[Any], dict | None], *, secret: str,
               run: Callable[[Callable[[], Any]], Any] = _call) -> Iterator[tuple[str, dict]]:
    """Yield (base URL, what ``fill`` returned) for an app on ``database_url``, migrated and filled.

    ``run`` calls database work (for example outside Playwright's event loop, which PostgreSQL's
    driver must not share).
    """
    from werkzeug.serving import make_server

    from remun import create_app
    from remun.catalogues import compile_catalogues
    from remun.database import upgrade
    from remun.web.extensions import db

    compile_catalogues()  # Gaelic and Polish pages need the compiled catalogues (make does this too)
    upgrade(database_url)
    with _settings(REMUN_DATABASE_URL=database_url, REMUN_INSTANCE_PATH=str(folder / "instance")):
        app = create_app({"SECRET_KEY": secret, "REMUN_ARGON2_PROFILE": "test"})

        def filled() -> dict:
            with app.app_context():
                facts = fill(db.session) or {}
                db.session.commit()
                return facts

        def dispose() -> None:
            with app.app_context():
                db.engine.dispose()

        facts = run(filled)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_port}", facts
        finally:
            server.shutdown()
            thread.join(timeout=10)
            run(dispose)


def demo(session) -> None:
    """Load the demo project (most browser tests start from it)."""
    from flask import current_app

    from remun.project_records.demo import load_demo

    load_demo(session, current_app.extensions["remun.rates"])
