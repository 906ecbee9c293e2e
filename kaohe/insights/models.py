"""Models of the evidence insights (text, duplicates, document facts, hints, annual reports)."""
