"""REST routes of the servicing context: accounts and negotiated plans."""
