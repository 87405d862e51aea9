"""Development and demonstration tools; not part of a deployment."""
