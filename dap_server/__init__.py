"""godap: a Debug Adapter Protocol server for Go core dumps."""

__version__ = "0.1.0"
