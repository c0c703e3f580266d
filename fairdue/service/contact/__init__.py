"""Contact: gate requests from stored facts, enforcement, the decision log, contact facts, the dispatcher."""
