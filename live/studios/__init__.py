"""Studios: the rooms sessions stream from, and each studio's OBS driven by the run-of-show."""
