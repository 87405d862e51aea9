"""Reporting's rules and computations: filters, compliance, the risk score, stories, and the files it makes. No I/O."""
