from tests.shows.conftest import show_session

__all__ = ["show_session"]
