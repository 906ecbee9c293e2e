"""Models of the exchange between installations (API tokens, imported signed exports)."""
