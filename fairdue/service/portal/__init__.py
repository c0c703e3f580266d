"""Portal: what a borrower sees and asks for (line views, data rights, complaints)."""
