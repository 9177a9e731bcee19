"""Go runtime knowledge: goroutines, unwinding, values, crash explanation. Takes (Memory, Program)."""
