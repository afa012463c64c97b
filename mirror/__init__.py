"""mirror: a self-coaching mirror for your own face."""

__version__ = "0.1.0"
