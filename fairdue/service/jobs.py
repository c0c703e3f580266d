"""The daily orchestration: day-end, then plan checks and promise settlement, then collections."""
