"""REST routes of the contact context: contact requests and the policy packs."""
