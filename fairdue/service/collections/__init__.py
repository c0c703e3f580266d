"""Collections: the engine (cases, assignment, steps, reminders, disputes, cease), call outcomes, promises, the case view."""
