"""The debug console: Delve's inspection commands over a session, answers as text or values."""
