"""REST routes of the portal context: complaints."""
