"""Flask extensions, created once and bound to the app in the factory."""

from __future__ import annotations

from flask_babel import Babel
from flask_sqlalchemy_lite import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

db = SQLAlchemy()
babel = Babel()
csrf = CSRFProtect()
