"""Payments in: the normalized statement line every bank and wallet file is parsed into."""
