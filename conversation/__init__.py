"""Chat logic: follow-up context, why a capability matched, coaching questions, and the answer to one turn."""
