"""Staff: authentication, sessions, the access log, the console's masked views of a party."""
