"""The process's open-file limit. Thousands of websockets — the server's, or a benchmark's
clients — need as many file descriptors: take the hard limit at start-up."""

from __future__ import annotations


def raise_file_limit() -> None:
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft < hard:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    except (ImportError, ValueError, OSError):
        pass
