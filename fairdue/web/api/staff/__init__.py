"""REST routes of the staff context: sign-in and sessions."""
