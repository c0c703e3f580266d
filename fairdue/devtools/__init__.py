"""Developer tools: the demo and the portfolio simulation (not used by production paths)."""
