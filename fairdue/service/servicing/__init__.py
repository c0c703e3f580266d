"""Servicing: accounts, products, posting, statements, the inline close, payments, purchases, negotiated plans."""
