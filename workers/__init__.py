"""RQ jobs: small importable functions taking ids, opening their own DB session, calling `live`."""
