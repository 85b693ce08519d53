"""Sales: order events from the platforms, through the Redis inbox and RQ batches, into orders
attributed to sessions and segments, aggregates and live counters."""
