"""Shows: running a session live — the run-of-show state, its commands, timing and history."""
