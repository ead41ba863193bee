"""The HTTP layer: the Flask application (`api.app.create_app`), its views and the `motcua` command.

`create_app` is read from `api.app` when it is first asked for, so that importing a module of this
package (`api.cli` for every `motcua` command, say) does not build every view and import every
library the views use: `motcua migrate` and the other commands start in a fraction of the time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from api.app import create_app


def __getattr__(name: str):
    if name == "create_app":
        from api.app import create_app

        return create_app
    raise AttributeError(f"module 'api' has no attribute {name!r}")


__all__ = ["create_app"]
