"""Helper processes that end with the process that started them."""

from __future__ import annotations

import multiprocessing as mp
import os
import threading


def exit_with_parent() -> None:
    """In a child process (face-model worker, report plotter): end this process when its parent
    dies. A killed `mirror analyse` must not leave workers behind, blocked on a full queue or
    idle in a pool, holding the model or matplotlib in memory."""
    parent = mp.parent_process()
    if parent is None:
        return

    def watch() -> None:
        parent.join()
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()
