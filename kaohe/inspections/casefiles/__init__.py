"""案卷集中评查: units' case-file lists, reproducible sampling, reviewer assignment, checklist scoring."""
