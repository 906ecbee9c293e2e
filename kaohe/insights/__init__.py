"""What the evidence says: text of every file version, duplicates across units and years, document facts,
annual reports' coverage — shown to desks as explained hints that never change a score."""
