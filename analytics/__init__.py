"""Industry patent indicators, early-warning rules and reports."""
