"""Probes of faults, slow clients and bad requests against the real server process."""
