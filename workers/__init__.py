"""The worker processes' entry point: start RQ workers on the queues (`runner.py`) with every
worker's watchdog (`watchdog.py`). The jobs live beside their areas (`live/<area>/tasks.py`);
`orders.py` and `imports.py` only keep the jobs' old paths importable."""
