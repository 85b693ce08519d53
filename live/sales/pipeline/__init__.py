"""The pipeline: from the inbox to orders, in batches — attribution to sessions and segments,
the flash-sale stock gate, the kept record of events and batches, the aggregates, the live
counters in Redis, the snapshots dashboards and shows get, and `reconcile`, which proves it all
from the kept events."""
