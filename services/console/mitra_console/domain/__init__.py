"""The console's rules, pure: accounts and who may manage them, passwords, lockout, signing keys, tokens."""
