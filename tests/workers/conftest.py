from tests.sales.conftest import redis

__all__ = ["redis"]
