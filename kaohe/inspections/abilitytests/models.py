"""依法行政能力测试 (models follow)."""
