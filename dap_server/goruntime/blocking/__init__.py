"""The blocking graph: what each blocked goroutine waits on, who could wake it, and what is stuck.

`view.blocking_view(process)` is the entry point (one per stop); the modules beside it each do one
job: sudogs and the semaphore table (where the runtime records waiters), wait objects and their
state, the bounded search for goroutines that refer to an object, and the findings.
"""
