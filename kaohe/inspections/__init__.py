"""实地考核, 依法行政能力测试 and 案卷集中评查: three Django apps, one per activity (see docs/architecture.md)."""
