"""sieulive: livestream-commerce orchestration for Vietnamese live-selling campaigns."""

__version__ = "0.1.0"
