"""The field ranker: candidates -> features -> gradient-boosted trees -> calibrated confidence."""
