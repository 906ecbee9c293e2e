"""依法行政能力测试: rosters, reproducible draws of testees, a question bank, papers, online and oral tests."""
